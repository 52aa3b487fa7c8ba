import { memoryStatusStore } from '../../test/support/memory-status-store';
import { sampleCustomer } from '../../test/fixtures/sample-customers';
import { fixedCorrelationKey } from '../../test/support/correlation-key';
import { keyedCorrelationId, legacyCorrelationId } from '../domain/correlation-id';
import { QueueMessage } from '../domain/queue-message';
import { CorrelationKeyError, CustomerQueue, LogFields, noopTelemetry, StatusStore } from '../ports';
import { acceptCustomer, AcceptDeps } from './accept-customer';
import { acceptWebhook } from './accept-webhook';

/**
 * Keyed correlation IDs (issue 24) in the intake: the ID of an Idempotency-Key is the HMAC under
 * the fleet's key; a request of the same key accepted before the change (under its legacy,
 * unkeyed ID) is found first, for RECORD_RETENTION_DAYS after the key was created.
 */
const secret = Buffer.from('the fleet correlation key, 32+ chars', 'utf8');
const keyCreated = new Date('2026-12-01T00:00:00.000Z');
const ROUTE = 'POST /api/customers';

/** Counts every status-store call, by method (the cost is storage calls, not time). */
function countingStore() {
  const store = memoryStatusStore();
  const calls: { method: string; id?: string }[] = [];
  const counted = { ...store } as StatusStore & { records: typeof store.records };
  for (const method of ['create', 'get', 'update', 'delete'] as const) {
    const original = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
    (counted as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const first = args[0];
      calls.push({
        method,
        id: typeof first === 'string' ? first : (first as { correlationId?: string }).correlationId,
      });
      return original(...args);
    };
  }
  return { store: counted, calls };
}

function setup(now: Date, key = fixedCorrelationKey({ secret, createdAt: keyCreated })) {
  const { store, calls } = countingStore();
  const sent: QueueMessage[] = [];
  const queue: CustomerQueue = { send: async (message) => void sent.push(message) };
  const errors: { event: string; fields?: LogFields }[] = [];
  const deps: AcceptDeps = {
    statusStore: store,
    queue,
    telemetry: noopTelemetry,
    log: { info() {}, warn() {}, error: (event, fields) => void errors.push({ event, fields }) },
    target: 'custom-service',
    defaultCustomerGroup: '30',
    correlationKey: key,
    retentionDays: 30,
    now: () => now,
  };
  /** Moves a record to the ID its key had before the change, as if accepted then. */
  const makeLegacy = (keyedId: string, legacyId: string): void => {
    const record = store.records.get(keyedId)!;
    store.records.delete(keyedId);
    store.records.set(legacyId, { ...record, correlationId: legacyId });
  };
  return { deps, store, calls, sent, errors, key, makeLegacy };
}

const body = sampleCustomer('full');
const options = { idempotencyKey: 'order-1001', caller: 'pos-1' };
const scope = { caller: 'pos-1', route: ROUTE, key: 'order-1001' };
const inWindow = new Date('2026-12-07T12:00:00.000Z');
const afterWindow = new Date('2026-12-31T00:00:00.000Z');

