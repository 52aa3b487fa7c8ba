import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';
import { vaultOf } from '../support/webhooks';
import { emulatorControl } from '../support/emulator-control';
import { backfillEnded, sourceRequests, startBackfill } from '../support/backfill-run';

/**
 * The backfill (issue 30) end to end: an emulated Shopify shop with customers the app has never
 * heard of (no webhook subscription), loaded through `POST /api/backfills` on the app's own host:
 * the pager reads the shop's pages through the real shop client, each customer goes through the
 * webhook intake and the worker into the emulated D365. A second run finds them linked and sends
 * nothing; a run over a bigger shop sends only the new ones.
 */
const SHOP = 'backfill-test.myshopify.com';
const SHOP_TOKEN = 'shpat_backfill_test_0001';
const SHOP_SECRET = 'shpss_backfill_0123456789abcdef0123456789ab';

let stack: AppStack;

/** Outside a dry run, no lookups are counted. */
const NO_LOOKUPS = { wouldCreate: 0, wouldLinkByEmail: 0, wouldLinkByNameAndPhone: 0, wouldReview: 0 };

const control = emulatorControl(() => stack.emulator.url);

const shopCustomers = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    first_name: 'Backfill',
    last_name: `Customer${from + i}`,
    email: `backfill.${from + i}@example.com`,
  }));

type Progress = {
  jobId: string;
  state: string;
  pages: number;
  counts: Record<string, number>;
  perMinute?: number;
};

async function backfill(body: Record<string, unknown>): Promise<Progress> {
  const location = await startBackfill(stack.url, body);
  expect(location).toMatch(/\/api\/backfills\/[0-9a-f-]{36}$/);
  return backfillEnded<Progress>(location, { timeoutMs: 120_000, pollMs: 500 });
}

async function createsEnded(count: number) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const rows = await sourceRequests(stack.table, 'bf-shopify');
    // The customer without an e-mail or phone ends `failed` (unmappable) at once; the others succeed.
    const succeeded = rows.filter((r) => r.status === 'succeeded');
    if (succeeded.length >= count && rows.every((r) => ['succeeded', 'failed'].includes(r.status)))
      return succeeded;
    if (Date.now() > deadline) throw new Error(`creates not ended: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  stack = await startAppStack({
    settings: (url) => ({
      WEBHOOK_SOURCES: JSON.stringify([
        {
          kind: 'shopify',
          name: 'bf-shopify',
          shopDomain: SHOP,
          secretName: 'webhook-bf-shopify',
          adminApiTokenSecretName: 'shopify-admin-bf',
          adminApiUrl: `${url}/shopify/${SHOP}`,
          legalEntity: 'USRT',
          currency: 'USD',
          writeBack: false,
        },
      ]),
      BACKFILL_PAGE_SIZE: '4',
    }),
  });
  const vault = vaultOf(stack.emulator.url);
  await vault.setSecret('webhook-bf-shopify', SHOP_SECRET);
  await vault.setSecret('shopify-admin-bf', SHOP_TOKEN);
  // No webhook subscription: these customers exist only in the shop.
  await control('PUT', `/_emulator/shopify/shops/${SHOP}`, {
    apps: [{ token: SHOP_TOKEN, clientSecret: SHOP_SECRET }],
    // The last has neither an e-mail nor a phone: unmappable (a phone-only one is created: issue 32).
    customers: [...shopCustomers(0, 9), { first_name: 'No', last_name: 'Mail' }],
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('backfill of a Shopify shop', () => {
  it('loads every customer once, page by page; a second run sends nothing; a bigger shop sends only the new ones', async () => {
    const first = await backfill({ source: 'bf-shopify' });
    // The shop's own count (customersCount) came with the first page.
    expect(first).toMatchObject({ state: 'done', pages: 3, total: 10 });
    expect(first.counts).toEqual({
      ...NO_LOOKUPS,
      found: 10,
      queued: 9,
      replayed: 0,
      skippedLinked: 0,
      unmappable: 1,
    });
    await createsEnded(9);
    expect(await stack.customers()).toHaveLength(9);

    const again = await backfill({ source: 'bf-shopify' });
    expect(again.counts).toEqual({
      ...NO_LOOKUPS,
      found: 10,
      queued: 0,
      replayed: 1,
      skippedLinked: 9,
      unmappable: 0,
    });

    for (const added of shopCustomers(9, 3))
      await control('POST', `/_emulator/shopify/shops/${SHOP}/customers`, added);
    // One of them is in D365 already (a POS created it with the same e-mail).
    const pos = {
      Customer: { ...sampleCustomer('minimal').Customer, EmailAddress: 'backfill.10@example.com' },
    };
    const created = await postJson(`${stack.url}/api/customers`, pos);
    expect(created.status).toBe(202);
    const location = (created.json as { statusUrl?: string }).statusUrl ?? created.headers.get('location')!;
    expect(await waitForTerminal(location, 60_000)).toMatchObject({ status: 'succeeded' });
    const dry = await backfill({ source: 'bf-shopify', dryRun: true });
    // Lookups only: the 3 new ones would be sent (one linked by its e-mail, never shown), the one
    // without an e-mail has its request already.
    expect(dry.counts).toEqual({
      found: 13,
      queued: 3,
      replayed: 1,
      skippedLinked: 9,
      unmappable: 0,
      wouldCreate: 2,
      wouldLinkByEmail: 1,
      wouldLinkByNameAndPhone: 0,
      wouldReview: 0,
    });
    expect(JSON.stringify(dry)).not.toContain('backfill.10@example.com');
    expect(await stack.customers()).toHaveLength(10);
    const third = await backfill({ source: 'bf-shopify' });
    expect(third.counts).toMatchObject({ found: 13, queued: 3, skippedLinked: 9 });
    const rows = await createsEnded(12);
    // One request per shop customer, one D365 customer each (the one the POS created, linked).
    expect(new Set(rows.map((r) => r.sourceCustomerId)).size).toBe(12);
    expect(await stack.customers()).toHaveLength(12);

    // The CLI (npm run backfill) against the same app: a dry run now finds every one linked.
    const cli = await promisify(execFile)(
      process.execPath,
      [
        join(__dirname, '..', '..', 'dist-dev', 'dev', 'local-stack', 'backfill-command.js'),
        ...['--url', `${stack.url}/api`, '--source', 'bf-shopify', '--dry-run', '--interval-ms', '200'],
      ],
      { timeout: 120_000 },
    );
    expect(cli.stdout).toMatch(/: done \(dry run\)\n {2}13 customers in 4 pages/);
    expect(cli.stdout).toContain('0 would be sent to D365, 12 already linked, 1 sent before, 0 unmappable');
  }, 300_000);

  it('refuses a source that is not a shop with an Admin API token, and an unknown job', async () => {
    const refused = await fetch(`${stack.url}/api/backfills`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'nobody' }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe('/source');
    const unknown = await fetch(`${stack.url}/api/backfills/0b8f2d3c-6a1e-4f3b-9c2d-1e5f7a9b0c4d`);
    expect(unknown.status).toBe(404);
  });
});
