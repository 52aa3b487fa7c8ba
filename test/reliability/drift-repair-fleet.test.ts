import { odata, TableClient } from '@azure/data-tables';
import { FleetStack, startFleetStack } from '../../dev/local-stack/fleet-stack';
import { emulatorVault } from '../../dev/local-stack/emulator-clients';

/**
 * Drift repair on a fleet (issue 30): three hosts on one storage account run the `driftRepair`
 * timer at the same instants (every 30 s, on the second), each as eager as the settings allow
 * (DRIFT_REPAIR_INTERVAL_SECONDS=1). The shop's row is claimed by a conditional write, so the fleet
 * runs the shop once per tick: every changed customer is listed once fleet-wide (the sum of all
 * runs' `listed` is the shop's customer count; without the claim, each host would list them all),
 * and the customers whose webhooks were dropped are each sent once.
 */
const SHOP = 'drift-fleet.myshopify.com';
const SHOP_TOKEN = 'shpat_drift_fleet_0001';
const SHOP_SECRET = 'shpss_drift_fleet_0123456789abcdef01234567';
const SOURCE = 'drift-fleet';
const HOSTS = 3;
const SYNCED = 100;
const DROPPED = 20;

let stack: FleetStack;
/** Every host's drift-repair run lines (a host keeps only its last lines). */
const runLines: string[] = [];

type ShopReport = { deliveries: { pending: number; value: { customerId: string; lastResult: string }[] } };

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

beforeAll(async () => {
  stack = await startFleetStack({
    hosts: HOSTS,
    storageConnectionString: process.env.TEST_STORAGE_CONNECTION_STRING!,
    onLine: (_host, line) => {
      if (line.includes('drift.run ')) runLines.push(line);
    },
    settings: {
      'AzureWebJobs.driftRepair.Disabled': 'false',
      DRIFT_REPAIR_INTERVAL_SECONDS: '1',
      DRIFT_REPAIR_SETTLE_SECONDS: '20',
      DRIFT_REPAIR_LOOKBACK_HOURS: '1',
      DRIFT_REPAIR_MAX_CUSTOMERS: '5000',
      BACKFILL_PAGE_SIZE: '50',
    },
    emulatorSettings: (url) => ({
      WEBHOOK_SOURCES: JSON.stringify([
        {
          kind: 'shopify',
          name: SOURCE,
          shopDomain: SHOP,
          secretName: 'webhook-drift-fleet',
          adminApiTokenSecretName: 'shopify-admin-drift-fleet',
          adminApiUrl: `${url}/shopify/${SHOP}`,
          legalEntity: 'USRT',
          currency: 'USD',
          writeBack: false,
        },
      ]),
    }),
  });
  const vault = emulatorVault(stack.emulator.url);
  await vault.setSecret('webhook-drift-fleet', SHOP_SECRET);
  await vault.setSecret('shopify-admin-drift-fleet', SHOP_TOKEN);
  await stack.emulatorApi('PUT', `/_emulator/shopify/shops/${SHOP}`, {
    plan: 'advanced',
    apps: [
      {
        token: SHOP_TOKEN,
        clientSecret: SHOP_SECRET,
        webhooks: [{ topic: 'customers/create', address: `${stack.url(1)}/api/webhooks/shopify` }],
      },
    ],
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

it(`three hosts run the shop once at a time: ${DROPPED} dropped found once each, every customer listed once`, async () => {
  const dropped = new Set<string>();
  const every = Math.floor((SYNCED + DROPPED) / DROPPED);
  for (let i = 0; i < SYNCED + DROPPED; i += 1) {
    const drop = i % every === every - 1;
    if (drop) await stack.emulatorApi('POST', `/_emulator/shopify/shops/${SHOP}/faults`, { dropEvents: 1 });
    const customer = await stack.emulatorApi<{ id: string }>(
      'POST',
      `/_emulator/shopify/shops/${SHOP}/customers`,
      {
        first_name: 'Fleet',
        last_name: `Drift${i}`,
        email: `drift.fleet.${i}@example.com`,
      },
    );
    if (drop) dropped.add(customer.id);
    if (i % 20 === 19)
      await until(
        'the webhooks to settle',
        async () =>
          (await stack.emulatorApi<ShopReport>('GET', `/_emulator/shopify/shops/${SHOP}`)).deliveries
            .pending === 0
            ? true
            : undefined,
        120_000,
      );
  }
  const lastAdded = Date.now();
  expect(dropped.size).toBe(DROPPED);
  const backfills = TableClient.fromConnectionString(
    process.env.TEST_STORAGE_CONNECTION_STRING!,
    stack.env.BACKFILL_TABLE_NAME!,
    { allowInsecureConnection: true },
  );
  await until(
    'the watermark to pass the last customer',
    async () => {
      const row = await backfills
        .getEntity<{ watermark?: string }>('drift-repair', SOURCE)
        .catch(() => undefined);
      return row?.watermark && Date.parse(row.watermark) > lastAdded ? true : undefined;
    },
    240_000,
  );
  const rows = await until(
    'every request to end',
    async () => {
      const all: { partitionKey: string; status: string; sourceCustomerId: string }[] = [];
      for await (const row of stack.table.listEntities<{ status: string; sourceCustomerId: string }>({
        queryOptions: { filter: odata`source eq ${SOURCE} and kind eq ''` },
      }))
        all.push({
          partitionKey: row.partitionKey ?? '',
          status: row.status,
          sourceCustomerId: row.sourceCustomerId,
        });
      return all.length >= SYNCED + DROPPED && all.every((r) => r.status === 'succeeded') ? all : undefined;
    },
    300_000,
  );
  // One request per shop customer: the synced ones were not sent again, the dropped ones were, once.
  expect(new Set(rows.map((r) => r.sourceCustomerId)).size).toBe(SYNCED + DROPPED);
  expect(rows).toHaveLength(SYNCED + DROPPED);
  // Every run of every host: the customers listed and found add up to the shop's, once each.
  const runs = runLines;
  const sum = (field: string) =>
    runs.reduce((n, line) => n + Number(new RegExp(`${field}=(\\d+)`).exec(line)?.[1] ?? 0), 0);
  expect(sum('found')).toBe(DROPPED);
  expect(sum('total')).toBe(SYNCED + DROPPED);
  expect(await stack.customers()).toHaveLength(SYNCED + DROPPED);
}, 900_000);