describe('keyed correlation IDs in the intake', () => {
  it('stores a keyed request under the HMAC of caller, route and key, never the unkeyed hash', async () => {
    const app = setup(inWindow);
    const result = await acceptCustomer(body, app.deps, options);
    expect(result).toMatchObject({ kind: 'accepted', replayed: false });
    const id = (result as { record: { correlationId: string } }).record.correlationId;
    expect(id).toBe(keyedCorrelationId(secret, scope));
    expect(id).not.toBe(legacyCorrelationId(scope));
    // Another caller's same key is another request.
    const other = await acceptCustomer(body, app.deps, { ...options, caller: 'pos-2' });
    expect((other as { record: { correlationId: string } }).record.correlationId).not.toBe(id);
    expect(app.sent).toHaveLength(2);
  });

  it('finds a request accepted before the change under its legacy ID: a retry replays it, nothing new', async () => {
    const app = setup(inWindow);
    const first = await acceptCustomer(body, app.deps, options);
    const keyedId = (first as { record: { correlationId: string } }).record.correlationId;
    app.makeLegacy(keyedId, legacyCorrelationId(scope));
    app.sent.length = 0;

    const retry = await acceptCustomer(body, app.deps, options);
    expect(retry).toMatchObject({
      kind: 'accepted',
      replayed: true,
      record: { correlationId: legacyCorrelationId(scope) },
    });
    expect(app.store.records.has(keyedId)).toBe(false);
    expect(app.sent).toHaveLength(0);
    // The same key with another body is still refused against the legacy request.
    const changed = { ...body, Customer: { ...body.Customer, FirstName: 'Other' } };
    await expect(acceptCustomer(changed, app.deps, options)).resolves.toEqual({ kind: 'key-reused' });
  });

  it('costs one status-table point read per keyed request during RECORD_RETENTION_DAYS after the key was created, none after', async () => {
    const during = setup(inWindow);
    await acceptCustomer(body, during.deps, options);
    const after = setup(afterWindow);
    await acceptCustomer(body, after.deps, options);

    const legacyReads = (calls: { method: string; id?: string }[]) =>
      calls.filter((c) => c.method === 'get' && c.id === legacyCorrelationId(scope)).length;
    expect(legacyReads(during.calls)).toBe(1);
    expect(legacyReads(after.calls)).toBe(0);
    // Nothing else differs: the same calls besides that one read.
    expect(during.calls.length).toBe(after.calls.length + 1);
    // A request without a key reads nothing for it, in the window too.
    const unkeyed = setup(inWindow);
    await acceptCustomer(body, unkeyed.deps, { caller: 'pos-1' });
    expect(unkeyed.calls.map((c) => c.method)).toEqual(['create']);
    expect(unkeyed.key.reads).toBe(0);
  });

  it('after the window a record under the legacy ID is not looked for (retention deleted them all)', async () => {
    const app = setup(afterWindow);
    const first = await acceptCustomer(body, app.deps, options);
    const keyedId = (first as { record: { correlationId: string } }).record.correlationId;
    expect(app.calls.some((c) => c.id === legacyCorrelationId(scope))).toBe(false);
    expect(keyedId).toBe(keyedCorrelationId(secret, scope));
  });

  it('answers unavailable, storing and queueing nothing, while the key cannot be read', async () => {
    const app = setup(inWindow, {
      reads: 0,
      get: async () => {
        throw new CorrelationKeyError(
          'correlation-id-key',
          'forbidden',
          "the app's identity may not read it (403)",
        );
      },
    } as ReturnType<typeof fixedCorrelationKey>);
    await expect(acceptCustomer(body, app.deps, options)).resolves.toEqual({ kind: 'unavailable' });
    expect(app.calls).toEqual([]);
    expect(app.sent).toHaveLength(0);
    expect(app.errors).toEqual([
      {
        event: 'intake.key_id_failed',
        fields: {
          reason: expect.stringContaining("'correlation-id-key' (CORRELATION_KEY_SECRET_NAME) is forbidden"),
        },
      },
    ]);
  });

  it('finds a webhook event delivered before the change: its redelivery is a replay', async () => {
    const app = setup(inWindow);
    const delivery = {
      source: 'shop-1',
      sourceKind: 'standard' as const,
      topic: 'customer.created',
      eventKey: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      identity: 'unverified' as const,
    };
    const first = await acceptWebhook(delivery, { kind: 'customer', body }, app.deps);
    const webhookScope = { caller: 'webhook:shop-1', route: 'webhook', key: delivery.eventKey };
    const keyedId = (first as { record: { correlationId: string } }).record.correlationId;
    expect(keyedId).toBe(keyedCorrelationId(secret, webhookScope));
    app.makeLegacy(keyedId, legacyCorrelationId(webhookScope));
    app.sent.length = 0;
    const again = await acceptWebhook(delivery, { kind: 'customer', body }, app.deps);
    expect(again).toMatchObject({
      kind: 'accepted',
      replayed: true,
      record: { correlationId: legacyCorrelationId(webhookScope) },
    });
    expect(app.sent).toHaveLength(0);
  });
});
