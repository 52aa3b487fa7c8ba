import { memoryStatusStore } from '../../test/support/memory-status-store';
import { memoryCustomerLinks } from '../../test/support/memory-customer-links';
import { sampleCustomer } from '../../test/fixtures/sample-customers';
import { testCaller } from '../../test/support/callers';
import { QueueMessage } from '../domain/queue-message';
import { CustomerLink, CustomerQueue, noopTelemetry, silentLog } from '../ports';
import { acceptCustomer, AcceptDeps } from './accept-customer';
import { acceptUpdate } from './accept-update';
import { verifyLink } from './verify-link';
import { testKeyCorrelation } from '../../test/support/correlation-key';

/**
 * The use-cases asking the ownership policy (domain/ownership.ts): what they store and queue for
 * each answer. The cross-caller matrix (test/security/ownership-matrix-*.test.ts) runs the same
 * rules through the real hosts.
 */
const shopA = testCaller('shop-a', ['create', 'read']);
const shopB = testCaller('shop-b', ['create', 'read']);
const pos = testCaller('pos');

function setup(now = new Date('2026-06-01T00:00:00.000Z')) {
  const statusStore = memoryStatusStore();
  const links = memoryCustomerLinks();
  const sent: QueueMessage[] = [];
  const queue: CustomerQueue = { send: async (message) => void sent.push(message) };
  const deps: AcceptDeps & { links: typeof links } = {
    statusStore,
    queue,
    telemetry: noopTelemetry,
    log: silentLog,
    target: 'odata',
    defaultCustomerGroup: '30',
    ...testKeyCorrelation(),
    links,
    now: () => now,
  };
  /** A linked customer of `source` (its create done), with `changes` on the link. */
  async function linked(
    source: string,
    reference: string,
    account: string,
    changes: Partial<CustomerLink> = {},
  ) {
    await links.complete(
      {
        source,
        sourceCustomerId: reference,
        legalEntity: 'USRT',
        customerAccount: account,
        createCorrelationId: `00000000-0000-4000-8000-${account.replace(/\D/g, '').padStart(12, '0')}`,
        createdAt: now.toISOString(),
        fieldStamps: '{}',
        ...changes,
      },
      now.toISOString(),
    );
  }
  return { deps, statusStore, links, sent, linked };
}

const patch = { Customer: { ContactNumber: '+14255550100' } };

