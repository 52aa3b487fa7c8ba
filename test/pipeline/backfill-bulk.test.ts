import { odata } from '@azure/data-tables';
import { AppStack, startAppStack } from '../support/app-stack';
import { vaultOf } from '../support/webhooks';

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

const control = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => {
  const answer = await fetch(`${stack.emulator.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await answer.text();
  if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
};

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
  const started = await fetch(`${stack.url}/api/backfills`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(started.status).toBe(202);
  const location = started.headers.get('location')!;
  const deadline = Date.now() + 300_000;
  for (;;) {
    const progress = (await (await fetch(location)).json()) as Progress;
    if (progress.state !== 'running') return progress;
    if (Date.now() > deadline) throw new Error(`backfill still running: ${JSON.stringify(progress)}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

async function succeededRows(count: number) {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const rows: { status: string; sourceCustomerId: string }[] = [];
    try {
      for await (const row of stack.table.listEntities<{ status: string; sourceCustomerId: string }>({
        queryOptions: { filter: odata`source eq 'bulk-shopify' and kind eq ''` },
      }))
        rows.push({ status: row.status, sourceCustomerId: row.sourceCustomerId });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
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
