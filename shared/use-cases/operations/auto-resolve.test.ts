import { randomUUID } from 'node:crypto';
import { indexedStatusStore } from '../../adapters/operations/indexed-status-store';
import type { AuditEntry } from '../../domain/operations/audit';
import type { StatusRecord } from '../../domain/status';
import type { StatusStore } from '../../ports';
import { memoryOperationsIndex } from '../../../test/support/memory-operations-index';
import { memoryStatusStore } from '../../../test/support/memory-status-store';
import { resolveSuperseded } from './auto-resolve';

const request = (email: string, legalEntity = 'USRT') =>
  JSON.stringify({ Customer: { LegalEntity: legalEntity, EmailAddress: email, FirstName: 'Alex' } });

function setup() {
  const index = memoryOperationsIndex();
  const audit: AuditEntry[] = [];
  const errors: unknown[] = [];
  const store = indexedStatusStore(memoryStatusStore(), index, {
    onIndexError: (error) => errors.push(error),
    onSucceeded: async (before, after, decorated) => {
      await resolveSuperseded(before, after, decorated, {
        index,
        audit: {
          append: async (entry) => {
            const full = { ...entry, id: randomUUID() };
            audit.push(full);
            return full;
          },
          forRequest: async () => [],
          recent: async () => ({ entries: [] }),
        },
        log: { info: () => undefined, warn: () => undefined, error: () => undefined },
        now: () => new Date('2026-12-07T05:00:00.000Z'),
      });
    },
  });
  let minute = 0;
  /** A create accepted a minute after the last one, as the intake stores it. */
  const accept = (payload: string, extra: Partial<StatusRecord> = {}) => {
    minute += 1;
    const at = new Date(Date.parse('2026-12-07T04:00:00.000Z') + minute * 60_000).toISOString();
    return store.create({
      correlationId: randomUUID(),
      status: 'queued',
      legalEntity: 'USRT',
      target: 'custom-service',
      attempts: 0,
      createdAt: at,
      queuedAt: at,
      updatedAt: at,
      payload,
      ...extra,
    } as StatusRecord);
  };
  const fail = (record: StatusRecord, status: 'failed' | 'needs_review' = 'failed') =>
    store.update(record, { status, ...(status === 'failed' && { errorCode: 'business_error' as const }) });
  const succeed = (record: StatusRecord) =>
    store.update(record, { status: 'succeeded', customerAccount: 'US-1', payload: undefined });
  return { index, audit, errors, store, accept, fail, succeed };
}

const get = async (store: StatusStore, id: string) => (await store.get(id))!;

describe('automatic resolution: a later success for the same customer resolves its earlier failures', () => {
  it('resolves an earlier failed and needs-review create of the customer as superseded, with one audit entry', async () => {
    const { store, accept, fail, succeed, audit, index } = setup();
    const first = await fail(await accept(request('Alex@Example.com')));
    const second = await fail(await accept(request('alex@example.com ')), 'needs_review');
    const later = await succeed(await accept(request('ALEX@example.com')));

    for (const id of [first.correlationId, second.correlationId])
      expect(await get(store, id)).toMatchObject({
        resolution: 'superseded',
        resolvedBy: 'system',
        resolutionNote: `superseded by ${later.correlationId}`,
      });
    expect((await get(store, first.correlationId)).status).toBe('failed');
    expect([...index.rows.values()].map((r) => [r.view, r.resolution])).toEqual([
      ['resolved', 'superseded'],
      ['resolved', 'superseded'],
    ]);
    expect(audit).toEqual([
      expect.objectContaining({
        actor: { kind: 'system', id: 'system' },
        action: 'request.auto_resolve',
        correlationIds: [first.correlationId, second.correlationId],
        count: 2,
        outcome: `superseded by ${later.correlationId}`,
      }),
    ]);
    // The customer's open-failure rows are gone with them, and hold no e-mail address.
    expect([...index.open.values()].every((rows) => rows.size === 0)).toBe(true);
    expect(JSON.stringify([...index.open.keys()])).not.toMatch(/example/i);
  });

  it('leaves another customer, another legal entity, a later failure and a resolved one alone', async () => {
    const { store, accept, fail, succeed, audit } = setup();
    const other = await fail(await accept(request('sam@example.com')));
    const elsewhere = await fail(await accept(request('alex@example.com', 'DEMF')));
    const manual = await fail(await accept(request('alex@example.com')));
    const resolvedByHand = await store.update(manual, {
      resolvedAt: '2026-12-07T04:30:00.000Z',
      resolution: 'manual',
      resolvedBy: 'master-key',
    });
    const succeeding = await accept(request('alex@example.com'));
    const newer = await fail(await accept(request('alex@example.com')));
    await succeed(succeeding);

    expect((await get(store, other.correlationId)).resolvedAt).toBeUndefined();
    expect((await get(store, elsewhere.correlationId)).resolvedAt).toBeUndefined();
    expect((await get(store, newer.correlationId)).resolvedAt).toBeUndefined();
    expect(await get(store, resolvedByHand.correlationId)).toMatchObject({ resolution: 'manual' });
    expect(audit).toEqual([]);
  });

  it('costs one query per successful create and no write when the customer has no open failure', async () => {
    const { accept, succeed, index } = setup();
    await succeed(await accept(request('new@example.com')));
    expect(index.openQueries).toBe(1);
    expect(index.calls).toEqual({ put: 0, remove: 0 });
  });

  it('resolves at most 20 failures per success (the rest with the next one)', async () => {
    const { store, accept, fail, succeed } = setup();
    const failed: StatusRecord[] = [];
    for (let n = 0; n < 25; n += 1) failed.push(await fail(await accept(request('many@example.com'))));
    await succeed(await accept(request('many@example.com')));
    const resolved = (await Promise.all(failed.map((r) => get(store, r.correlationId)))).filter(
      (r) => r.resolution === 'superseded',
    );
    expect(resolved).toHaveLength(20);
  });

  it('does not resolve by an update, nor a failure whose request is gone', async () => {
    const { store, accept, fail, succeed, audit } = setup();
    const failed = await fail(await accept(request('upd@example.com')));
    const update = await accept(request('upd@example.com'), { kind: 'update', customerAccount: 'US-1' });
    await succeed(update);
    expect((await get(store, failed.correlationId)).resolvedAt).toBeUndefined();
    expect(audit).toEqual([]);
  });
});
