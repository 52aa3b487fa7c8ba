import { permanent } from '../domain/failure';
import { backoffSeconds } from '../domain/retry-policy';
import { replayFailedRequest, requeueFailed } from './replay-request';
import { reconcile } from './reconcile';
import { silentLog } from '../ports';
import { acceptedMessage, created, full, workerSetup as setup } from '../../test/support/worker-app';

describe('back-off', () => {
  it('draws a full-jitter delay below min(cap, base · 2^(attempt−1))', () => {
    const policy = { baseSeconds: 2, maxDelaySeconds: 300, maxAttempts: 10, maxTotalSeconds: 3600 };
    expect(backoffSeconds(1, policy, () => 0.999)).toBeCloseTo(1.998);
    expect(backoffSeconds(4, policy, () => 0.5)).toBe(8);
    expect(backoffSeconds(20, policy, () => 0.999)).toBeCloseTo(299.7);
    expect(backoffSeconds(3, policy, () => 0)).toBe(0);
  });
});

describe('replay by an operator', () => {
  it('re-queues a failed request with a fresh budget, and refuses others', async () => {
    const app = setup(async () => {
      throw permanent('not_registered', 'D365 answered 403');
    });
    const message = await acceptedMessage(app);
    await app.process(message);
    const deps = {
      statusStore: app.statusStore,
      queue: app.deps.queue,
      telemetry: app.deps.telemetry,
      log: silentLog,
    };
    const replayed = await replayFailedRequest(message.correlationId, deps);
    expect(replayed).toMatchObject({ kind: 'replayed', record: { status: 'queued', attempts: 0 } });
    expect(app.record(message.correlationId).errorCode).toBeUndefined();
    expect(app.sent.at(-1)!.message).toEqual({
      v: 1,
      correlationId: message.correlationId,
      acceptedAt: expect.any(String),
    });
    await expect(replayFailedRequest(message.correlationId, deps)).resolves.toEqual({ kind: 'not-failed' });
    await expect(replayFailedRequest('0b6f4c1e-1d2a-4c3b-8e4f-5a6b7c8d9e0f', deps)).resolves.toEqual({
      kind: 'not-found',
    });
  });

  it('replays one request as live work, even one a bulk replay sent as background before', async () => {
    const app = setup(async () => {
      throw permanent('not_registered', 'D365 answered 403');
    });
    const message = await acceptedMessage(app);
    await app.process(message);
    await app.statusStore.update(app.record(message.correlationId), { priority: 'background' });
    const deps = { statusStore: app.statusStore, queue: app.deps.queue, log: silentLog };
    await replayFailedRequest(message.correlationId, deps);
    expect(app.record(message.correlationId)).toMatchObject({ status: 'queued' });
    expect(app.record(message.correlationId).priority).toBeUndefined();
  });
});

describe('a replay’s priority (issue 31 on issue 24’s gate)', () => {
  it('is background when a bulk replay puts a request back, live again when an operator replays it alone', async () => {
    const app = setup(async () => {
      throw permanent('not_registered', 'D365 answered 403');
    });
    const message = await acceptedMessage(app);
    await app.process(message);
    const deps = { statusStore: app.statusStore, queue: app.deps.queue, log: silentLog };
    const failed = app.record(message.correlationId);
    const bulk = await requeueFailed(
      { ...failed, payload: failed.payload! },
      { replayJobId: 'job-1', priority: 'background' },
      deps,
    );
    expect(bulk).toMatchObject({ status: 'queued', priority: 'background', replayJobId: 'job-1' });
    await app.process(app.sent.at(-1)!.message);
    expect(app.record(message.correlationId)).toMatchObject({ status: 'failed', priority: 'background' });
    const alone = await replayFailedRequest(message.correlationId, deps);
    expect(alone).toMatchObject({ kind: 'replayed', record: { status: 'queued' } });
    expect(app.record(message.correlationId).priority).toBeUndefined();
  });
});

