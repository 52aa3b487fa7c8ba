// The update worker's unit-test app: D365's update port, links and storage in memory (shared/use-cases/worker/update.test.ts).
import { memoryStatusStore } from './memory-status-store';
import { memoryIdentityClaims } from './memory-identity-claims';
import { memoryCustomerLinks } from './memory-customer-links';
import { sampleCustomer } from '../fixtures/sample-customers';
import { d365Gate } from '../../shared/adapters/d365/d365-gate';
import { mapToCustomersV3 } from '../../shared/adapters/d365/d365-payload';
import {
  addressListFromCustomersV3,
  ANONYMISED_FIELDS,
  anonymiseCustomersV3,
  customersV3FieldsOf,
} from '../../shared/adapters/d365/d365-entity-fields';
import { transient } from '../../shared/domain/failure';
import { QueueMessage } from '../../shared/domain/queue-message';
import {
  CustomerQueue,
  D365CustomerUpdates,
  D365PatchResult,
  silentLog,
  noopTelemetry,
} from '../../shared/ports';
import { acceptCustomer } from '../../shared/use-cases/accept-customer';
import { acceptUpdate } from '../../shared/use-cases/accept-update';
import { UpdateDeps } from '../../shared/use-cases/worker/deps';
import { processQueuedRequest } from '../../shared/use-cases/worker/dispatch';
import type { ConflictPolicy } from '../../shared/domain/customer-update';
import { POS_CALLER } from './callers';
import { testKeyCorrelation } from './correlation-key';

/** D365's customers as the update port sees them: an ETag that changes with every write. */
export function memoryD365() {
  const customers = new Map<string, { etag: string; fields: Record<string, unknown> }>();
  let version = 0;
  const patches: { account: string; changes: Record<string, unknown>; ifMatch: string }[] = [];
  const reads: string[] = [];
  let failNextAfterApplying = false;
  const port: D365CustomerUpdates = {
    async getCustomer(_le, account) {
      reads.push(account);
      const c = customers.get(account);
      return c && { etag: c.etag, fields: { ...c.fields } };
    },
    async patchCustomer(_le, account, changes, { etag }): Promise<D365PatchResult> {
      const c = customers.get(account);
      if (!c) return { kind: 'not_found' };
      if (etag !== '*' && etag !== c.etag) return { kind: 'conflict' };
      patches.push({ account, changes, ifMatch: etag });
      Object.assign(c.fields, changes);
      c.etag = `W/"${++version}"`;
      if (failNextAfterApplying) {
        failNextAfterApplying = false;
        throw transient('D365 timed out', { uncertain: true });
      }
      return { kind: 'applied', etag: c.etag };
    },
  };
  return {
    port,
    customers,
    patches,
    reads,
    add: (account: string, fields: Record<string, unknown>) =>
      customers.set(account, { etag: `W/"${++version}"`, fields: { ...fields } }),
    /** Someone changes the customer in D365. */
    change: (account: string, fields: Record<string, unknown>) => {
      const c = customers.get(account)!;
      Object.assign(c.fields, fields);
      c.etag = `W/"${++version}"`;
    },
    failAfterApplying: () => (failNextAfterApplying = true),
  };
}

export function updateSetup(policy: ConflictPolicy = 'review') {
  const statusStore = memoryStatusStore();
  const links = memoryCustomerLinks();
  const d365 = memoryD365();
  const sent: QueueMessage[] = [];
  const queue: CustomerQueue = { send: async (message) => void sent.push(message) };
  let n = 0;
  const deps: UpdateDeps = {
    statusStore,
    queue,
    poisonQueue: { send: async () => {} },
    telemetry: noopTelemetry,
    log: silentLog,
    d365: {
      createCustomer: async (request) => {
        const account = `US-${String(++n).padStart(6, '0')}`;
        d365.add(account, mapToCustomersV3(request).body as unknown as Record<string, unknown>);
        return { customerAccount: account };
      },
      findCustomersByEmail: async () => [],
      findCustomersByNameAndPhone: async () => [],
    },
    gate: d365Gate(4),
    target: 'odata',
    defaultCustomerGroup: '30',
    ...testKeyCorrelation(),
    duplicatePolicy: 'create',
    retry: { baseSeconds: 0, maxDelaySeconds: 1, maxAttempts: 5, maxTotalSeconds: 3600 },
    leaseSeconds: 60,
    callTimeoutMs: 30_000,
    identityClaims: memoryIdentityClaims(),
    maxInlineWaitMs: 5_000,
    settleSeconds: 0,
    links,
    d365Updates: d365.port,
    toD365Fields: (request) => ({ ...mapToCustomersV3(request).body }),
    entityFields: {
      fieldsOf: customersV3FieldsOf,
      addressList: addressListFromCustomersV3,
      anonymise: anonymiseCustomersV3,
      anonymisedFields: ANONYMISED_FIELDS,
    },
    conflictPolicy: policy,
  };
  const origin = { source: 'pos', sourceCustomerId: 'C-1' };
  const ref = { kind: 'reference' as const, source: 'pos', sourceCustomerId: 'C-1' };
  return {
    deps,
    d365,
    links,
    statusStore,
    sent,
    ref,
    /** Accepts the sample as a create with reference C-1 from source `pos`; returns its message. */
    async acceptCreate() {
      const result = await acceptCustomer(sampleCustomer('full'), deps, { origin });
      expect(result.kind).toBe('accepted');
      return sent.at(-1)!;
    },
    async acceptUpdate(customer: Record<string, unknown>, version?: number) {
      const result = await acceptUpdate(
        {
          caller: POS_CALLER,
          target: { kind: 'reference', reference: ref.sourceCustomerId },
          patch: { Customer: customer },
          ...(version !== undefined && { order: { kind: 'version' as const, value: version } }),
        },
        { ...deps, links },
      );
      expect(result.kind).toBe('accepted');
      return sent.at(-1)!;
    },
    process: (message: QueueMessage) => processQueuedRequest(message, deps),
    record: (id: string) => statusStore.records.get(id)!,
  };
}

export async function createdForUpdate(app: ReturnType<typeof updateSetup>) {
  const message = await app.acceptCreate();
  await expect(processQueuedRequest(message, app.deps)).resolves.toMatchObject({ kind: 'succeeded' });
  return message;
}
