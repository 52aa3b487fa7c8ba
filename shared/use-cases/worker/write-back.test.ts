import { transient } from '../../domain/failure';
import type { StatusRecord } from '../../domain/status';
import { toStatusAnswer } from '../../domain/status';
import { writeBackMessage, WriteBackMessage } from '../../domain/write-back';
import {
  ShopAccessError,
  ShopClient,
  ShopClients,
  ShopWriteResult,
  silentLog,
  TelemetryEvent,
  WriteBackQueue,
} from '../../ports';
import { memoryStatusStore } from '../../../test/support/memory-status-store';
import { created, full, workerSetup } from '../../../test/support/worker-app';
import { reconcileWriteBacks } from '../reconcile-write-backs';
import { retryWriteBack } from '../retry-write-back';
import { processWriteBack, WriteBackDeps } from './write-back';

/** The shop write-back step with the status store in memory and a scripted shop client. */
const ID = '6f1c2f0e-8a3b-4c5d-9e6f-0a1b2c3d4e5f';

function setup(answers: (() => Promise<ShopWriteResult>)[]) {
  const statusStore = memoryStatusStore();
  const sent: { message: WriteBackMessage; delaySeconds?: number }[] = [];
  const queue: WriteBackQueue = {
    send: async (message, o) => void sent.push({ message, delaySeconds: o?.delaySeconds }),
  };
  const writes: { customerId: string; account: string }[] = [];
  const client = {
    kind: 'shopify',
    writeAccount: async (customerId: string, account: string) => {
      writes.push({ customerId, account });
      const next = answers.shift();
      if (!next) throw new Error('no scripted answer left');
      return next();
    },
  } as unknown as ShopClient;
  const shopClients: ShopClients = { forSource: (name) => (name === 'shop' ? client : undefined) };
  const events: TelemetryEvent[] = [];
  let clock = new Date('2026-12-06T18:00:00.000Z');
  const deps: WriteBackDeps = {
    statusStore,
    shopClients,
    queue,
    retry: { baseSeconds: 2, maxDelaySeconds: 300, maxAttempts: 3, maxTotalSeconds: 3600 },
    leaseSeconds: 60,
    telemetry: { trackEvent: (e) => void events.push(e), trackMetric: () => {} },
    log: silentLog,
    now: () => clock,
    random: () => 0.5,
  };
  const seed = (changes: Partial<StatusRecord> = {}) =>
    statusStore.create({
      correlationId: ID,
      status: 'succeeded',
      legalEntity: 'usrt',
      target: 'odata',
      attempts: 1,
      createdAt: clock.toISOString(),
      updatedAt: clock.toISOString(),
      customerAccount: 'US-000042',
      outcome: 'created',
      source: 'shop',
      sourceCustomerId: '7001',
      writeBack: 'pending',
      writeBackDetail: JSON.stringify({ attempts: 0, since: clock.toISOString() }),
      ...changes,
    });
  return {
    deps,
    sent,
    writes,
    events,
    statusStore,
    seed,
    run: () => processWriteBack(writeBackMessage(ID), deps),
    answer: () => toStatusAnswer(statusStore.records.get(ID)!),
    advance: (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000)),
  };
}

const written =
  (changed = true) =>
  async (): Promise<ShopWriteResult> => ({ kind: 'written', changed });