describe('idempotent intake', () => {
  it('replays the first answer for the same key and body, refuses another body, and claims once', async () => {
    const app = setup(created);
    const first = await app.accept(full, { idempotencyKey: 'k-1' });
    const again = await app.accept(full, { idempotencyKey: 'k-1' });
    expect(first).toMatchObject({ kind: 'accepted', replayed: false, record: { status: 'queued' } });
    expect(again).toMatchObject({ kind: 'accepted', replayed: true });
    expect(again.kind === 'accepted' && again.record.correlationId).toBe(
      first.kind === 'accepted' && first.record.correlationId,
    );
    expect(app.sent).toHaveLength(1);
    const other = { Customer: { ...full.Customer, FirstName: 'Someone' } };
    await expect(app.accept(other, { idempotencyKey: 'k-1' })).resolves.toEqual({ kind: 'key-reused' });
    // Same body with different spacing and key order is the same request.
    const reordered = JSON.parse(JSON.stringify({ Customer: { ...full.Customer, LegalEntity: ' usrt ' } }));
    await expect(app.accept(reordered, { idempotencyKey: 'k-1' })).resolves.toMatchObject({ replayed: true });
  });

  it('scopes keys to the caller', async () => {
    const app = setup(created);
    const a = await app.accept(full, { idempotencyKey: 'k', caller: 'pos-1' });
    const b = await app.accept(full, { idempotencyKey: 'k', caller: 'web-1' });
    expect(a.kind === 'accepted' && a.record.correlationId).not.toBe(
      b.kind === 'accepted' && b.record.correlationId,
    );
  });

  it('answers in-progress while the first request is being accepted, and takes a dead claim over', async () => {
    const app = setup(created);
    const first = await app.accept(full, { idempotencyKey: 'k-2' });
    const id = first.kind === 'accepted' ? first.record.correlationId : '';
    // Simulate a crash between the claim and the queue write.
    await app.statusStore.update(app.record(id), { status: 'accepting' });
    app.sent.length = 0;
    await expect(app.accept(full, { idempotencyKey: 'k-2' })).resolves.toEqual({ kind: 'in-progress' });
    app.advance(11);
    await expect(app.accept(full, { idempotencyKey: 'k-2' })).resolves.toMatchObject({ kind: 'accepted' });
    expect(app.sent).toHaveLength(1);
    expect(app.record(id).status).toBe('queued');
  });

  it('removes the claim again when the message cannot be written, and reports unavailable', async () => {
    const app = setup(created);
    app.deps.queue.send = async () => {
      throw new Error('queue down');
    };
    await expect(app.accept(full, { idempotencyKey: 'k-3' })).resolves.toEqual({ kind: 'unavailable' });
    await expect(app.accept(full)).resolves.toEqual({ kind: 'unavailable' });
    expect(app.statusStore.records.size).toBe(0);
  });

  it('rejects an invalid body without writing anything', async () => {
    const app = setup(created);
    const result = await app.accept({ Customer: { ...full.Customer, EmailAddress: 'nope' } });
    expect(result.kind).toBe('invalid');
    expect(app.statusStore.records.size).toBe(0);
    expect(app.sent).toHaveLength(0);
  });
});

