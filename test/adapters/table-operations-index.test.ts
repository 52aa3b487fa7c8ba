import { randomBytes, randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { tableOperationsIndex } from '../../shared/adapters/operations/table-operations-index';
import { attentionEntryOf, AttentionEntry } from '../../shared/domain/operations/attention';
import type { StatusRecord } from '../../shared/domain/status';

// The operations index against Azurite with the real Table SDK: one range query per page of a view,
// newest first, the filters in the service, cursors that continue where a page ended.
const client = TableClient.fromConnectionString(
  process.env.TEST_STORAGE_CONNECTION_STRING!,
  `ops${randomBytes(4).toString('hex')}`,
  { allowInsecureConnection: true },
);
const index = tableOperationsIndex(async () => client);

const failedAt = (minute: number) => `2026-11-26T18:${String(minute).padStart(2, '0')}:00.000Z`;
function failure(minute: number, fields: Partial<StatusRecord> = {}): AttentionEntry {
  return attentionEntryOf({
    correlationId: randomUUID(),
    status: 'failed',
    legalEntity: 'USRT',
    target: 'custom-service',
    attempts: 1,
    createdAt: failedAt(minute),
    updatedAt: failedAt(minute),
    errorCode: 'not_registered',
    etag: '',
    ...fields,
  })!;
}

const entries = [
  ...Array.from({ length: 12 }, (_, m) => failure(m)),
  failure(20, { errorCode: 'business_error', legalEntity: 'USMF' }),
  failure(21, { errorCode: 'business_error', source: 'shop-eu' }),
  failure(22, { status: 'needs_review', errorCode: 'account_not_found' }),
];

beforeAll(async () => {
  await client.createTable();
  await Promise.all(entries.map((entry) => index.put(entry)));
});

afterAll(async () => {
  await client.deleteTable();
});

const minutes = (page: { entries: AttentionEntry[] }) => page.entries.map((e) => e.at.slice(14, 16));

describe('the operations index in Table storage', () => {
  it('pages a view newest first, and the cursor continues where the page ended', async () => {
    const first = await index.list({ view: 'failed', limit: 5 });
    expect(minutes(first)).toEqual(['21', '20', '11', '10', '09']);
    const second = await index.list({ view: 'failed', limit: 5, cursor: first.cursor });
    expect(minutes(second)).toEqual(['08', '07', '06', '05', '04']);
    const last = await index.list({ view: 'failed', limit: 5, cursor: second.cursor });
    expect(minutes(last)).toEqual(['03', '02', '01', '00']);
    expect(last.cursor).toBeUndefined();
    // A row added meanwhile (newer) does not shift the pages after the cursor.
    await index.put(failure(30));
    expect(minutes(await index.list({ view: 'failed', limit: 5, cursor: first.cursor }))).toEqual(
      minutes(second),
    );
  });

  it('filters by code, source, legal entity and time in the service', async () => {
    expect(minutes(await index.list({ view: 'failed', errorCode: 'business_error', limit: 50 }))).toEqual([
      '21',
      '20',
    ]);
    expect(minutes(await index.list({ view: 'failed', source: 'shop-eu', limit: 50 }))).toEqual(['21']);
    expect(minutes(await index.list({ view: 'failed', legalEntity: 'USMF', limit: 50 }))).toEqual(['20']);
    expect(
      minutes(await index.list({ view: 'failed', from: failedAt(3), to: failedAt(5), limit: 50 })),
    ).toEqual(['05', '04', '03']);
    expect(minutes(await index.list({ view: 'needs_review', limit: 50 }))).toEqual(['22']);
  });

  it('counts a view per error code, and removes rows', async () => {
    expect(await index.countByCode({ view: 'failed', legalEntity: 'USRT' })).toEqual({
      not_registered: 13,
      business_error: 1,
    });
    // With a time range (a bulk replay's count up to its start): the rows read, every filter applied.
    expect(
      await index.countByCode({
        view: 'failed',
        errorCode: 'business_error',
        to: '2026-11-27T00:00:00.000Z',
      }),
    ).toEqual({ business_error: 2 });
    expect(await index.countByCode({ view: 'failed', errorCode: 'business_error' })).toEqual({
      business_error: 2,
    });
    const [gone] = entries;
    await index.remove(gone!);
    await index.remove(gone!); // already gone: nothing to do
    expect((await index.countByCode({ view: 'failed' })).not_registered).toBe(12);
  });
});
