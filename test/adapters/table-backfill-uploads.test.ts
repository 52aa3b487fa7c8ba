import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { emptyCounts } from '../../shared/domain/backfill';
import { emailKeyOf } from '../../shared/domain/customer-identity';
import { SubjectQuery, uploadedCustomerMatches } from '../../shared/domain/privacy';
import { tableBackfillJobs } from '../../shared/adapters/table-backfill-jobs';
import { tableBackfillUploads } from '../../shared/adapters/table-backfill-uploads';
import { tableDriftWatermarks } from '../../shared/adapters/table-drift-watermarks';
import { purgeExpiredUploads } from '../../shared/use-cases/retention';
import { silentLog, ShopCustomer } from '../../shared/ports';

// An uploaded Shopify export's pages (the CSV backfill, issue 30) against Azurite (started by the
// global setup), with the real SDK: they are personal data, so an erasure takes one customer's rows
// out of every page (the rest of the page stays for its job), a failed job's pages go, and retention
// deletes what is left past its time. Drift repair's rows in the same table are never touched.
const connection = process.env.TEST_STORAGE_CONNECTION_STRING!;
const table = TableClient.fromConnectionString(connection, `backfills${randomBytes(4).toString('hex')}`, {
  allowInsecureConnection: true,
});
const uploads = tableBackfillUploads(async () => table);
const jobs = tableBackfillJobs(async () => table);

const row = (id: string, email: string | null): ShopCustomer => ({
  id,
  email,
  firstName: 'Row',
  lastName: `Person ${id}`,
  phone: '+14255550100',
  updatedAt: '2026-12-01T09:00:00.000Z',
  account: null,
});

async function job(jobId: string, source: string): Promise<void> {
  const at = '2026-12-07T10:00:00.000Z';
  await jobs.create({
    jobId,
    source,
    dryRun: false,
    read: 'csv',
    state: 'running',
    page: 0,
    cursor: 'csv:2',
    counts: emptyCounts(),
    startedBy: 'master-key',
    startedAt: at,
    updatedAt: at,
  });
}

/** Every page row's customer IDs, by `<job>/<row key>`. */
async function stored(): Promise<Record<string, string[]>> {
  const pages: Record<string, string[]> = {};
  for await (const entity of table.listEntities()) {
    if (!entity.rowKey?.startsWith('page-') || entity.parts === undefined) continue;
    const customers = await uploads.getPage(entity.partitionKey!, Number(entity.rowKey.slice(5)));
    pages[`${entity.partitionKey}/${entity.rowKey}`] = (customers ?? []).map((c) => c.id);
  }
  return pages;
}

beforeAll(async () => {
  await table.createTable();
});

afterAll(async () => {
  await table.deleteTable();
});

describe('uploaded export pages in Storage', () => {
  it("an erasure takes one customer's rows out of every page, by its ID under its job's source or its e-mail; the rest stay", async () => {
    await job('job-a', 'shop-a');
    await job('job-b', 'shop-b');
    const now = '2026-12-07T10:00:00.000Z';
    // A page is large (more than one 30,000-character part) so a rewrite keeps its parts right.
    const many = Array.from({ length: 300 }, (_, i) => row(`9${i}`, `bulk.${i}@example.com`));
    await uploads.putPages(
      'job-a',
      [
        [row('1', 'jane@example.com'), row('2', 'JANE@example.com'), row('3', null), ...many],
        [row('4', null)],
      ],
      now,
    );
    await uploads.putPages('job-b', [[row('1', 'someone@example.com'), row('5', 'x@example.com')]], now);
    // A drift repair row whose source name begins like a page row: not a page.
    await tableDriftWatermarks(async () => table).create('page-shop');

    const query: SubjectQuery = {
      references: [{ source: 'shop-a', sourceCustomerId: '1' }],
      emailKeys: [emailKeyOf('jane@example.com')],
    };
    const gone = await uploads.forgetCustomers((customer, source) =>
      uploadedCustomerMatches(customer, source, query),
    );
    expect(gone).toBe(2); // shop-a's 1 by reference, 2 by its e-mail; shop-b's 1 is someone else
    const pages = await stored();
    expect(pages['job-a/page-000000']).toEqual(['3', ...many.map((c) => c.id)]);
    expect(pages['job-a/page-000001']).toEqual(['4']);
    expect(pages['job-b/page-000000']).toEqual(['1', '5']);
    const text = JSON.stringify(await uploads.getPage('job-a', 0));
    expect(text).not.toContain('jane@example.com');
    expect(text.toLowerCase()).not.toContain('jane@');
    // A second pass finds nothing; a whole shop (shop/redact) empties its job's pages, which stay readable.
    expect(await uploads.forgetCustomers((c, s) => uploadedCustomerMatches(c, s, query))).toBe(0);
    const wholeShop: SubjectQuery = { source: 'shop-b', wholeSource: true };
    expect(await uploads.forgetCustomers((c, s) => uploadedCustomerMatches(c, s, wholeShop))).toBe(2);
    expect(await uploads.getPage('job-b', 0)).toEqual([]);
    expect((await stored())['job-a/page-000001']).toEqual(['4']);
  });

  it("a failed job's pages go; retention deletes pages uploaded before its cutoff, at most `limit` a call", async () => {
    await job('job-failed', 'shop-a');
    await uploads.putPages('job-failed', [[row('7', null)], [row('8', null)]], '2026-12-07T10:00:00.000Z');
    expect(await uploads.deletePages('job-failed')).toBe(2);
    expect(await jobs.get('job-failed')).toBeDefined(); // its row (counts, no personal data) stays
    expect(Object.keys(await stored()).filter((k) => k.startsWith('job-failed/'))).toEqual([]);

    await job('job-old', 'shop-a');
    const old = Array.from({ length: 3 }, (_, i) => [row(`o${i}`, null)]);
    await uploads.putPages('job-old', old, '2026-11-20T10:00:00.000Z');
    const before = Object.keys(await stored());
    const now = () => new Date('2026-12-07T12:00:00.000Z');
    expect(await uploads.deleteUploadedBefore('2026-11-30T12:00:00.000Z', 2)).toBe(2);
    expect(await purgeExpiredUploads({ uploads, log: silentLog, retentionDays: 7, now }, 2)).toBe(1);
    const after = Object.keys(await stored());
    expect(after).toEqual(before.filter((k) => !k.startsWith('job-old/')));
    expect(after.length).toBeGreaterThan(0); // the pages uploaded on 7 December stay
    expect((await tableDriftWatermarks(async () => table).get('page-shop'))?.source).toBe('page-shop');
  });
});
