// The fleet audit (issue #10), ~300 lines (its update phase is fleet-update-audit.ts): the scenario, its figures and the soak CLI in one file
// so that `npm run soak -- --fleet` and the CI test run exactly the same thing.
import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { sampleCustomer } from '../../test/fixtures/sample-customers';
import { FleetStack, startFleetStack } from './fleet-stack';
import {
  runUpdatePhase,
  UpdatePhaseOptions,
  UpdatePhaseReport,
  updatePhasePassed,
} from './fleet-update-audit';
import { stallDetector } from './settle';

/**
 * A loss-and-duplicate audit of a fleet: several hosts on one Azurite and one emulator, callers
 * round-robin over them, mixed faults (429, 500, 502, 503, 504, resets, and each of those after D365
 * committed; 500s on lookups), one host killed and restarted, `Prefer: wait` callers under a slow
 * D365 with more of them than gate slots, and the same new customer sent without a key to two hosts
 * at once. Every accepted request must end; D365 must hold one customer per customer sent.
 */
export interface FleetAuditOptions {
  hosts: number;
  customers: number;
  /** Requests in flight at once from the bulk callers. */
  concurrency: number;
  faultProbability: number;
  /** Host kills (SIGKILL, then a restart a few seconds later). */
  kills: number;
  /** Pairs of the same new customer sent without a key to two hosts at once. */
  pairs: number;
  /** `Prefer: wait` callers under a slow D365. */
  waiters: number;
  /** D365 latency (ms) while the waiters run. */
  slowLatencyMs: number;
  /** Fleet-wide cap on concurrent D365 calls (D365_MAX_CONCURRENCY). */
  cap: number;
  /** Seconds without any request ending after which the rest count as lost (dev/local-stack/settle.ts). */
  settleSeconds: number;
  storageConnectionString?: string;
  settings?: Record<string, string>;
  /** The update phase (issue 17), after the creates: see fleet-update-audit.ts. */
  updates?: Omit<UpdatePhaseOptions, 'log'>;
  log?: (line: string) => void;
}

