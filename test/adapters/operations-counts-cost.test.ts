import { randomBytes, randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { tableOperationsIndex } from '../../shared/adapters/operations/table-operations-index';
import { COUNTER_SHARDS } from '../../shared/adapters/operations/table-view-counters';
import { attentionEntryOf, AttentionEntry } from '../../shared/domain/operations/attention';
import type { FailureCode, StatusRecord } from '../../shared/domain/status';
import { listRequests } from '../../shared/use-cases/operations/list-requests';

// Issue 31's "10,000 failures listed in pages under a second each": the first page of a view, the
// one with the counts per error code, must read O(page) rows, not every row of the view. Counted
// against Azurite with the real Table SDK: every storage call and every entity the service answered.
const client = TableClient.fromConnectionString(
  process.env.TEST_STORAGE_CONNECTION_STRING!,
  `opscost${randomBytes(4).toString('hex')}`,
  { allowInsecureConnection: true },
);
const read = { calls: 0, rows: 0 };
client.pipeline.addPolicy({
  name: 'count-reads',
  async sendRequest(request, next) {
    const response = await next(request);
    read.calls += 1;
    if (request.method === 'GET' && response.bodyAsText) {
      const body = JSON.parse(response.bodyAsText) as { value?: unknown[] };
      read.rows += Array.isArray(body.value) ? body.value.length : 1;
    }
    return response;
  },
});
const index = tableOperationsIndex(async () => client);

const STORED = 10_000;
const started = Date.parse('2026-11-26T17:00:00.000Z');
function failure(n: number, fields: Partial<StatusRecord> = {}): AttentionEntry {
  const at = new Date(started + n * 360).toISOString();
  return attentionEntryOf({
    correlationId: randomUUID(),
    status: 'failed',
    legalEntity: n % 10 === 0 ? 'USMF' : 'USRT',
    target: 'custom-service',
    attempts: 1,
    createdAt: at,
    updatedAt: at,
    errorCode: n % 4 === 0 ? 'business_error' : 'not_registered',
    etag: '',
    ...fields,
  })!;
}

/** A second instance of the app on the same table (its own counter cache and lines). */
const other = tableOperationsIndex(async () => client);

async function putAll(entries: AttentionEntry[], concurrency: number, via = [index]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (next < entries.length) await via[worker % via.length]!.put(entries[next++]!);
    }),
  );
}

/** The counts by reading every row of the view (a time range that holds them all). */
const scanned = (view: AttentionEntry['view'], filter: { legalEntity?: string } = {}) =>
  index.countByCode({ view, ...filter, from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });

beforeAll(async () => {
  await client.createTable();
}, 30_000);

afterAll(async () => {
  await client.deleteTable();
});

describe('the first page of a view with its counts', () => {
  it(`reads O(page) rows with ${STORED} stored: 2 queries, ≤ page + 1 + counter rows`, async () => {
    read.calls = 0;
    await putAll(
      Array.from({ length: STORED }, (_, n) => failure(n)),
      32,
    );
    // Writing a row costs what it did before the counters (one call: here the transaction of the
    // row and its counter), plus one read of each counter row the first time this instance uses it.
    expect(read.calls).toBeLessThanOrEqual(STORED + 4 * COUNTER_SHARDS);
    read.calls = 0;
    read.rows = 0;
    const page = await listRequests({ view: 'failed', limit: 50 }, { index });
    expect(page.items).toHaveLength(50);
    expect(page.counts).toEqual({
      total: STORED,
      byCode: { not_registered: STORED * 0.75, business_error: STORED * 0.25 },
    });
    // The page (limit + 1 asked, to know whether there is more) and the counters: 2 codes × 2 legal
    // entities × COUNTER_SHARDS rows at most. Before the counters: 10 queries, 10,050 rows.
    expect(read.calls).toBe(2);
    expect(read.rows).toBeLessThanOrEqual(51 + 4 * COUNTER_SHARDS);

    read.calls = 0;
    read.rows = 0;
    const usmf = await listRequests({ view: 'failed', legalEntity: 'USMF', limit: 50 }, { index });
    expect(usmf.counts).toEqual({ total: 1_000, byCode: { business_error: 500, not_registered: 500 } });
    expect(read.calls).toBe(2);
    expect(read.rows).toBeLessThanOrEqual(51 + 2 * COUNTER_SHARDS);
    expect(await scanned('failed', { legalEntity: 'USMF' })).toEqual(usmf.counts!.byCode);
  }, 600_000);
});

describe('the counters stay exact', () => {
  const view = 'needs_review' as const;
  const review = (n: number, errorCode: FailureCode = 'account_not_found') =>
    failure(n, { status: 'needs_review', errorCode, legalEntity: 'USRT' });

  it('through two instances’ concurrent inserts, removes, repeated writes and removes of rows already gone', async () => {
    const entries = Array.from({ length: 300 }, (_, n) => review(n));
    await putAll(entries, 24, [index, other]);
    await putAll(entries.slice(0, 100), 24, [other, index]); // written again (a retried write): counted once
    const gone = entries.slice(100, 250);
    await Promise.all(
      [...gone, ...gone.slice(0, 50)].map((entry, n) => (n % 2 === 0 ? index : other).remove(entry)),
    );
    expect(await index.countByCode({ view })).toEqual({ account_not_found: 150 });
    expect(await scanned(view)).toEqual({ account_not_found: 150 });
  }, 120_000);

  it('moves a row to its new code when it is written again with another (same row key)', async () => {
    const entry = failure(5_000, {
      status: 'needs_review',
      errorCode: 'business_error',
      legalEntity: 'DEMF',
    });
    await index.put(entry);
    expect(await index.countByCode({ view, legalEntity: 'DEMF' })).toEqual({ business_error: 1 });
    await index.put({ ...entry, errorCode: 'not_registered' });
    expect(await index.countByCode({ view, legalEntity: 'DEMF' })).toEqual({ not_registered: 1 });
    expect(await scanned(view, { legalEntity: 'DEMF' })).toEqual({ not_registered: 1 });
    await index.remove(entry);
    expect(await index.countByCode({ view, legalEntity: 'DEMF' })).toEqual({});
  });
});
