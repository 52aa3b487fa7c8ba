// The fleet audit's update phase (issue 17): customers updated concurrently on every host, out of
// order and under faults, some changed in D365 meanwhile; then D365's state and history are checked.
import { randomBytes } from 'node:crypto';
import {
  AuditedCustomer,
  auditUpdates,
  CustomerUpdates,
  SentUpdates,
  UpdateAuditReport,
} from '@d365-customer-sync/d365-emulator';
import { sampleCustomer } from '../../test/fixtures/sample-customers';
import type { FleetStack } from './fleet-stack';
import { stallDetector } from './settle';

export interface UpdatePhaseOptions {
  customers: number;
  /** Versioned updates per customer (Customer-Version 1…N), sent shuffled to random hosts. */
  updatesPerCustomer: number;
  /** Customers whose phone an operator changes in D365 before the updates (they must be flagged). */
  conflicts: number;
  /** Share of D365 reads and PATCHes that fail (before or after D365 applied them). */
  faultProbability: number;
  /** Requests in flight at once. */
  concurrency: number;
  settleSeconds: number;
  log?: (line: string) => void;
}

export interface UpdatePhaseReport {
  customers: number;
  updatesSent: number;
  accepted: number;
  /** Accepted updates not ended when the phase ended. */
  lost: number;
  /**
   * D365's state and update history against the versions sent (the emulator's `auditUpdates`): a
   * field not ending with its last version (`lost`), a version applied after a newer one
   * (`outOfOrder`) or twice (`duplicates`), values no version gave (`unmatched`), a PATCH written
   * over the operator's change in D365 (`overwritten`; policy review: must be 0).
   */
  audit: Omit<UpdateAuditReport, 'findings'>;
  outcomes: Record<string, number>;
  faultsApplied: number;
  seconds: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What can go wrong around an update: D365 reads throttled, PATCHes failing before or after they were applied. */
export function updateFaultRules(p: number): object[] {
  const mix: [number, object][] = [
    [0.2, { method: 'GET', status: 429, retryAfter: 1 }],
    [0.2, { method: 'PATCH', status: 503 }],
    [0.1, { method: 'PATCH', reset: true }],
    // Applied in D365, the answer lost: the next attempt must recognise its own PATCH.
    [0.25, { method: 'PATCH', after: true, status: 504 }],
    [0.25, { method: 'PATCH', after: true, reset: true }],
  ];
  return mix.map(([share, fault]) => ({
    service: 'd365',
    path: 'CustomersV3(',
    probability: share * p,
    ...fault,
  }));
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

const phone = (customer: number, version: number) =>
  `+1425${200 + (customer % 800)}${String(version).padStart(4, '0')}`; // a valid NANP exchange (issue 32)

export async function runUpdatePhase(
  fleet: FleetStack,
  options: UpdatePhaseOptions,
): Promise<UpdatePhaseReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const runId = randomBytes(3).toString('hex');
  const base = sampleCustomer('full');
  const send = async (
    host: number,
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(`${fleet.url(host + attempt)}${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
        const json = (await response.json()) as Record<string, unknown>;
        if (response.status < 500 || attempt >= 5) return { status: response.status, json };
      } catch (error) {
        if (attempt >= 5) throw error;
      }
      await sleep(500);
    }
  };
  await fleet.emulatorApi('DELETE', '/_emulator/faults');

  // The customers, created with a reference each and waited for.
  const accounts: string[] = [];
  await pool([...Array(options.customers).keys()], options.concurrency, async (i) => {
    const body = { Customer: { ...base.Customer, EmailAddress: `upd.${runId}.${i}@example.com` } };
    const answer = await send(i, 'POST', '/api/customers', body, {
      'customer-reference': `audit-${runId}-${i}`,
      'idempotency-key': `audit-${runId}-create-${i}`,
      prefer: 'wait=30',
    });
    if (answer.status !== 201) throw new Error(`update phase: create ${i} answered ${answer.status}`);
    accounts[i] = String(answer.json.customerAccount);
  });
  log(`update phase: ${accounts.length} customers created`);

  // Operators change the phone of the first `conflicts` customers in D365.
  const operatorPhone = (i: number) => `+1999${String(i).padStart(7, '0')}`;
  for (let i = 0; i < options.conflicts; i++)
    await fleet.emulatorApi('PATCH', `/_emulator/customers/USRT/${accounts[i]}`, {
      PrimaryContactPhone: operatorPhone(i),
    });
  const stats = async () =>
    (await fleet.emulatorApi<{ faultsApplied: number }>('GET', '/_emulator/stats')).faultsApplied;
  const faultsBefore = await stats();
  for (const rule of updateFaultRules(options.faultProbability))
    await fleet.emulatorApi('POST', '/_emulator/faults', rule);

  // Every customer's versions, shuffled together, each to a random host.
  const updates = accounts.flatMap((_, i) =>
    Array.from({ length: options.updatesPerCustomer }, (_, v) => ({ customer: i, version: v + 1 })),
  );
  for (let i = updates.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [updates[i], updates[j]] = [updates[j]!, updates[i]!];
  }
  const ids: string[] = [];
  await pool(updates, options.concurrency, async ({ customer, version }) => {
    const answer = await send(
      Math.floor(Math.random() * fleet.size),
      'PATCH',
      `/api/customers/references/audit-${runId}-${customer}`,
      { Customer: { ContactNumber: phone(customer, version), LastName: `V${version}` } },
      {
        'content-type': 'application/merge-patch+json',
        'customer-version': String(version),
        'idempotency-key': `audit-${runId}-${customer}-${version}`,
      },
    );
    if (answer.status === 202 && typeof answer.json.correlationId === 'string')
      ids.push(answer.json.correlationId);
  });
  log(`update phase: ${ids.length} of ${updates.length} updates accepted`);

  // Wait for every accepted update to end (or none to end for settleSeconds).
  const outcomes: Record<string, number> = {};
  const pending = new Set(ids);
  const stalled = stallDetector(options.settleSeconds);
  while (pending.size > 0 && !stalled(pending.size)) {
    for (const id of [...pending]) {
      const record = await fleet.table.getEntity<Record<string, unknown>>(id, '').catch(() => undefined);
      const status = String(record?.status ?? '');
      if (status === 'succeeded' || status === 'failed' || status === 'needs_review') {
        pending.delete(id);
        const key =
          status === 'succeeded' ? String(record!.outcome) : `${status}:${String(record!.errorCode)}`;
        outcomes[key] = (outcomes[key] ?? 0) + 1;
      }
    }
    if (pending.size > 0) await sleep(500);
  }
  await fleet.emulatorApi('DELETE', '/_emulator/faults');

  // What D365 should end with: every version's phone and last name, oldest first. An operator changed
  // the phone of the first `conflicts` customers, so their updates must all be flagged (policy
  // review), none applied: only the phone is expected of them, and any PATCH would be `unmatched`.
  const last = options.updatesPerCustomer;
  const audited: AuditedCustomer[] = [];
  const sent: SentUpdates[] = [];
  for (const [i, account] of accounts.entries()) {
    const customer = await fleet.emulatorApi<{ fields: Record<string, unknown>; updates: CustomerUpdates }>(
      'GET',
      `/_emulator/customers/USRT/${account}`,
    );
    audited.push({ legalEntity: 'USRT', account, fields: customer.fields, updates: customer.updates });
    sent.push({
      legalEntity: 'USRT',
      account,
      updates: Array.from({ length: last }, (_, v) => ({
        PrimaryContactPhone: phone(i, v + 1),
        ...(i >= options.conflicts && { PersonLastName: `V${v + 1}` }),
      })),
    });
  }
  const { findings, ...audit } = auditUpdates(audited, sent);
  for (const f of findings.slice(0, 10))
    log(`update phase: ${f.problem} ${f.account} (${f.fields.join(', ')})`);
  return {
    customers: accounts.length,
    updatesSent: updates.length,
    accepted: ids.length,
    lost: pending.size,
    audit,
    outcomes,
    faultsApplied: (await stats()) - faultsBefore,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}

export const updatePhasePassed = (r: UpdatePhaseReport): boolean =>
  r.lost === 0 &&
  r.accepted === r.updatesSent &&
  Object.entries(r.audit).every(([key, count]) => key === 'customers' || count === 0);
