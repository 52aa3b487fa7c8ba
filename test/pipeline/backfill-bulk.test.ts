import { AppStack, startAppStack } from '../support/app-stack';
import { vaultOf } from '../support/webhooks';
import { emulatorControl } from '../support/emulator-control';
import { backfillEnded, sourceRequests, startBackfill } from '../support/backfill-run';

/**
 * The backfill through a Shopify bulk query operation (issue 30, `read: "bulk"`), end to end on the
 * app's own host: one bulk operation in the emulated shop, polled until it completes, its JSONL file
 * read page by page with Range requests (each customer's addresses as `__parentId` lines), each
 * customer through the webhook intake and the worker into the emulated D365, exactly once.
 */
const SHOP = 'backfill-bulk.myshopify.com';
const SHOP_TOKEN = 'shpat_backfill_bulk_0001';
const SHOP_SECRET = 'shpss_backfill_bulk_0123456789abcdef012345';
const CUSTOMERS = 500;
const PAGE_SIZE = 50;

let stack: AppStack;

const control = emulatorControl(() => stack.emulator.url);

/** Every fifth customer has two addresses, every other one none. */
const shopCustomers = Array.from({ length: CUSTOMERS }, (_, i) => ({
  first_name: 'Bulk',
  last_name: `Customer${i}`,
  email: `bulk.${i}@example.com`,
  addresses:
    i % 5 === 0
      ? [
          {
            address1: `${i} Main St`,
            city: 'Springfield',
            province_code: 'IL',
            zip: '62701',
            country_code: 'US',
          },
          {
            address1: `${i} Side St`,
            city: 'Chicago',
            province_code: 'IL',
            zip: '60601',
            country_code: 'US',
          },
        ]
      : [],
}));

type Progress = {
  state: string;
  read: string;
  pages: number;
  total?: number;
  counts: Record<string, number>;
  error?: string;
};

async function backfill(body: Record<string, unknown>): Promise<Progress> {
  return backfillEnded<Progress>(await startBackfill(stack.url, body), { timeoutMs: 300_000, pollMs: 1_000 });
}

