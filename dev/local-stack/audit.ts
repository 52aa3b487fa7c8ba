import { randomBytes } from 'node:crypto';
import { AppStack, startAppStack } from './app-stack';
import { sampleCustomer } from '../../test/fixtures/sample-customers';
import { fleetSoak } from './fleet-soak';
import { runAddressAudit } from './address-audit';
import { stallDetector } from './settle';
import { numberArg } from './soak-args';

/**
 * A loss-and-duplicate audit in the spirit of Jepsen's total-queue check: many customers through
 * the whole pipeline while the emulator injects transient faults (including failures after D365
 * committed) and the host is killed and restarted. Afterwards every accepted request must be
 * terminal, D365 must hold exactly one customer per succeeded request and none for failed ones.
 */
export interface AuditOptions {
  customers: number;
  /** Requests in flight at once from the simulated callers. */
  concurrency: number;
  /** Share of D365 calls that meet a transient fault. */
  faultProbability: number;
  /** Host kills (SIGKILL) and restarts while requests flow. */
  restarts: number;
  storageConnectionString?: string;
  /** Seconds without any request ending after which the rest count as lost (dev/local-stack/settle.ts). */
  settleSeconds?: number;
  log?: (line: string) => void;
}

export interface AuditReport {
  customers: number;
  accepted: number;
  succeeded: number;
  failed: number;
  /** D365 confirmed the create without an account and the worker could not find it. */
  needsReview: number;
  /** Accepted but not terminal when the audit ended. */
  lost: number;
  /** Extra customers in D365 for one request. */
  duplicated: number;
  /** Succeeded requests whose customer is not in D365 (or under another account). */
  missing: number;
  /** Customers in D365 for a request that failed or was never accepted. */
  orphans: number;
  clientRetries: number;
  hostRestarts: number;
  faultsApplied: number;
  seconds: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Settings for a stack that recovers quickly: short leases, short back-off, fast polling. */
export const AUDIT_SETTINGS: Record<string, string> = {
  RETRY_BASE_SECONDS: '1',
  RETRY_MAX_DELAY_SECONDS: '2',
  RETRY_MAX_ATTEMPTS: '12',
  PROCESSING_LEASE_SECONDS: '4',
  D365_TIMEOUT_MS: '2000',
  D365_SETTLE_SECONDS: '2',
  DEV_HOST_QUEUE_LEASE_SECONDS: '4',
  AzureFunctionsJobHost__extensions__queues__batchSize: '16',
  AzureFunctionsJobHost__extensions__queues__newBatchThreshold: '8',
  AzureFunctionsJobHost__extensions__queues__maxPollingInterval: '00:00:00.500',
};

const JSON_TYPE = { 'Content-Type': 'application/json; charset=utf-8' };
const DEADLOCK = {
  Message:
    'An exception occured when invoking the operation - Cannot create a record in Customers (CustTable). Deadlock, where one or more users have simultaneously locked the whole table or part of it.',
  ExceptionType: 'Microsoft.Dynamics.Ax.Xpp.DeadlockException',
};

export function faultRules(p: number): object[] {
  // Shares of the transient faults; together they strike a share p of D365 calls.
  const mix: [number, object][] = [
    [0.3, { status: 503 }],
    [0.2, { status: 429, retryAfter: 1 }],
    [0.15, { reset: true }],
    [0.1, { status: 502 }],
    [0.1, { status: 504, latencyMs: 200 }],
    // The hardest case: D365 created the customer, then the answer was lost.
    [0.15, { after: true, reset: true }],
    // Issue 11's answer classes: a rolled-back deadlock (500 with an X++ Infolog), a slow commit behind
    // a gateway timeout, a 2xx without an account and a 500 without an X++ message after the commit.
    [0.1, { method: 'POST', status: 500, headers: JSON_TYPE, body: DEADLOCK }],
    [0.1, { after: true, status: 504, commitDelayMs: 500 }],
    [0.1, { after: true, status: 200, headers: JSON_TYPE, body: '' }],
    [0.1, { after: true, status: 500, headers: JSON_TYPE, body: { Message: 'An error has occurred.' } }],
  ];
  return mix.map(([share, fault]) => ({ service: 'd365', probability: share * p, ...fault }));
}

interface Submitted {
  email: string;
  correlationId?: string;
}

async function submit(
  stack: AppStack,
  body: unknown,
  key: string,
  counters: { retries: number },
): Promise<string | undefined> {
  for (let attempt = 0; attempt < 60; attempt += 1) {
    try {
      const response = await fetch(`${stack.url}/api/customers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      if (response.status === 202 || response.status === 201) {
        return (JSON.parse(text) as { correlationId: string }).correlationId;
      }
      if (response.status === 400 || response.status === 422) throw new Error(`rejected: ${text}`);
    } catch (error) {
      if ((error as Error).message.startsWith('rejected')) throw error;
      // The host is restarting, or the connection dropped: the same key makes the retry safe.
    }
    counters.retries += 1;
    await sleep(250);
  }
  return undefined;
}

export async function runAudit(options: AuditOptions): Promise<AuditReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const runId = randomBytes(3).toString('hex');
  const fixture = sampleCustomer('full');
  const stack = await startAppStack({
    storageConnectionString: options.storageConnectionString,
    settings: AUDIT_SETTINGS,
  });
  const counters = { retries: 0, restarts: 0 };
  try {
    for (const rule of faultRules(options.faultProbability))
      await stack.emulatorApi('POST', '/_emulator/faults', rule);

    const submitted: Submitted[] = Array.from({ length: options.customers }, (_, i) => ({
      email: `audit.${runId}.${i}@example.com`,
    }));
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < submitted.length; i = next++) {
        const body = { Customer: { ...fixture.Customer, EmailAddress: submitted[i]!.email } };
        submitted[i]!.correlationId = await submit(stack, body, `audit-${runId}-${i}`, counters);
        done += 1;
      }
    };
    const restarter = async (): Promise<void> => {
      for (let r = 0; r < options.restarts; r += 1) {
        // Spread the kills over the submission phase.
        while (done < ((r + 1) * submitted.length) / (options.restarts + 1)) await sleep(50);
        log(`audit: killing the host (${done}/${submitted.length} submitted)`);
        await stack.restartHost('SIGKILL');
        counters.restarts += 1;
      }
    };
    await Promise.all([...Array.from({ length: options.concurrency }, worker), restarter()]);
    const accepted = submitted.filter((s) => s.correlationId);
    log(`audit: ${accepted.length} accepted, ${counters.retries} client retries; waiting for the pipeline`);

    // Wait until every accepted request is terminal.
    const stalled = stallDetector(options.settleSeconds ?? 300);
    const statuses = new Map<string, string>();
    for (;;) {
      const pending = accepted.filter(
        (s) => !['succeeded', 'failed', 'needs_review'].includes(statuses.get(s.correlationId!) ?? ''),
      );
      if (pending.length === 0 || stalled(pending.length)) break;
      for await (const entity of stack.table.listEntities<{ status: string }>({
        queryOptions: { select: ['PartitionKey', 'status'] },
      })) {
        statuses.set(entity.partitionKey!, entity.status);
      }
      await sleep(500);
    }

    const rules = await stack.emulatorApi<{ value: { applied?: number }[] }>('GET', '/_emulator/faults');
    await stack.emulatorApi('DELETE', '/_emulator/faults');
    const customers = await stack.customers();
    const byEmail = new Map<string, string[]>();
    for (const c of customers) {
      const email = String(c.fields.PrimaryContactEmail ?? '');
      byEmail.set(email, [...(byEmail.get(email) ?? []), c.account]);
    }
    const succeededIds = new Set<string>();
    const report: AuditReport = {
      customers: options.customers,
      accepted: accepted.length,
      succeeded: 0,
      failed: 0,
      needsReview: 0,
      lost: 0,
      duplicated: 0,
      missing: 0,
      orphans: 0,
      clientRetries: counters.retries,
      hostRestarts: counters.restarts,
      faultsApplied: rules.value.reduce((sum, rule) => sum + (rule.applied ?? 0), 0),
      seconds: 0,
    };
    for (const s of accepted) {
      const status = statuses.get(s.correlationId!);
      const accounts = byEmail.get(s.email) ?? [];
      if (status === 'succeeded') {
        report.succeeded += 1;
        succeededIds.add(s.email);
        const answer = (await (
          await fetch(`${stack.url}/api/customers/status/${s.correlationId}`)
        ).json()) as {
          customerAccount?: string;
        };
        if (accounts.length === 0 || !accounts.includes(answer.customerAccount ?? '')) report.missing += 1;
        report.duplicated += Math.max(0, accounts.length - 1);
      } else if (status === 'needs_review') {
        report.needsReview += 1;
        report.duplicated += Math.max(0, accounts.length - 1);
      } else if (status === 'failed') {
        report.failed += 1;
        report.orphans += accounts.length;
      } else {
        report.lost += 1;
      }
    }
    for (const [email, accounts] of byEmail) {
      if (!submitted.some((s) => s.email === email)) report.orphans += accounts.length;
      else if (!accepted.some((s) => s.email === email)) report.orphans += accounts.length;
    }
    report.seconds = Math.round((Date.now() - started) / 100) / 10;
    return report;
  } finally {
    await stack.stop();
  }
}

/**
 * `npm run soak`: a larger audit from the command line, e.g. `--customers 5000 --restarts 10`, then
 * the address phase (`--addresses 300`: customers with six addresses on the CustomersV3 target);
 * `npm run soak -- --fleet` runs the fleet audit instead (3 hosts, 5,000 customers, 10 kills).
 */
async function main(): Promise<void> {
  const arg = (name: string, fallback: number): number => numberArg(process.argv, name, fallback);
  if (process.argv.includes('--fleet')) process.exit((await fleetSoak(process.argv)) ? 0 : 1);
  const report = await runAudit({
    customers: arg('customers', 5000),
    concurrency: arg('concurrency', 32),
    faultProbability: arg('faults', 0.2),
    restarts: arg('restarts', 10),
    settleSeconds: arg('settle', 600),
    log: (line) => console.log(line),
  });
  console.table(report);
  const ok = report.lost === 0 && report.duplicated === 0 && report.missing === 0 && report.orphans === 0;
  console.log(ok ? 'audit: 0 lost, 0 duplicated' : 'audit: FAILED');
  // The address phase (CustomersV3 target, further addresses through CustomerPostalAddresses).
  const addresses = await runAddressAudit({
    customers: arg('addresses', 300),
    concurrency: 16,
    faultProbability: arg('faults', 0.2),
    restarts: 2,
    settleSeconds: arg('settle', 600),
    log: (line) => console.log(line),
  });
  console.table(addresses);
  const addressesOk = addresses.duplicated === 0 && addresses.missing === 0 && addresses.notSucceeded === 0;
  console.log(addressesOk ? 'address audit: 0 duplicated, 0 missing' : 'address audit: FAILED');
  process.exit(ok && addressesOk ? 0 : 1);
}

if (require.main === module) void main();
