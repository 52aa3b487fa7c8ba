import { QueueClient } from '@azure/storage-queue';
import { AppStack, startAppStack } from '../support/app-stack';
import { vaultOf } from '../support/webhooks';

/**
 * D365 changes reach the shop through Azure Event Grid (issue 29, FO_EVENTS_DELIVERY=eventGrid) on the
 * real host, Azurite and the emulator: the emulated F&O's "Azure Event Grid" endpoint publishes an
 * operator's change to the emulated topic with its key; the topic validates its subscription to the
 * `foEventGrid` webhook first, then pushes each event (repeated by the `duplicate` fault) to it; the
 * change ends as one `customerUpdate` in the shop.
 */
const SHOP = 'fo-grid-test.myshopify.com';
const SHOP_TOKEN = 'shpat_fo_grid_test_0001';
const SHOP_SECRET = 'shpss_0123456789abcdeffedcba9876543210';
const SYSTEM_KEY = 'fo-grid-system-key-0123456789abcdef';
const TOPIC_KEY = 'fo-grid-topic-key-0123456789abcdef=';
let stack: AppStack;
let queue: QueueClient;

const control = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
  stack.emulatorApi<T>(method, path, body);

type ShopReport = {
  customers: { id: string; first_name: string; last_name: string }[];
  deliveries: { pending: number; value: { cause: string; customerId: string }[] };
};
const shopReport = () => control<ShopReport>('GET', `/_emulator/shopify/shops/${SHOP}`);
type Delivery = { address: string; attempts: number; lastResult: string; settled: boolean };
type GridReport = {
  subscription: { name: string } | null;
  published: { id: string; eventType: string; deliveries: Delivery[] }[];
};
const gridReport = () => control<GridReport>('GET', '/_emulator/event-grid');

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 90_000;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await read();
  }
  return last;
}

const webhook = (code: string) =>
  `${stack.url}/runtime/webhooks/eventgrid?functionName=foEventGrid&code=${encodeURIComponent(code)}`;

beforeAll(async () => {
  stack = await startAppStack({
    settings: (url) => ({
      WEBHOOK_SOURCES: JSON.stringify([
        {
          kind: 'shopify',
          name: 'fo-grid-shopify',
          shopDomain: SHOP,
          secretName: 'webhook-fo-grid-shopify',
          adminApiTokenSecretName: 'shopify-admin-fo-grid',
          adminApiUrl: `${url}/shopify/${SHOP}`,
          legalEntity: 'USRT',
          currency: 'USD',
        },
      ]),
      FO_EVENTS_DELIVERY: 'eventGrid',
      DEV_SYSTEM_KEYS: JSON.stringify({ eventgrid_extension: SYSTEM_KEY }),
    }),
  });
  const vault = vaultOf(stack.emulator.url);
  await vault.setSecret('webhook-fo-grid-shopify', SHOP_SECRET);
  await vault.setSecret('shopify-admin-fo-grid', SHOP_TOKEN);
  queue = new QueueClient(String(stack.env.AzureWebJobsStorage), String(stack.env.FO_EVENTS_QUEUE_NAME));
  await control('PUT', `/_emulator/shopify/shops/${SHOP}`, {
    apps: [
      {
        token: SHOP_TOKEN,
        clientSecret: SHOP_SECRET,
        webhooks: ['customers/create', 'customers/update'].map((topic) => ({
          topic,
          address: `${stack.url}/api/webhooks/shopify`,
        })),
      },
    ],
    retryDelaysMs: [500, 1000, 2000],
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('D365 changes to the shop through Event Grid', () => {
  it('the subscription is refused when its webhook does not answer the validation handshake (wrong key)', async () => {
    const refused = await fetch(`${stack.emulator.url}/_emulator/event-grid`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: TOPIC_KEY, subscription: { endpoint: webhook('not-the-system-key') } }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toMatch(/validation handshake failed.*401/);
    expect((await gridReport()).subscription).toBeNull();
  });

  it("an operator's change in D365 reaches the shop once, though F&O publishes its event twice", async () => {
    const made = await control<{ id: string }>('POST', `/_emulator/shopify/shops/${SHOP}/customers`, {
      first_name: 'Grace',
      last_name: 'Hopper',
      email: `grace.grid.${Date.now()}@example.com`,
    });
    const rows = await waitFor(
      'the D365 customer',
      async () =>
        (await control<{ value: { account: string; legalEntity: string }[] }>('GET', '/_emulator/customers'))
          .value,
      (found) => found.length === 1,
    );
    const { legalEntity, account } = rows[0]!;
    // The write-back of the account settled, so the writes counted below are the change's only.
    await waitFor('the write-back echo', shopReport, (report) =>
      report.deliveries.value.some((d) => d.cause === 'api' && d.customerId === made.id),
    );
    await waitFor('settled deliveries', shopReport, (report) => report.deliveries.pending === 0);
    const writesBefore = (await shopReport()).deliveries.value.filter((d) => d.cause === 'api').length;

    await control('PUT', '/_emulator/event-grid', {
      key: TOPIC_KEY,
      subscription: { endpoint: webhook(SYSTEM_KEY), retryDelaysMs: [500, 1000, 2000] },
    });
    await control('PUT', '/_emulator/data-events', {
      eventGrid: { key: TOPIC_KEY },
      faults: { duplicate: 1 },
    });
    await control('PATCH', `/_emulator/customers/${legalEntity}/${account}`, { PersonFirstName: 'Amazing' });

    const report = await waitFor('the shop update', shopReport, (r) =>
      r.customers.some((c) => c.id === made.id && c.first_name === 'Amazing'),
    );
    expect(report.customers.find((c) => c.id === made.id)).toMatchObject({
      first_name: 'Amazing',
      last_name: 'Hopper',
    });
    // Both copies went through the topic to the function and were acknowledged (202), nothing retried.
    const grid = await waitFor(
      'the topic deliveries',
      gridReport,
      (g) => g.published.length === 2 && g.published.every((p) => p.deliveries.every((d) => d.settled)),
    );
    expect(grid.published.map((p) => p.eventType)).toEqual(['CustomersV3_Update', 'CustomersV3_Update']);
    expect(grid.published.flatMap((p) => p.deliveries.map((d) => [d.lastResult, d.attempts]))).toEqual([
      ['202', 1],
      ['202', 1],
    ]);
    await waitFor('shop deliveries', shopReport, (r) => r.deliveries.pending === 0);
    await waitFor(
      'the events queue',
      async () => (await queue.getProperties()).approximateMessagesCount,
      (n) => n === 0,
    );
    // One shop write (its customers/update echo, cause `api`) for two deliveries.
    const after = (await shopReport()).deliveries.value.filter((d) => d.cause === 'api').length;
    expect(after - writesBefore).toBe(1);
  }, 180_000);
});
