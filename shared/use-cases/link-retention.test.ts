import { memoryStatusStore } from '../../test/support/memory-status-store';
import { memoryIdentityClaims } from '../../test/support/memory-identity-claims';
import { memoryCustomerLinks } from '../../test/support/memory-customer-links';
import { sampleCustomer } from '../../test/fixtures/sample-customers';
import { d365Gate } from '../adapters/d365/d365-gate';
import { QueueMessage } from '../domain/queue-message';
import { CustomerQueue, noopTelemetry, silentLog } from '../ports';
import { acceptCustomer } from './accept-customer';
import { acceptUpdate } from './accept-update';
import { processQueuedRequest } from './worker/dispatch';
import { purgeExpiredLinks } from './retention';
import { POS_CALLER } from '../../test/support/callers';
import { testKeyCorrelation } from '../../test/support/correlation-key';

// What a customer's purged link means for its callers (README "Customer updates"): its updates
// are unknown-customer, and its next create under DUPLICATE_POLICY=link links it again.
describe('a customer whose link was purged', () => {
  it('is 404 for updates until a create links it again (DUPLICATE_POLICY=link)', async () => {
    let clock = new Date('2025-01-01T00:00:00.000Z');
    const now = () => clock;
    const links = memoryCustomerLinks({ now });
    const statusStore = memoryStatusStore();
    const sent: QueueMessage[] = [];
    const queue: CustomerQueue = { send: async (message) => void sent.push(message) };
    const inD365: string[] = []; // one entry per customer D365 holds (US-000001, …); all share the e-mail
    const deps = {
      statusStore,
      queue,
      poisonQueue: { send: async () => {} },
      telemetry: noopTelemetry,
      log: silentLog,
      now,
      d365: {
        createCustomer: async () => {
          inD365.push('customer');
          return { customerAccount: `US-00000${inD365.length}` };
        },
        findCustomersByEmail: async () => inD365.map((_, i) => `US-00000${i + 1}`),
        findCustomersByNameAndPhone: async () => [],
      },
      gate: d365Gate(4),
      target: 'odata' as const,
      defaultCustomerGroup: '30',
      ...testKeyCorrelation(),
      duplicatePolicy: 'link' as const,
      retry: { baseSeconds: 0, maxDelaySeconds: 1, maxAttempts: 5, maxTotalSeconds: 3600 },
      leaseSeconds: 60,
      callTimeoutMs: 30_000,
      identityClaims: memoryIdentityClaims(),
      maxInlineWaitMs: 5_000,
      settleSeconds: 0,
      links,
    };
    const origin = { source: 'pos', sourceCustomerId: 'C-1' };
    const key = { kind: 'reference' as const, source: 'pos', sourceCustomerId: 'C-1' };
    const create = async () => {
      expect((await acceptCustomer(sampleCustomer('full'), deps, { origin })).kind).toBe('accepted');
      return processQueuedRequest(sent.at(-1)!, deps);
    };
    const update = () =>
      acceptUpdate(
        {
          caller: POS_CALLER,
          target: { kind: 'reference', reference: key.sourceCustomerId },
          patch: { Customer: { ContactNumber: '+14255550100' } },
        },
        deps,
      );

    await expect(create()).resolves.toMatchObject({ kind: 'succeeded', customerAccount: 'US-000001' });
    clock = new Date('2026-02-01T00:00:00.000Z');
    await expect(purgeExpiredLinks({ links, log: silentLog, retentionDays: 365, now })).resolves.toBe(1);

    const queuedBefore = sent.length;
    await expect(update()).resolves.toEqual({ kind: 'not-found' });
    await expect(
      acceptUpdate(
        {
          caller: POS_CALLER,
          target: { kind: 'account', legalEntity: 'USRT', customerAccount: 'US-000001' },
          patch: { Customer: { ContactNumber: '+14255550100' } },
        },
        deps,
      ),
    ).resolves.toEqual({ kind: 'not-found' });
    expect(sent).toHaveLength(queuedBefore);

    await expect(create()).resolves.toMatchObject({
      kind: 'succeeded',
      customerAccount: 'US-000001',
      outcome: 'linked',
    });
    expect(inD365).toHaveLength(1); // found, not created again
    expect(
      await links.get({ kind: 'account', legalEntity: 'USRT', customerAccount: 'US-000001' }),
    ).toMatchObject({
      sourceCustomerId: 'C-1',
    });
    await expect(update()).resolves.toMatchObject({ kind: 'accepted' });
  });
});