describe('the reconciler', () => {
  it('re-queues a request stranded in queued, leaves fresh ones alone, fails a tried one past its time, keeps a never-tried one', async () => {
    const app = setup(created);
    const stranded = await acceptedMessage(app);
    const old = await acceptedMessage(app);
    const backlogged = await acceptedMessage(app);
    app.advance(400);
    const fresh = await acceptedMessage(app);
    await app.statusStore.update(app.record(old.correlationId), {
      status: 'retrying',
      attempts: 2,
      nextAttemptAt: '2026-11-26T17:00:00.000Z',
      queuedAt: '2026-11-26T16:00:00.000Z',
    });
    await app.statusStore.update(app.record(backlogged.correlationId), {
      queuedAt: '2026-11-26T16:00:00.000Z',
    });
    // Both were touched now; make them stale too.
    app.statusStore.records.get(old.correlationId)!.updatedAt = '2026-11-26T17:00:00.000Z';
    app.statusStore.records.get(backlogged.correlationId)!.updatedAt = '2026-11-26T17:00:00.000Z';
    app.sent.length = 0;
    const metrics: unknown[] = [];
    const report = await reconcile({
      statusStore: app.statusStore,
      queue: app.deps.queue,
      telemetry: { trackEvent: () => {}, trackMetric: (m) => void metrics.push(m) },
      queueDepths: async () => ({ 'customer-create': 3, 'customer-create-poison': 1 }),
      log: silentLog,
      retry: { baseSeconds: 2, maxDelaySeconds: 300, maxAttempts: 10, maxTotalSeconds: 3600 },
      reconcileAfterSeconds: 300,
      now: () => new Date('2026-11-26T18:06:40.000Z'),
    });
    // `backlogged` waited past RETRY_MAX_TOTAL_SECONDS without a single attempt: it gets its message again.
    expect(report).toEqual({ requeued: 2, failed: 1, skipped: 0 });
    expect(metrics).toEqual([
      { name: 'QueueDepth', value: 3, properties: { queue: 'customer-create' } },
      { name: 'QueueDepth', value: 1, properties: { queue: 'customer-create-poison' } },
    ]);
    expect(app.sent.map((s) => s.message.correlationId).sort()).toEqual(
      [stranded.correlationId, backlogged.correlationId].sort(),
    );
    expect(app.record(old.correlationId)).toMatchObject({ status: 'failed', errorCode: 'retries_exhausted' });
    expect(app.record(backlogged.correlationId)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(app.record(fresh.correlationId).status).toBe('queued');
    // A re-sent message for a request that meanwhile finished is acknowledged without D365.
    await app.process(stranded);
    const resent = app.sent.find((s) => s.message.correlationId === stranded.correlationId)!;
    await expect(app.process(resent.message)).resolves.toEqual({ kind: 'already-finished' });
  });

  it('resumes a request whose instance died as soon as its lease ends, without waiting for the age threshold', async () => {
    const app = setup(created, { existing: 'US-000900', duplicatePolicy: 'create' });
    const message = await acceptedMessage(app);
    await app.statusStore.update(app.record(message.correlationId), {
      status: 'submitting',
      attempts: 1,
      submittedAt: '2026-11-26T18:00:00.000Z',
      leaseUntil: '2026-11-26T18:00:35.000Z',
    });
    app.sent.length = 0;
    const deps = {
      statusStore: app.statusStore,
      queue: app.deps.queue,
      telemetry: app.deps.telemetry,
      log: silentLog,
      retry: { baseSeconds: 2, maxDelaySeconds: 300, maxAttempts: 10, maxTotalSeconds: 3600 },
      reconcileAfterSeconds: 300,
    };
    const at = (iso: string) => reconcile({ ...deps, now: () => new Date(iso) });
    await expect(at('2026-11-26T18:00:36.000Z')).resolves.toMatchObject({ requeued: 0 });
    await expect(at('2026-11-26T18:00:41.000Z')).resolves.toMatchObject({ requeued: 1 });
    expect(app.record(message.correlationId)).toMatchObject({ status: 'retrying' });
    expect(app.sent.map((s) => s.message.correlationId)).toEqual([message.correlationId]);
    // A second reconciler (another instance) finds nothing to do.
    await expect(at('2026-11-26T18:00:42.000Z')).resolves.toMatchObject({ requeued: 0 });
    app.advance(45);
    await expect(app.process(app.sent[0]!.message)).resolves.toMatchObject({
      kind: 'succeeded',
      customerAccount: 'US-000900',
    });
    expect(app.calls).toEqual(['lookup']);
  });
});
