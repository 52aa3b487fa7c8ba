import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { StatusRecord } from '../../shared/domain/status';
import { tableStatusStore } from '../../shared/adapters/table-status-store';
import { StatusConflictError } from '../../shared/ports';

// Against Azurite (started by the global setup), with the real Table SDK.
const client = TableClient.fromConnectionString(
  process.env.TEST_STORAGE_CONNECTION_STRING!,
  `status${randomBytes(4).toString('hex')}`,
  { allowInsecureConnection: true },
);
const store = tableStatusStore(client);

const full: Omit<StatusRecord, 'etag'> = {
  correlationId: '0b6f4c1e-1d2a-4c3b-8e4f-5a6b7c8d9e0f',
  status: 'submitting',
  legalEntity: 'USRT',
  target: 'odata',
  attempts: 3,
  createdAt: '2026-11-26T18:00:00.000Z',
  updatedAt: '2026-11-26T18:00:01.000Z',
  customerAccount: 'US-000001',
  outcome: 'linked',
  matchedOn: 'name_and_phone',
  errorCode: 'business_error',
  errorMessage: 'm',
  lastError: 'D365 answered 503',
  payload: '{"Customer":{}}',
  fingerprint: 'f'.repeat(64),
  caller: 'pos-1',
  queuedAt: '2026-11-26T18:00:00.000Z',
  leaseUntil: '2026-11-26T18:01:00.000Z',
  submittedAt: '2026-11-26T18:00:00.500Z',
  nextAttemptAt: '2026-11-26T18:00:05.000Z',
};

beforeAll(async () => {
  await client.createTable();
});

describe('the status store in Table storage', () => {
  it('round-trips every field of a record, with one point read', async () => {
    const created = await store.create(full);
    expect(created.etag).toBeTruthy();
    const { etag, ...read } = (await store.get(full.correlationId))!;
    expect(read).toEqual(full);
    expect(etag).toBe(created.etag);
  });

  it('refuses a second record with the same ID (the Idempotency-Key claim)', async () => {
    await expect(store.create(full)).rejects.toBeInstanceOf(StatusConflictError);
  });

  it('clears optional fields set to undefined, and refuses a stale ETag', async () => {
    const current = (await store.get(full.correlationId))!;
    const next = await store.update(current, {
      status: 'succeeded',
      leaseUntil: undefined,
      payload: undefined,
    });
    const read = (await store.get(full.correlationId))!;
    expect(read.status).toBe('succeeded');
    expect(read.leaseUntil).toBeUndefined();
    expect(read.payload).toBeUndefined();
    expect(read.fingerprint).toBe(full.fingerprint);
    expect(read.etag).toBe(next.etag);
    await expect(store.update(current, { status: 'failed' })).rejects.toBeInstanceOf(StatusConflictError);
  });

  it('finds stale unfinished records by status and age', async () => {
    const base = {
      ...full,
      caller: undefined,
      status: 'queued' as const,
      updatedAt: '2026-11-26T17:00:00.000Z',
    };
    await store.create({ ...base, correlationId: '1b6f4c1e-1d2a-4c3b-8e4f-5a6b7c8d9e0f' });
    await store.create({
      ...base,
      correlationId: '2b6f4c1e-1d2a-4c3b-8e4f-5a6b7c8d9e0f',
      updatedAt: '2026-11-26T19:00:00.000Z',
    });
    await store.create({ ...base, correlationId: '3b6f4c1e-1d2a-4c3b-8e4f-5a6b7c8d9e0f', status: 'failed' });
    const stale = await store.findStale(['queued', 'retrying'], '2026-11-26T18:00:00.000Z', 10);
    expect(stale.map((r) => r.correlationId)).toEqual(['1b6f4c1e-1d2a-4c3b-8e4f-5a6b7c8d9e0f']);
  });

  it('treats a missing record as undefined and deleting it twice as done', async () => {
    expect(await store.get('9b6f4c1e-1d2a-4c3b-8e4f-5a6b7c8d9e0f')).toBeUndefined();
    const record = (await store.get('1b6f4c1e-1d2a-4c3b-8e4f-5a6b7c8d9e0f'))!;
    await store.delete(record);
    await store.delete(record);
    expect(await store.get(record.correlationId)).toBeUndefined();
  });
});