export interface FleetAuditReport {
  hosts: number;
  customers: number;
  accepted: number;
  succeeded: number;
  failed: number;
  /** Accepted but not terminal when the audit ended. */
  lost: number;
  /** Extra D365 customers for one customer sent. */
  duplicated: number;
  /** D365 customers whose requests all failed (or were never accepted). */
  orphans: number;
  /** Succeeded requests whose account is not in D365. */
  missing: number;
  /** Requests answered `linked` to a customer that one of our own requests created (and none said `created`). */
  wronglyLinked: number;
  /** `Prefer: wait` callers answered 201 within their wait. */
  waitedAnswers: number;
  peakConcurrentD365: number;
  cap: number;
  kills: number;
  /** Seconds from a kill until every request held (processing/submitting) at the kill had ended; the worst kill. */
  recoverySeconds: number;
  faultsApplied: number;
  d365Requests: number;
  /** D365 answers 429 (the fault rules' and, if one is set, the throttle model's). */
  d365Answers429: number;
  /** Sends without a key whose connection dropped (the kill) before an answer: the caller cannot know. */
  unanswered: number;
  seconds: number;
  /** What each lost request's record said when the audit ended (no personal data), to tell why. */
  lostRecords?: Record<string, unknown>[];
  /** Over the cap: the D365 calls in flight at the peak, from the emulator's log (why it failed). */
  peakCalls?: LoggedCall[];
  updates?: UpdatePhaseReport;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A lost request's record as it stands: its state machine's fields, not the customer's data. */
async function lostRecord(table: TableClient, sent: Sent): Promise<Record<string, unknown>> {
  const fields = [
    'status',
    'attempts',
    'lastError',
    'nextAttemptAt',
    'leaseUntil',
    'submittedAt',
    'updatedAt',
  ];
  try {
    const record = await table.getEntity<Record<string, unknown>>(sent.correlationId!, '', {
      queryOptions: { select: fields },
    });
    return {
      correlationId: sent.correlationId,
      kind: sent.kind,
      ...Object.fromEntries(fields.map((f) => [f, record[f]])),
    };
  } catch {
    return { correlationId: sent.correlationId, kind: sent.kind, record: 'none' };
  }
}

/** The fleet's settings: quick back-off, and the shipped queue visibility (a killed host's messages stay hidden). */
export const FLEET_AUDIT_SETTINGS: Record<string, string> = {
  RETRY_BASE_SECONDS: '1',
  RETRY_MAX_DELAY_SECONDS: '3',
  RETRY_MAX_ATTEMPTS: '20',
  PROCESSING_LEASE_SECONDS: '10',
  // A message taken by the killed host before its worker claimed the record leaves it `queued`: the
  // reconciler re-sends it after this long (300 s as shipped, longer than the audit waits).
  RECONCILE_AFTER_SECONDS: '30',
  D365_TIMEOUT_MS: '4000',
  // As in Azure: a message taken by an instance stays invisible 10 minutes; only the app brings it back.
  DEV_HOST_QUEUE_LEASE_SECONDS: '600',
  AzureFunctionsJobHost__extensions__queues__batchSize: '8',
  AzureFunctionsJobHost__extensions__queues__newBatchThreshold: '4',
  AzureFunctionsJobHost__extensions__queues__maxPollingInterval: '00:00:00.500',
};

export function faultRules(p: number): object[] {
  const mix: [number, object][] = [
    [0.15, { status: 503 }],
    [0.15, { status: 429, retryAfter: 1 }],
    [0.1, { reset: true }],
    [0.05, { status: 502 }],
    [0.05, { status: 504, latencyMs: 200 }],
    // After D365 committed: the customer exists, the answer says otherwise.
    [0.1, { after: true, reset: true }],
    [0.1, { after: true, status: 503 }],
    [0.05, { after: true, status: 502 }],
    [0.05, { after: true, status: 504 }],
    [0.05, { after: true, status: 500 }],
    [0.05, { after: true, status: 429, retryAfter: 1 }],
  ];
  return [
    // A 500 on the lookup (OData query): D365 may hold the customer; never a final answer.
    { service: 'd365', path: '/data/CustomersV3', probability: 0.1 * p, status: 500 },
    ...mix.map(([share, fault]) => ({ service: 'd365', probability: share * p, ...fault })),
  ];
}

interface Sent {
  email: string;
  kind: 'bulk' | 'pair' | 'wait';
  correlationId?: string;
  waited?: boolean;
}

async function post(
  fleet: FleetStack,
  host: number,
  body: unknown,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; json?: { correlationId?: string } } | undefined> {
  try {
    const response = await fetch(`${fleet.url(host)}/api/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return {
      status: response.status,
      json: text ? (JSON.parse(text) as { correlationId?: string }) : undefined,
    };
  } catch (error) {
    // Refused: the host is down and nothing was sent (safe to send elsewhere); else unknown.
    const code = (error as { cause?: { code?: string } }).cause?.code;
    return code === 'ECONNREFUSED' ? { status: 0 } : undefined;
  }
}

/** Sends without a key to the first live host from `host`: only a refused connection is tried elsewhere. */
async function submitOnce(fleet: FleetStack, host: number, body: unknown): Promise<string | undefined> {
  for (let k = 0; k < 60; k += 1) {
    const target = host + k;
    if (fleet.isDown(target)) continue;
    const answer = await post(fleet, target, body, {}, 30_000);
    if (answer?.status !== 0) return answer?.json?.correlationId;
    await sleep(100);
  }
  return undefined;
}

/** Sends with an Idempotency-Key, round-robin from `host`, until one host accepts it. */
async function submitKeyed(
  fleet: FleetStack,
  host: number,
  body: unknown,
  key: string,
  extra: Record<string, string> = {},
) {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    const target = host + attempt;
    if (!fleet.isDown(target)) {
      const answer = await post(fleet, target, body, { 'idempotency-key': key, ...extra }, 30_000);
      if (answer && [201, 202].includes(answer.status))
        return { ...answer, correlationId: answer.json?.correlationId };
      if (answer && [409, 422].includes(answer.status) && answer.json?.correlationId)
        return { ...answer, correlationId: answer.json.correlationId };
    }
    await sleep(250);
  }
  return undefined;
}

/** Peak overlap of D365 requests in the emulator's request log. */
/** A call as the emulator logged it: arrival (high resolution) and how long it took. */
interface LoggedCall {
  at: string;
  atMs?: number;
  durationMs: number | null;
  endpoint?: string;
  status?: number | null;
  fault: string | null;
}

/**
 * The most D365 calls in flight at once, from the emulator's request log, and the calls in flight at
 * that moment. A call that starts within the log's resolution (0.1 ms) of another's end came after it.
 */
export function peakConcurrency(entries: LoggedCall[]): { peak: number; calls: LoggedCall[] } {
  const edges: { t: number; delta: 1 | -1; call: LoggedCall }[] = [];
  for (const call of entries) {
    const start = call.atMs ?? Date.parse(call.at);
    const end = start + (call.durationMs ?? 0) - 0.1;
    if (end > start) edges.push({ t: start, delta: 1, call }, { t: end, delta: -1, call });
  }
  edges.sort((a, b) => a.t - b.t || a.delta - b.delta);
  const open = new Set<LoggedCall>();
  let peak = { peak: 0, calls: [] as LoggedCall[] };
  for (const { delta, call } of edges) {
    if (delta === 1) open.add(call);
    else open.delete(call);
    if (open.size > peak.peak) peak = { peak: open.size, calls: [...open] };
  }
  return peak;
}

async function snapshotHeld(fleet: FleetStack): Promise<Set<string>> {
  const held = new Set<string>();
  for await (const e of fleet.table.listEntities<{ status?: string }>({
    queryOptions: { select: ['PartitionKey', 'status'] },
  }))
    if (e.status === 'processing' || e.status === 'submitting') held.add(e.partitionKey!);
  return held;
}

export async function runFleetAudit(options: FleetAuditOptions): Promise<FleetAuditReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const runId = randomBytes(3).toString('hex');
  const fixture = sampleCustomer('full');
  const fleet = await startFleetStack({
    hosts: options.hosts,
    storageConnectionString: options.storageConnectionString,
    settings: { ...FLEET_AUDIT_SETTINGS, D365_MAX_CONCURRENCY: String(options.cap), ...options.settings },
    emulator: { requestLogLimit: 200_000 },
  });
  const customer = (email: string) => ({ Customer: { ...fixture.Customer, EmailAddress: email } });
  const sent: Sent[] = [];
  const kills: { at: number; held: Set<string> }[] = [];
  let rr = 0;
  try {
    for (const rule of faultRules(options.faultProbability))
      await fleet.emulatorApi('POST', '/_emulator/faults', rule);

    // Bulk callers with keys, round-robin; kills spread over the bulk phase; pairs among them.
    const bulk: Sent[] = Array.from({ length: options.customers }, (_, i) => ({
      email: `fleet.${runId}.${i}@example.com`,
      kind: 'bulk',
    }));
    sent.push(...bulk);
    let next = 0;
    let done = 0;
    const caller = async (): Promise<void> => {
      for (let i = next++; i < bulk.length; i = next++) {
        const answer = await submitKeyed(fleet, rr++, customer(bulk[i]!.email), `fleet-${runId}-${i}`);
        bulk[i]!.correlationId = answer?.correlationId;
        done += 1;
      }
    };
    const pairs = async (): Promise<void> => {
      for (let p = 0; p < options.pairs; p += 1) {
        while (done < ((p + 1) * bulk.length) / (options.pairs + 2)) await sleep(50);
        const email = `fleet.${runId}.pair${p}@example.com`;
        const a: Sent = { email, kind: 'pair' };
        const b: Sent = { email, kind: 'pair' };
        sent.push(a, b);
        const host = rr++;
        const live = [0, 1, 2, 3].map((k) => host + k).filter((h) => !fleet.isDown(h));
        const ids = await Promise.all(
          [live[0]!, live[1] ?? live[0]!].map((h) => submitOnce(fleet, h, customer(email))),
        );
        [a.correlationId, b.correlationId] = ids;
      }
    };
    const killer = async (): Promise<void> => {
      for (let k = 0; k < options.kills; k += 1) {
        while (done < ((k + 1) * bulk.length) / (options.kills + 1)) await sleep(50);
        const victim = k % fleet.size;
        log(`fleet audit: killing host ${victim} (${done}/${bulk.length} submitted)`);
        const held = await snapshotHeld(fleet);
        await fleet.kill(victim);
        kills.push({ at: Date.now(), held });
        await sleep(3000);
        await fleet.restart(victim);
      }
    };
    await Promise.all([...Array.from({ length: options.concurrency }, caller), pairs(), killer()]);
    log(`fleet audit: bulk and pairs submitted; the waiters under a slow D365`);

    // Waits until every accepted request ended (or none ended for settleSeconds).
    const statuses = new Map<string, { status?: string; outcome?: string; customerAccount?: string }>();
    const endedAt = new Map<string, number>();
    const settle = async (): Promise<void> => {
      const accepted = sent.filter((s) => s.correlationId);
      const stalled = stallDetector(options.settleSeconds);
      let progressAt = Date.now();
      for (;;) {
        for await (const e of fleet.table.listEntities<{
          status?: string;
          outcome?: string;
          customerAccount?: string;
        }>({
          queryOptions: { select: ['PartitionKey', 'status', 'outcome', 'customerAccount'] },
        })) {
          statuses.set(e.partitionKey!, e);
          if ((e.status === 'succeeded' || e.status === 'failed') && !endedAt.has(e.partitionKey!))
            endedAt.set(e.partitionKey!, Date.now());
        }
        const pending = accepted.filter(
          (s) => !['succeeded', 'failed'].includes(statuses.get(s.correlationId!)?.status ?? ''),
        );
        if (pending.length === 0 || stalled(pending.length)) return;
        if (Date.now() - progressAt >= 60_000) {
          progressAt = Date.now();
          log(`fleet audit: ${accepted.length - pending.length} of ${accepted.length} accepted ended`);
        }
        await sleep(500);
      }
    };
    // The faults stay until the bulk has ended: they strike its processing, not only its intake.
    await settle();
    // Prefer: wait callers under a slow D365, more of them than gate slots, without faults.
    const rules = await fleet.emulatorApi<{ value: { applied: number }[] }>('GET', '/_emulator/faults');
    log(`fleet audit: fault rules applied ${rules.value.map((r) => r.applied).join(' ')}`);
    await fleet.emulatorApi('DELETE', '/_emulator/faults');
    await fleet.emulatorApi('PATCH', '/_emulator/settings', { latencyMs: options.slowLatencyMs });
    const waiters: Sent[] = Array.from({ length: options.waiters }, (_, i) => ({
      email: `fleet.${runId}.wait${i}@example.com`,
      kind: 'wait',
    }));
    sent.push(...waiters);
    await Promise.all(
      waiters.map(async (w, i) => {
        const answer = await submitKeyed(fleet, rr++, customer(w.email), `fleet-${runId}-w${i}`, {
          prefer: 'wait=20',
        });
        w.correlationId = answer?.correlationId;
        w.waited = answer?.status === 201;
      }),
    );
    await fleet.emulatorApi('PATCH', '/_emulator/settings', { latencyMs: 0 });

    await settle();
    const accepted = sent.filter((s) => s.correlationId);

    const requests = await fleet.emulatorApi<{
      value: LoggedCall[];
    }>('GET', '/_emulator/requests?service=d365');
    const peak = peakConcurrency(requests.value);
    const byEmail = new Map<string, string[]>();
    for (const c of await fleet.customers()) {
      const email = String(c.fields.PrimaryContactEmail ?? '');
      byEmail.set(email, [...(byEmail.get(email) ?? []), c.account]);
    }
    const report: FleetAuditReport = {
      hosts: options.hosts,
      customers: sent.length,
      accepted: accepted.length,
      succeeded: 0,
      failed: 0,
      lost: 0,
      duplicated: 0,
      orphans: 0,
      missing: 0,
      wronglyLinked: 0,
      waitedAnswers: waiters.filter((w) => w.waited).length,
      peakConcurrentD365: peak.peak,
      cap: options.cap,
      ...(peak.peak > options.cap && { peakCalls: peak.calls }),
      kills: kills.length,
      recoverySeconds: 0,
      faultsApplied: requests.value.filter((r) => r.fault !== null).length,
      d365Requests: requests.value.length,
      d365Answers429: requests.value.filter((r) => r.status === 429).length,
      unanswered: sent.filter((s) => !s.correlationId).length,
      seconds: 0,
    };
    const groups = new Map<string, Sent[]>();
    for (const s of sent) groups.set(s.email, [...(groups.get(s.email) ?? []), s]);
    for (const [email, group] of groups) {
      const accounts = byEmail.get(email) ?? [];
      let created = 0;
      let linked = 0;
      let succeeded = 0;
      for (const s of group.filter((g) => g.correlationId)) {
        const record = statuses.get(s.correlationId!);
        if (record?.status === 'succeeded') {
          report.succeeded += 1;
          succeeded += 1;
          if (record.outcome === 'linked') linked += 1;
          else created += 1;
          if (!accounts.includes(record.customerAccount ?? '')) report.missing += 1;
        } else if (record?.status === 'failed') report.failed += 1;
        else {
          report.lost += 1;
          (report.lostRecords ??= []).push(await lostRecord(fleet.table, s));
        }
      }
      if (succeeded === 0) report.orphans += accounts.length;
      else report.duplicated += Math.max(0, accounts.length - 1);
      // A send left unanswered (its host killed) may have created the group's customer: a partner
      // linked to it is right, and nothing tells the audit otherwise.
      if (group.every((g) => g.correlationId))
        report.wronglyLinked += Math.max(0, Math.min(linked, accounts.length - created));
    }
    for (const [email, accounts] of byEmail) if (!groups.has(email)) report.orphans += accounts.length;
    for (const kill of kills) {
      const ends = [...kill.held].map((id) => endedAt.get(id) ?? Date.now());
      const worst = ends.length === 0 ? kill.at : Math.max(...ends);
      report.recoverySeconds = Math.max(report.recoverySeconds, Math.round((worst - kill.at) / 100) / 10);
    }
    if (options.updates) report.updates = await runUpdatePhase(fleet, { ...options.updates, log });
    report.seconds = Math.round((Date.now() - started) / 100) / 10;
    return report;
  } finally {
    await fleet.stop();
  }
}

export const fleetAuditPassed = (r: FleetAuditReport): boolean =>
  r.lost === 0 &&
  r.duplicated === 0 &&
  r.orphans === 0 &&
  r.missing === 0 &&
  r.wronglyLinked === 0 &&
  r.peakConcurrentD365 <= r.cap &&
  (r.updates === undefined || updatePhasePassed(r.updates));
