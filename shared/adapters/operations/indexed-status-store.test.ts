import { memoryStatusStore } from '../../../test/support/memory-status-store';
import { memoryOperationsIndex } from '../../../test/support/memory-operations-index';
import type { StatusRecord } from '../../domain/status';
import { indexedStatusStore } from './indexed-status-store';

const id = '6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a';
const fresh: Omit<StatusRecord, 'etag'> = {
  correlationId: id,
  status: 'queued',
  legalEntity: 'USRT',
  target: 'custom-service',
  attempts: 0,
  createdAt: '2026-11-26T18:00:00.000Z',
  updatedAt: '2026-11-26T18:00:00.000Z',
  queuedAt: '2026-11-26T18:00:00.000Z',
  payload: '{}',
};

function setup() {
  const index = memoryOperationsIndex();
  const errors: string[] = [];
  const store = indexedStatusStore(memoryStatusStore(), index, {
    onIndexError: (_error, correlationId) => errors.push(correlationId),
  });
  return { index, store, errors };
}

describe('the status store that keeps the operations index', () => {
  it('makes no index call for a request that succeeds at its first attempt', async () => {
    const { index, store } = setup();
    let record = await store.create(fresh);
    record = await store.update(record, { status: 'processing', attempts: 1 });
    record = await store.update(record, { status: 'submitting' });
    await store.update(record, { status: 'succeeded', customerAccount: 'US-1', payload: undefined });
    expect(index.calls).toEqual({ put: 0, remove: 0 });
  });

  it('lists a failure with one write, and takes it off with one when an operator replays it', async () => {
    const { index, store } = setup();
    let record = await store.create(fresh);
    record = await store.update(record, { status: 'processing', attempts: 1 });
    record = await store.update(record, { status: 'failed', errorCode: 'not_registered' });
    expect(index.calls).toEqual({ put: 1, remove: 0 });
    expect([...index.rows.values()].map((r) => [r.view, r.errorCode])).toEqual([
      ['failed', 'not_registered'],
    ]);
    await store.update(record, { status: 'queued', attempts: 0, errorCode: undefined });
    expect(index.calls).toEqual({ put: 1, remove: 1 });
    expect(index.rows.size).toBe(0);
  });

  it('keeps one row per retry series (replaced in place), gone while processing and at the end', async () => {
    const { index, store } = setup();
    let record = await store.create(fresh);
    record = await store.update(record, { status: 'processing', attempts: 1 });
    record = await store.update(record, {
      status: 'retrying',
      lastError: '503',
      updatedAt: '2026-11-26T18:00:01.000Z',
    });
    expect(index.rows.size).toBe(1);
    record = await store.update(record, { status: 'processing', attempts: 2 });
    expect(index.rows.size).toBe(0);
    record = await store.update(record, {
      status: 'retrying',
      lastError: '503',
      updatedAt: '2026-11-26T18:00:05.000Z',
    });
    expect([...index.rows.values()]).toEqual([expect.objectContaining({ view: 'retrying', attempts: 2 })]);
    record = await store.update(record, { status: 'processing', attempts: 3 });
    await store.update(record, { status: 'succeeded', customerAccount: 'US-1' });
    expect(index.rows.size).toBe(0);
    // Per transient failure: one put when it starts waiting, one remove when it is taken up again.
    expect(index.calls).toEqual({ put: 2, remove: 2 });
  });

  it('moves a resolved failure to `resolved`, and removes the row when retention deletes the record', async () => {
    const { index, store } = setup();
    let record = await store.create(fresh);
    record = await store.update(record, { status: 'failed', errorCode: 'business_error' });
    record = await store.update(record, {
      resolvedAt: '2026-11-27T09:00:00.000Z',
      resolution: 'manual',
      resolvedBy: 'master-key',
    });
    expect([...index.rows.values()].map((r) => r.view)).toEqual(['resolved']);
    await store.delete(record);
    expect(index.rows.size).toBe(0);
  });

  it("lists a create's failure under its customer's hashed identity too, and takes it off when it leaves the view", async () => {
    const { index, store } = setup();
    const payload = JSON.stringify({ Customer: { LegalEntity: 'USRT', EmailAddress: 'Alex@Example.com' } });
    let record = await store.create({ ...fresh, payload });
    record = await store.update(record, { status: 'failed', errorCode: 'business_error' });
    // The view's row and the customer's open-failure row.
    expect(index.calls).toEqual({ put: 2, remove: 0 });
    const [key] = [...index.open.keys()];
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect([...index.open.get(key!)!.keys()]).toEqual([id]);
    await store.update(record, { status: 'queued', attempts: 0, errorCode: undefined });
    expect(index.calls).toEqual({ put: 2, remove: 2 });
    expect(index.open.get(key!)!.size).toBe(0);
  });

  it('reports an index write that keeps failing instead of throwing: the status change stands', async () => {
    const { index, store, errors } = setup();
    const record = await store.create(fresh);
    index.failNext = 3;
    const failed = await store.update(record, { status: 'failed', errorCode: 'business_error' });
    expect(failed.status).toBe('failed');
    expect(errors).toEqual([id]);
    // A passing failure is tried again.
    const other = await store.create({ ...fresh, correlationId: '7f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a' });
    index.failNext = 1;
    await store.update(other, { status: 'failed', errorCode: 'business_error' });
    expect(errors).toEqual([id]);
    expect(index.rows.size).toBe(1);
  });

  it("starts a success's hook beside its write (issue 33); a write that fails is not reported as the hook's error", async () => {
    const inner = memoryStatusStore();
    const order: string[] = [];
    const errors: string[] = [];
    let failWrite = false;
    const store = indexedStatusStore(
      {
        ...inner,
        update: async (current, changes) => {
          order.push('write:start');
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (failWrite) throw new Error('conflict');
          const next = await inner.update(current, changes);
          order.push('write:end');
          return next;
        },
      },
      memoryOperationsIndex(),
      {
        onIndexError: (_error, correlationId) => errors.push(correlationId),
        onSucceeded: async (_before, after) => {
          order.push('hook:read');
          const written = await after;
          order.push(`hook:${written.status}`);
        },
      },
    );
    const record = await store.create(fresh);
    const ended = await store.update(record, { status: 'succeeded', customerAccount: 'US-1' });
    expect(ended.status).toBe('succeeded');
    expect(order).toEqual(['write:start', 'hook:read', 'write:end', 'hook:succeeded']);
    failWrite = true;
    const other = await store.create({ ...fresh, correlationId: '7f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a' });
    await expect(store.update(other, { status: 'succeeded', customerAccount: 'US-2' })).rejects.toThrow(
      'conflict',
    );
    expect(errors).toEqual([]);
  });
});
