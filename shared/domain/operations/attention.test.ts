import type { StatusRecord } from '../status';
import { attentionEntryOf, invertedTime, sameEntry } from './attention';

const base: StatusRecord = {
  correlationId: '6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a',
  status: 'queued',
  legalEntity: 'USRT',
  target: 'custom-service',
  attempts: 0,
  createdAt: '2026-11-26T18:00:00.000Z',
  updatedAt: '2026-11-26T18:00:00.000Z',
  payload: '{"Customer":{"EmailAddress":"jane@example.com"}}',
  etag: 'e1',
};

describe('where a request sits in the operations index', () => {
  it('has no row while on its way or after a success: the happy path costs the index nothing', () => {
    for (const status of ['accepting', 'queued', 'processing', 'submitting', 'succeeded'] as const)
      expect(attentionEntryOf({ ...base, status })).toBeUndefined();
  });

  it('lists a failed request in `failed` at the time it ended, with codes and no personal data', () => {
    const entry = attentionEntryOf({
      ...base,
      status: 'failed',
      attempts: 3,
      errorCode: 'not_registered',
      errorMessage: 'D365 refused the app',
      source: 'shop-eu',
      sourceCustomerId: '42',
      updatedAt: '2026-11-26T18:05:00.000Z',
    });
    expect(entry).toEqual({
      view: 'failed',
      rowKey: `${invertedTime('2026-11-26T18:05:00.000Z')}-${base.correlationId}`,
      correlationId: base.correlationId,
      status: 'failed',
      kind: 'create',
      errorCode: 'not_registered',
      source: 'shop-eu',
      legalEntity: 'USRT',
      attempts: 3,
      createdAt: base.createdAt,
      at: '2026-11-26T18:05:00.000Z',
    });
    expect(JSON.stringify(entry)).not.toMatch(/jane|example\.com|refused/);
  });

  it('orders newer rows first (ascending row keys)', () => {
    expect(invertedTime('2026-11-26T18:05:00.000Z') < invertedTime('2026-11-26T18:04:59.999Z')).toBe(true);
    expect(invertedTime('2026-11-26T18:05:00.000Z')).toHaveLength(13);
  });

  it('lists needs_review on its own, and both as `resolved` once resolved (by when)', () => {
    expect(attentionEntryOf({ ...base, status: 'needs_review', errorCode: 'account_not_found' })?.view).toBe(
      'needs_review',
    );
    const resolved = attentionEntryOf({
      ...base,
      status: 'failed',
      errorCode: 'business_error',
      resolvedAt: '2026-11-27T09:00:00.000Z',
      resolution: 'superseded',
    });
    expect(resolved).toMatchObject({
      view: 'resolved',
      at: '2026-11-27T09:00:00.000Z',
      resolution: 'superseded',
    });
  });

  it('lists `retrying` only after a transient failure, under the start of its series (one row per series)', () => {
    expect(attentionEntryOf({ ...base, status: 'retrying' })).toBeUndefined(); // waited for a slot only
    const first = attentionEntryOf({
      ...base,
      status: 'retrying',
      lastError: 'D365 answered 503',
      queuedAt: '2026-11-26T18:00:00.000Z',
      updatedAt: '2026-11-26T18:00:01.000Z',
      attempts: 1,
    });
    const later = attentionEntryOf({
      ...base,
      status: 'retrying',
      lastError: 'D365 answered 503',
      queuedAt: '2026-11-26T18:00:00.000Z',
      updatedAt: '2026-11-26T18:00:09.000Z',
      attempts: 2,
    });
    expect(first?.rowKey).toBe(later?.rowKey);
    expect(sameEntry(first, later)).toBe(false); // attempts changed: the row is replaced in place
  });

  it('says an update is an update', () => {
    expect(attentionEntryOf({ ...base, kind: 'update', status: 'failed' })?.kind).toBe('update');
  });
});
