import { odata, TableClient } from '@azure/data-tables';
import { AppStack, startAppStack } from '../support/app-stack';
import { vaultOf } from '../support/webhooks';

/**
 * Drift repair (issue 30) end to end: an emulated Shopify shop sends `customers/create` to the app's
 * own host for every customer a merchant adds, but an emulator fault drops the webhooks of some
 * (`POST …/faults {dropEvents}`: a delivery Shopify gave up on). The `driftRepair` timer pages the
 * shop's customers changed since its watermark through the real shop client and sends those the
 * sync does not hold through the webhook intake. It must find every dropped one and none of the
 * synced ones: each shop customer ends with exactly one request and one D365 customer.
 *
 * Size: DRIFT_TEST_SYNCED synced customers (default 1,000) and 50 dropped, one dropped after
 * every ~20 synced, added in paced batches (each batch's deliveries settled before the next).
 */
const SHOP = 'drift-test.myshopify.com';
const SHOP_TOKEN = 'shpat_drift_test_0001';
const SHOP_SECRET = 'shpss_drift_0123456789abcdef0123456789abcd';
const SOURCE = 'drift-shopify';
const SYNCED = Number(process.env.DRIFT_TEST_SYNCED ?? 1000);
const DROPPED = 50;
const BATCH = 25;

let stack: AppStack;