describe('updates under the ownership policy', () => {
  it('refuses an update by account without the role before reading anything; the role holder gets it', async () => {
    const app = setup();
    await app.linked('shop-a', 'A-1', 'US-000001');
    const byAccount = { kind: 'account' as const, legalEntity: 'USRT', customerAccount: 'US-000001' };
    let reads = 0;
    const get = app.links.get.bind(app.links);
    app.links.get = async (key) => (reads++, get(key));
    await expect(acceptUpdate({ caller: shopB, target: byAccount, patch }, app.deps)).resolves.toEqual({
      kind: 'forbidden',
    });
    await expect(
      acceptUpdate(
        { caller: shopA, target: { ...byAccount, customerAccount: 'US-999999' }, patch: {} },
        app.deps,
      ),
    ).resolves.toEqual({ kind: 'forbidden' });
    expect(reads).toBe(0);
    expect(app.sent).toHaveLength(0);

    const allowed = await acceptUpdate({ caller: pos, target: byAccount, patch }, app.deps);
    expect(allowed).toMatchObject({
      kind: 'accepted',
      record: { kind: 'update', customerAccount: 'US-000001' },
    });
    // The record (status answer, callback) does not name the shop whose link it is.
    const record = (allowed as unknown as { record: Record<string, unknown> }).record;
    expect(record.source).toBeUndefined();
    expect(record.sourceCustomerId).toBeUndefined();
    expect(record.caller).toBe('pos');
  });

  it("finds a reference only in the caller's own namespace", async () => {
    const app = setup();
    await app.linked('shop-a', 'SAME-1', 'US-000001');
    await app.linked('shop-b', 'SAME-1', 'US-000002');
    const target = { kind: 'reference' as const, reference: 'SAME-1' };
    const a = await acceptUpdate({ caller: shopA, target, patch }, app.deps);
    const b = await acceptUpdate({ caller: shopB, target, patch }, app.deps);
    expect(a).toMatchObject({ record: { customerAccount: 'US-000001', source: 'shop-a' } });
    expect(b).toMatchObject({ record: { customerAccount: 'US-000002', source: 'shop-b' } });
    await expect(acceptUpdate({ caller: pos, target, patch }, app.deps)).resolves.toEqual({
      kind: 'not-found',
    });
  });

  it('grants no changes through a pending link; its own source verifying the identity confirms it first', async () => {
    const app = setup();
    await app.linked('shop-b', 'B-1', 'US-000001', { verification: 'pending' });
    const target = { kind: 'reference' as const, reference: 'B-1' };
    await expect(acceptUpdate({ caller: shopB, target, patch }, app.deps)).resolves.toEqual({
      kind: 'unverified',
    });
    expect(app.sent).toHaveLength(0);
    const confirmed = await acceptUpdate({ caller: shopB, target, patch, verifiedBySource: true }, app.deps);
    expect(confirmed.kind).toBe('accepted');
    expect(
      await app.links.get({ kind: 'reference', source: 'shop-b', sourceCustomerId: 'B-1' }),
    ).toMatchObject({
      verification: 'verified',
    });
  });

  it('lets an operator verify a pending link, and shows the account of the create that made it', async () => {
    const app = setup();
    await app.statusStore.create({
      correlationId: '00000000-0000-4000-8000-000000000001',
      status: 'succeeded',
      legalEntity: 'USRT',
      target: 'odata',
      attempts: 1,
      createdAt: '2026-06-01T00:00:00.000Z',
      updatedAt: '2026-06-01T00:00:00.000Z',
      customerAccount: 'US-000001',
      outcome: 'linked',
      identity: 'unverified',
    });
    await app.linked('shop-b', 'B-1', 'US-000001', { verification: 'pending' });
    const key = { kind: 'reference' as const, source: 'shop-b', sourceCustomerId: 'B-1' };
    await expect(verifyLink(key, { ...app.deps, links: app.links })).resolves.toMatchObject({
      kind: 'verified',
      link: { verification: 'verified' },
    });
    expect(app.statusStore.records.get('00000000-0000-4000-8000-000000000001')?.identity).toBe('verified');
    await expect(
      verifyLink({ ...key, sourceCustomerId: 'nobody' }, { ...app.deps, links: app.links }),
    ).resolves.toEqual({ kind: 'not-found' });
  });

  it('bounds versions: far ahead of the clock, or of the newest one, is refused and nothing queued', async () => {
    const now = new Date('2026-06-01T00:00:00.000Z');
    const app = setup(now);
    const stamps = { ContactNumber: { kind: 'version', value: 17, arrivedAt: now.getTime() - 60_000 } };
    await app.linked('shop-a', 'A-1', 'US-000001', { fieldStamps: JSON.stringify(stamps) });
    const target = { kind: 'reference' as const, reference: 'A-1' };
    const update = (value: number) =>
      acceptUpdate({ caller: shopA, target, patch, order: { kind: 'version', value } }, app.deps);
    await expect(update(Number.MAX_SAFE_INTEGER)).resolves.toMatchObject({ kind: 'invalid-version' });
    await expect(update(now.getTime() + 86_400_001)).resolves.toMatchObject({ kind: 'invalid-version' });
    await expect(update(17 + 1_000_000_001)).resolves.toMatchObject({ kind: 'invalid-version' });
    expect(app.sent).toHaveLength(0);
    await expect(update(18)).resolves.toMatchObject({ kind: 'accepted' });
    await expect(update(17 + 1_000_000_000)).resolves.toMatchObject({ kind: 'accepted' });
  });
});

describe('a Customer-Reference names one customer in its caller’s namespace', () => {
  const origin = { source: 'shop-a', sourceCustomerId: 'A-7', exclusive: true };

  it('refuses a create whose reference another request holds, running or linked, and stores nothing', async () => {
    const app = setup();
    const first = await acceptCustomer(sampleCustomer('full'), app.deps, { origin });
    expect(first.kind).toBe('accepted');
    const firstId = (first as { record: { correlationId: string } }).record.correlationId;
    const records = app.statusStore.records.size;
    await expect(acceptCustomer(sampleCustomer('full'), app.deps, { origin })).resolves.toEqual({
      kind: 'reference-in-use',
      correlationId: firstId,
    });
    expect(app.statusStore.records.size).toBe(records);
    expect(app.sent).toHaveLength(1);
    // Another caller's equal reference is another customer.
    const other = await acceptCustomer(sampleCustomer('full'), app.deps, {
      origin: { ...origin, source: 'shop-b' },
    });
    expect(other.kind).toBe('accepted');
  });

  it('replays a repeat of the same request (its Idempotency-Key), and frees the reference of a failed create', async () => {
    const app = setup();
    const options = { origin, idempotencyKey: 'k-1', caller: 'shop-a' };
    const first = await acceptCustomer(sampleCustomer('full'), app.deps, options);
    await expect(acceptCustomer(sampleCustomer('full'), app.deps, options)).resolves.toMatchObject({
      kind: 'accepted',
      replayed: true,
    });
    const record = (first as { record: { correlationId: string } }).record;
    const stored = app.statusStore.records.get(record.correlationId)!;
    await app.statusStore.update(stored, { status: 'failed', errorCode: 'business_error' });
    await expect(acceptCustomer(sampleCustomer('full'), app.deps, { origin })).resolves.toMatchObject({
      kind: 'accepted',
      replayed: false,
    });
  });
});