describe('shop write-back step', () => {
  it('writes LEGALENTITY/ACCOUNT to the shop customer and records written; the create stays succeeded', async () => {
    const app = setup([written()]);
    await app.seed();
    await expect(app.run()).resolves.toEqual({ kind: 'written', changed: true });
    expect(app.writes).toEqual([{ customerId: '7001', account: 'USRT/US-000042' }]);
    expect(app.answer()).toMatchObject({
      status: 'succeeded',
      writeBack: { status: 'written', attempts: 1, endedAt: '2026-12-06T18:00:00.000Z' },
    });
    expect(app.events.map((e) => e.name)).toEqual(['ShopWriteBackWritten']);
  });

  it('a redelivery after it was written writes nothing again', async () => {
    const app = setup([written()]);
    await app.seed();
    await app.run();
    await expect(app.run()).resolves.toEqual({ kind: 'done' });
    expect(app.writes).toHaveLength(1);
  });

  it('another invocation holding the lease: the message goes back until the lease ends, nothing written', async () => {
    const app = setup([]);
    await app.seed({
      writeBackDetail: JSON.stringify({
        attempts: 1,
        since: '2026-12-06T18:00:00.000Z',
        leaseUntil: '2026-12-06T18:00:30.000Z',
      }),
    });
    await expect(app.run()).resolves.toEqual({ kind: 'deferred', delaySeconds: 30 });
    expect(app.writes).toHaveLength(0);
    expect(app.sent).toEqual([{ message: writeBackMessage(ID), delaySeconds: 30 }]);
  });

  it.each([
    ['a revoked token', async () => Promise.reject(new ShopAccessError('shop', '401')), 'shop_access'],
    [
      'a deleted customer',
      async (): Promise<ShopWriteResult> => ({ kind: 'not_found' }),
      'shop_customer_not_found',
    ],
    [
      'a refused value',
      async (): Promise<ShopWriteResult> => ({ kind: 'rejected', reason: 'TAKEN' }),
      'rejected',
    ],
  ])(
    '%s ends the write-back failed with a clear error; the create stays succeeded',
    async (_, answer, code) => {
      const app = setup([answer]);
      await app.seed();
      await expect(app.run()).resolves.toEqual({ kind: 'failed', code });
      const status = app.answer();
      expect(status.status).toBe('succeeded');
      expect(status.writeBack).toMatchObject({ status: 'failed', error: { code } });
      expect(status.writeBack!.error!.message.length).toBeGreaterThan(20);
      expect(app.sent).toHaveLength(0);
    },
  );

  it('a shop fault is retried through the queue under the retry policy, then written', async () => {
    const app = setup([() => Promise.reject(transient('Shopify shop answered 503')), written()]);
    await app.seed();
    await expect(app.run()).resolves.toEqual({ kind: 'retrying', delaySeconds: 1 });
    expect(app.answer().writeBack).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'Shopify shop answered 503',
    });
    // The retry's message comes early: it goes back until the attempt is due.
    app.advance(1);
    await expect(app.run()).resolves.toEqual({ kind: 'written', changed: true });
    expect(app.answer().writeBack).toMatchObject({ status: 'written', attempts: 2 });
  });

  it("waiting for the shop's budget spends no attempt: a throttled shop never fails a write-back", async () => {
    const wait = () =>
      Promise.reject(transient('waiting for the bucket', { retryAfterSeconds: 5, throttled: true }));
    const app = setup([wait, wait, wait, wait, wait, written()]);
    await app.seed();
    for (let i = 0; i < 5; i++) {
      await expect(app.run()).resolves.toEqual({ kind: 'retrying', delaySeconds: 5 });
      app.advance(5);
    }
    await expect(app.run()).resolves.toEqual({ kind: 'written', changed: true });
    expect(app.answer().writeBack).toMatchObject({ status: 'written', attempts: 1 });
  });

  it('shop faults through every attempt end failed (shop_unavailable) with the last error', async () => {
    const fault = () => Promise.reject(transient('Shopify shop answered 502'));
    const app = setup([fault, fault, fault]);
    await app.seed();
    for (let i = 0; i < 2; i++) {
      expect((await app.run()).kind).toBe('retrying');
      app.advance(10);
    }
    await expect(app.run()).resolves.toEqual({ kind: 'failed', code: 'shop_unavailable' });
    expect(app.answer().writeBack!.error!.message).toContain('answered 502');
  });

  it("an operator's retry makes a failed write-back pending again and queues it; then it is written", async () => {
    const app = setup([async () => ({ kind: 'not_found' }), written()]);
    await app.seed();
    await app.run();
    const deps = { statusStore: app.statusStore, writeBackQueue: app.deps.queue, log: silentLog };
    await expect(retryWriteBack(ID, deps)).resolves.toMatchObject({ kind: 'retried' });
    expect(app.answer().writeBack).toEqual({ status: 'pending', attempts: 0 });
    await expect(retryWriteBack(ID, deps)).resolves.toEqual({ kind: 'not-failed' });
    await expect(app.run()).resolves.toEqual({ kind: 'written', changed: true });
  });

  it('the reconciler re-sends a pending write-back whose message was lost, or whose writer died, once', async () => {
    const app = setup([]);
    await app.seed();
    const deps = {
      statusStore: app.statusStore,
      writeBackQueue: app.deps.queue,
      log: silentLog,
      reconcileAfterSeconds: 30,
    };
    const at = (s: number) => Date.parse('2026-12-06T18:00:00.000Z') + s * 1000;
    await expect(reconcileWriteBacks(deps, at(10))).resolves.toEqual({ requeued: 0 });
    await expect(reconcileWriteBacks(deps, at(31))).resolves.toEqual({ requeued: 1 });
    // Sent again now: the next look is a grace later.
    await expect(reconcileWriteBacks(deps, at(32))).resolves.toEqual({ requeued: 0 });
    expect(app.sent).toHaveLength(1);
  });
});

describe('a create from a shop with a shop client', () => {
  it('ends succeeded with writeBack pending in the same write and queues the write-back', async () => {
    const queued: WriteBackMessage[] = [];
    const shopClients: ShopClients = {
      forSource: (name) => (name === 'shop' ? ({} as ShopClient) : undefined),
    };
    const app = workerSetup(created, {
      shopClients,
      writeBackQueue: { send: async (m) => void queued.push(m) },
    });
    const accepted = await app.accept(full, { origin: { source: 'shop', sourceCustomerId: '7001' } });
    expect(accepted.kind).toBe('accepted');
    const message = app.sent.at(-1)!.message;
    await expect(app.process(message)).resolves.toMatchObject({ kind: 'succeeded' });
    const answer = toStatusAnswer(app.record(message.correlationId));
    expect(answer).toMatchObject({ status: 'succeeded', writeBack: { status: 'pending', attempts: 0 } });
    expect(queued).toEqual([writeBackMessage(message.correlationId)]);
  });

  it('a create without a shop customer (POS, API) gets no write-back', async () => {
    const queued: WriteBackMessage[] = [];
    const shopClients: ShopClients = { forSource: () => ({}) as ShopClient };
    const app = workerSetup(created, {
      shopClients,
      writeBackQueue: { send: async (m) => void queued.push(m) },
    });
    const accepted = await app.accept(full);
    expect(accepted.kind).toBe('accepted');
    const message = app.sent.at(-1)!.message;
    await app.process(message);
    expect(toStatusAnswer(app.record(message.correlationId)).writeBack).toBeUndefined();
    expect(queued).toHaveLength(0);
  });
});