async function succeededRows(count: number) {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const rows = await sourceRequests(stack.table, 'bulk-shopify');
    if (rows.filter((r) => r.status === 'succeeded').length >= count) return rows;
    if (Date.now() > deadline) throw new Error(`${rows.length} rows, not ${count} succeeded`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

beforeAll(async () => {
  stack = await startAppStack({
    settings: (url) => ({
      WEBHOOK_SOURCES: JSON.stringify([
        {
          kind: 'shopify',
          name: 'bulk-shopify',
          shopDomain: SHOP,
          secretName: 'webhook-bulk-shopify',
          adminApiTokenSecretName: 'shopify-admin-bulk',
          adminApiUrl: `${url}/shopify/${SHOP}`,
          legalEntity: 'USRT',
          currency: 'USD',
          writeBack: false,
        },
      ]),
      BACKFILL_PAGE_SIZE: String(PAGE_SIZE),
    }),
  });
  const vault = vaultOf(stack.emulator.url);
  await vault.setSecret('webhook-bulk-shopify', SHOP_SECRET);
  await vault.setSecret('shopify-admin-bulk', SHOP_TOKEN);
  await control('PUT', `/_emulator/shopify/shops/${SHOP}`, {
    apps: [{ token: SHOP_TOKEN, clientSecret: SHOP_SECRET }],
    customers: shopCustomers,
    bulkRunMs: 3_000,
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('backfill through a Shopify bulk operation', () => {
  it('loads 500 customers from one bulk operation, each once, page by page through its file', async () => {
    const done = await backfill({ source: 'bulk-shopify', read: 'bulk' });
    expect(done).toMatchObject({
      state: 'done',
      read: 'bulk',
      pages: CUSTOMERS / PAGE_SIZE,
      total: CUSTOMERS,
    });
    expect(done.counts).toMatchObject({ found: CUSTOMERS, queued: CUSTOMERS, replayed: 0, unmappable: 0 });

    const rows = await succeededRows(CUSTOMERS);
    expect(rows).toHaveLength(CUSTOMERS);
    expect(new Set(rows.map((r) => r.sourceCustomerId)).size).toBe(CUSTOMERS);
    expect(await stack.customers()).toHaveLength(CUSTOMERS);

    // One operation; its file read in ranges, one or more per page, never whole at once.
    const shop = await control<{
      apps: { bulkOperations: { rootObjectCount: number; objectCount: number; downloads: number }[] }[];
    }>('GET', `/_emulator/shopify/shops/${SHOP}`);
    const operations = shop.apps[0]!.bulkOperations;
    expect(operations).toHaveLength(1);
    expect(operations[0]).toMatchObject({ rootObjectCount: CUSTOMERS, objectCount: CUSTOMERS + 2 * 100 });
    expect(operations[0]!.downloads).toBeGreaterThanOrEqual(CUSTOMERS / PAGE_SIZE);
  }, 600_000);

  it('loads an uploaded Shopify customer export: valid rows once, bad rows left out with pointers', async () => {
    const header =
      'Customer ID,First Name,Last Name,Email,Company,Address1,Address2,City,Province,Province Code,Country,Country Code,Zip,Phone,Accepts Email Marketing,Accepts SMS Marketing,Total Spent,Total Orders,Tags,Note,Tax Exempt';
    const row = (id: string, email: string, country = 'US') =>
      `${id},Csv,"Row, ${id}",${email},,1 Main St,,Springfield,Illinois,IL,United States,${country},62701,,no,no,0.00,0,,,no`;
    const csv = [
      header,
      row("'8100000000001", 'csv.1@example.com'),
      row('8100000000002', 'csv.2@example.com'),
      row('8100000000003', 'not-an-address'),
      row('8100000000004', 'csv.4@example.com', 'USA'),
      row('8100000000002', 'csv.2b@example.com'),
      row('8100000000005', 'csv.5@example.com'),
    ].join('\r\n');
    const upload = async (body: string, type = 'text/csv') =>
      fetch(`${stack.url}/api/backfills/csv?source=bulk-shopify`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
    const started = await upload(csv);
    expect(started.status).toBe(202);
    const answer = (await started.json()) as Progress & { rejected: { pointer: string; detail: string }[] };
    expect(answer).toMatchObject({ read: 'csv', total: 3, state: 'running' });
    expect(answer.rejected).toEqual([
      { pointer: '/rows/2/Email', detail: 'Line 4: not an e-mail address.' },
      {
        pointer: '/rows/3/Country Code',
        detail: 'Line 5: not a two-letter country code (ISO 3166-1 alpha-2).',
      },
      { pointer: '/rows/4/Customer ID', detail: 'Line 6: the same customer as data row 1.' },
    ]);
    // No value of a row is echoed.
    expect(JSON.stringify(answer)).not.toContain('not-an-address');
    const location = started.headers.get('location')!;
    expect(location).toMatch(/\/api\/backfills\/[0-9a-f-]{36}$/);
    const deadline = Date.now() + 120_000;
    let progress: Progress;
    for (;;) {
      progress = (await (await fetch(location)).json()) as Progress;
      if (progress.state !== 'running' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(progress).toMatchObject({ state: 'done', read: 'csv', pages: 1 });
    expect(progress.counts).toMatchObject({ found: 3, queued: 3, replayed: 0 });
    const rows = await succeededRows(CUSTOMERS + 3);
    const ids = rows.map((r) => r.sourceCustomerId).filter((id) => id.startsWith('81000000'));
    expect(ids.sort()).toEqual(['8100000000001', '8100000000002', '8100000000005']);
    expect(await stack.customers()).toHaveLength(CUSTOMERS + 3);

    // Nothing sendable: 400 with the pointers; not CSV: 415.
    const none = await upload([header, row('8100000000009', 'bad')].join('\n'));
    expect(none.status).toBe(400);
    expect(((await none.json()) as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe(
      '/rows/0/Email',
    );
    expect((await upload('{}', 'application/json')).status).toBe(415);
    const noEmail = await upload('First Name\nAda');
    expect(((await noEmail.json()) as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe(
      '/header/Email',
    );
  }, 300_000);

  it('refuses `read: "bulk"` of an unknown value', async () => {
    const refused = await fetch(`${stack.url}/api/backfills`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'bulk-shopify', read: 'everything' }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe('/read');
  });
});