const control = async <T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<T> => {
  const answer = await fetch(`${stack.emulator.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await answer.text();
  if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
};

type Delivery = { customerId: string; delivered: boolean; settled: boolean; lastResult: string };
type ShopReport = { deliveries: { pending: number; value: Delivery[] } };

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

type Row = { partitionKey: string; status: string; sourceCustomerId: string };

async function requestsOfSource(): Promise<Row[]> {
  const rows: Row[] = [];
  try {
    for await (const row of stack.table.listEntities<Row>({
      queryOptions: { filter: odata`source eq ${SOURCE} and kind eq ''` },
    }))
      rows.push({
        partitionKey: row.partitionKey,
        status: row.status,
        sourceCustomerId: row.sourceCustomerId,
      });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  return rows;
}

beforeAll(async () => {
  stack = await startAppStack({
    settings: (url) => ({
      WEBHOOK_SOURCES: JSON.stringify([
        {
          kind: 'shopify',
          name: SOURCE,
          shopDomain: SHOP,
          secretName: 'webhook-drift-shopify',
          adminApiTokenSecretName: 'shopify-admin-drift',
          adminApiUrl: `${url}/shopify/${SHOP}`,
          legalEntity: 'USRT',
          currency: 'USD',
          writeBack: false,
        },
      ]),
      // Every tick (30 s) may run the shop; a customer is left to its webhook for 20 s.
      'AzureWebJobs.driftRepair.Disabled': 'false',
      DRIFT_REPAIR_INTERVAL_SECONDS: '1',
      DRIFT_REPAIR_SETTLE_SECONDS: '20',
      DRIFT_REPAIR_LOOKBACK_HOURS: '1',
      DRIFT_REPAIR_MAX_CUSTOMERS: '5000',
      // 2 + 100 × 4 points a page: under Shopify's 1,000-point single-query limit.
      BACKFILL_PAGE_SIZE: '100',
    }),
  });
  const vault = vaultOf(stack.emulator.url);
  await vault.setSecret('webhook-drift-shopify', SHOP_SECRET);
  await vault.setSecret('shopify-admin-drift', SHOP_TOKEN);
  await control('PUT', `/_emulator/shopify/shops/${SHOP}`, {
    plan: 'advanced',
    apps: [
      {
        token: SHOP_TOKEN,
        clientSecret: SHOP_SECRET,
        webhooks: [{ topic: 'customers/create', address: `${stack.url}/api/webhooks/shopify` }],
      },
    ],
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('drift repair of a Shopify shop', () => {
  it(`finds all ${DROPPED} customers whose webhooks were dropped, and none of ${SYNCED} synced`, async () => {
    const dropped = new Set<string>();
    const every = Math.floor((SYNCED + DROPPED) / DROPPED);
    for (let start = 0; start < SYNCED + DROPPED; start += BATCH) {
      for (let i = start; i < Math.min(start + BATCH, SYNCED + DROPPED); i += 1) {
        const drop = i % every === every - 1 && dropped.size < DROPPED;
        if (drop) await control('POST', `/_emulator/shopify/shops/${SHOP}/faults`, { dropEvents: 1 });
        const customer = await control<{ id: string }>('POST', `/_emulator/shopify/shops/${SHOP}/customers`, {
          first_name: 'Drift',
          last_name: `Customer${i}`,
          email: `drift.${i}@example.com`,
        });
        if (drop) dropped.add(customer.id);
      }
      // Paced as a shop's webhooks come: the batch's deliveries settle before the next batch.
      await until(
        'the batch of webhooks to settle',
        async () =>
          (await control<ShopReport>('GET', `/_emulator/shopify/shops/${SHOP}`)).deliveries.pending === 0
            ? true
            : undefined,
        120_000,
      );
    }
    const lastAdded = Date.now();
    expect(dropped.size).toBe(DROPPED);
    const { deliveries } = await control<ShopReport>('GET', `/_emulator/shopify/shops/${SHOP}`);
    // The fault dropped exactly those; every other webhook reached the app at once (no retry lost one).
    expect(
      deliveries.value
        .filter((d) => d.lastResult === 'dropped')
        .map((d) => d.customerId)
        .sort(),
    ).toEqual([...dropped].sort());
    expect(deliveries.value.filter((d) => d.delivered)).toHaveLength(SYNCED);

    // The timer's pass has covered every customer added (its watermark is past the last one)...
    const backfills = TableClient.fromConnectionString(
      process.env.TEST_STORAGE_CONNECTION_STRING!,
      stack.env.BACKFILL_TABLE_NAME!,
      { allowInsecureConnection: true },
    );
    await until(
      'the drift watermark to pass the last customer',
      async () => {
        const row = await backfills
          .getEntity<{ watermark?: string }>('drift-repair', SOURCE)
          .catch(() => undefined);
        return row?.watermark && Date.parse(row.watermark) > lastAdded ? true : undefined;
      },
      240_000,
    );
    // ...and every request it and the webhooks made has ended.
    const rows = await until(
      'every request to end',
      async () => {
        const all = await requestsOfSource();
        return all.length >= SYNCED + DROPPED && all.every((r) => r.status === 'succeeded') ? all : undefined;
      },
      300_000,
    );

    // One request per shop customer: none of the synced ones was sent again (0 false positives)...
    const perCustomer = new Map<string, number>();
    for (const row of rows)
      perCustomer.set(row.sourceCustomerId, (perCustomer.get(row.sourceCustomerId) ?? 0) + 1);
    expect(perCustomer.size).toBe(SYNCED + DROPPED);
    expect([...perCustomer.values()].filter((n) => n !== 1)).toEqual([]);
    // ...and drift repair's requests are exactly the dropped customers' (100 % found).
    const driftIds = new Set(
      stack.hostOutput
        .filter((line) => line.includes('webhook.accepted') && line.includes('topic=drift-repair'))
        .map((line) => /correlationId=([0-9a-f-]{36})/.exec(line)?.[1]),
    );
    const foundByDrift = rows.filter((r) => driftIds.has(r.partitionKey)).map((r) => r.sourceCustomerId);
    expect(foundByDrift.sort()).toEqual([...dropped].sort());
    const foundInRuns = stack.hostOutput
      .filter((line) => line.includes('drift.run'))
      .reduce((sum, line) => sum + Number(/found=(\d+)/.exec(line)?.[1] ?? 0), 0);
    expect(foundInRuns).toBe(DROPPED);
    expect(await stack.customers()).toHaveLength(SYNCED + DROPPED);
  }, 900_000);
});
