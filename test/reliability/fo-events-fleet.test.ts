import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { FleetStack, startFleetStack } from '../../dev/local-stack/fleet-stack';
import { emulatorVault } from '../../dev/local-stack/emulator-clients';

/**
 * D365 changes to the shop on a fleet (issue 29): three hosts on one storage account take F&O data
 * events and write them to the shop. An operator changes the names and the primary address of all N
 * linked customers in D365; F&O repeats some events (`duplicate`), delivers them late and out of
 * order (`delayMs`) and never sends some (`drop`). Every customer whose event came is written to the shop once (0 double
 * writes across the fleet); the ones whose event was dropped are left stale until the safety net's
 * run (the `foSafetyNet` timer, one host per shop through its lease), which ends with shop = D365
 * for every customer and reports repairing exactly the dropped ones, each written once. Nothing is
 * echoed back to D365.
 */
const SHOP = 'fo-fleet.myshopify.com';
const SHOP_TOKEN = 'shpat_fo_fleet_0001';
const SHOP_SECRET = 'shpss_fo_fleet_0123456789abcdef0123456789';
const SOURCE = 'fo-fleet';
const FUNCTION_KEY = 'fo-fleet-function-key-0123456789abcdef';
const HOSTS = 3;
const CUSTOMERS = 40;
/** Shop writes of one customer's change: its names (customerUpdate) and its address (customerAddressCreate). */
const WRITES_PER_CHANGE = 2;

let stack: FleetStack;
/** Every host's safety-net run lines. */
const runLines: string[] = [];

type ShopReport = {
  customers: {
    id: string;
    first_name: string;
    last_name: string;
    default_address: Record<string, unknown> | null;
  }[];
  deliveries: { pending: number; value: { topic: string; cause: string; customerId: string }[] };
};
type D365Row = { account: string; legalEntity: string; fields: Record<string, unknown> };
type DataEvents = { pending: number; raised: { account: string; cause: string; dropped: boolean }[] };

const shopReport = () => stack.emulatorApi<ShopReport>('GET', `/_emulator/shopify/shops/${SHOP}`);
const d365Rows = async () =>
  (await stack.emulatorApi<{ value: D365Row[] }>('GET', '/_emulator/customers')).value;
const d365Patches = async (): Promise<number> =>
  (
    await stack.emulatorApi<{ value: { method: string }[] }>('GET', '/_emulator/requests?service=d365')
  ).value.filter((r) => r.method === 'PATCH').length;

/** Shop writes (Admin API: each fires one `customers/update`, cause `api`) per shop customer. */
async function writesPerCustomer(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const d of (await shopReport()).deliveries.value)
    if (d.cause === 'api' && d.topic === 'customers/update')
      counts.set(d.customerId, (counts.get(d.customerId) ?? 0) + 1);
  return counts;
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** No shop webhook, no data event on its way, the events queue empty. */
async function settled(): Promise<void> {
  await until(
    'shop deliveries',
    async () => ((await shopReport()).deliveries.pending === 0 ? true : undefined),
    180_000,
  );
  await until(
    'data event deliveries',
    async () =>
      (await stack.emulatorApi<DataEvents>('GET', '/_emulator/data-events')).pending === 0 ? true : undefined,
    180_000,
  );
  await until(
    'the events queue',
    async () => ((await eventsQueue.getProperties()).approximateMessagesCount === 0 ? true : undefined),
    180_000,
  );
}

let safetyNetRows: TableClient;
let eventsQueue: QueueClient;

beforeAll(async () => {
  stack = await startFleetStack({
    hosts: HOSTS,
    storageConnectionString: process.env.TEST_STORAGE_CONNECTION_STRING!,
    onLine: (_host, line) => {
      if (line.includes('fo_safety_net.run ')) runLines.push(line);
    },
    settings: {
      'AzureWebJobs.foSafetyNet.Disabled': 'false',
      FO_SAFETY_NET_INTERVAL_SECONDS: '1',
      FO_SAFETY_NET_MAX_CUSTOMERS: '1000',
      BACKFILL_PAGE_SIZE: '25',
      DEV_FUNCTION_KEY: FUNCTION_KEY,
    },
    emulatorSettings: (url) => ({
      WEBHOOK_SOURCES: JSON.stringify([
        {
          kind: 'shopify',
          name: SOURCE,
          shopDomain: SHOP,
          secretName: 'webhook-fo-fleet',
          adminApiTokenSecretName: 'shopify-admin-fo-fleet',
          adminApiUrl: `${url}/shopify/${SHOP}`,
          legalEntity: 'USRT',
          currency: 'USD',
        },
      ]),
    }),
  });
  eventsQueue = new QueueClient(process.env.TEST_STORAGE_CONNECTION_STRING!, stack.env.FO_EVENTS_QUEUE_NAME!);
  await eventsQueue.createIfNotExists();
  // The safety net waits until the test lets it run: a lease held by the test on the shop's row.
  safetyNetRows = TableClient.fromConnectionString(
    process.env.TEST_STORAGE_CONNECTION_STRING!,
    stack.env.BACKFILL_TABLE_NAME!,
    { allowInsecureConnection: true },
  );
  await safetyNetRows.createTable();
  await safetyNetRows.upsertEntity(
    {
      partitionKey: 'fo-safety-net',
      rowKey: SOURCE,
      leaseOwner: 'the-test',
      leaseUntil: new Date(Date.now() + 3_600_000).toISOString(),
    },
    'Replace',
  );
  const vault = emulatorVault(stack.emulator.url);
  await vault.setSecret('webhook-fo-fleet', SHOP_SECRET);
  await vault.setSecret('shopify-admin-fo-fleet', SHOP_TOKEN);
  await stack.emulatorApi('PUT', `/_emulator/shopify/shops/${SHOP}`, {
    plan: 'advanced',
    apps: [
      {
        token: SHOP_TOKEN,
        clientSecret: SHOP_SECRET,
        webhooks: [
          { topic: 'customers/create', address: `${stack.url(1)}/api/webhooks/shopify` },
          { topic: 'customers/update', address: `${stack.url(2)}/api/webhooks/shopify` },
        ],
      },
    ],
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

it(`${CUSTOMERS} customers changed in D365 on ${HOSTS} hosts: each written once; the safety net repairs exactly the dropped events`, async () => {
  const made: string[] = [];
  for (let i = 0; i < CUSTOMERS; i += 1) {
    const customer = await stack.emulatorApi<{ id: string }>(
      'POST',
      `/_emulator/shopify/shops/${SHOP}/customers`,
      {
        first_name: 'Fleet',
        last_name: `Events${i}`,
        email: `fo.fleet.${i}@example.com`,
      },
    );
    made.push(customer.id);
  }
  // Every customer created and linked in D365, its account written back to the shop.
  await until(
    'the D365 customers',
    async () => ((await d365Rows()).length === CUSTOMERS ? true : undefined),
    300_000,
  );
  await until(
    'the write-backs',
    async () => {
      const writes = await writesPerCustomer();
      return made.every((id) => (writes.get(id) ?? 0) >= 1) ? true : undefined;
    },
    300_000,
  );
  await settled();
  const before = await writesPerCustomer();
  const patchesBefore = await d365Patches();

  // F&O sends the changes from now on, repeated, late and out of order, and some never.
  await stack.emulatorApi('PUT', '/_emulator/data-events', {
    endpoint: `${stack.url(1)}/api/d365/data-events?code=${FUNCTION_KEY}`,
    faults: { duplicate: 0.5, drop: 0.2, delayMs: 3000 },
  });
  const rows = await d365Rows();
  for (const [i, row] of rows.entries())
    await stack.emulatorApi('PATCH', `/_emulator/customers/${row.legalEntity}/${row.account}`, {
      PersonFirstName: `Changed${i}`,
      PersonLastName: `Operator${i}`,
      // The primary address too (a multi-line F&O street): the shop's default address, made now.
      AddressStreet: `${i + 1} Fleet St\nSuite ${i}`,
      AddressCity: 'Seattle',
      AddressState: 'WA',
      AddressZipCode: '98101',
      AddressCountryRegionId: 'USA',
    });
  const events = await until(
    'the data events',
    async () => {
      const report = await stack.emulatorApi<DataEvents>('GET', '/_emulator/data-events');
      const operator = report.raised.filter((e) => e.cause !== 'odata');
      return operator.length >= CUSTOMERS ? operator : undefined;
    },
    60_000,
  );
  const droppedAccounts = new Set(events.filter((e) => e.dropped).map((e) => e.account));
  expect(events).toHaveLength(CUSTOMERS);
  expect(droppedAccounts.size).toBeGreaterThan(0);
  await settled();

  const writesSince = async () => {
    const after = await writesPerCustomer();
    return made.map((id) => (after.get(id) ?? 0) - (before.get(id) ?? 0));
  };
  // Before the safety net: each customer whose event came written once (two Admin API writes: the
  // names with customerUpdate, the address with customerAddressCreate), the dropped ones not at all.
  const eventWrites = await writesSince();
  expect(eventWrites.filter((n) => n > WRITES_PER_CHANGE)).toEqual([]);
  expect(eventWrites.reduce((a, b) => a + b, 0)).toBe(WRITES_PER_CHANGE * (CUSTOMERS - droppedAccounts.size));

  // The test lets the safety net run: the fleet's next tick takes the shop's row.
  const held = await safetyNetRows.getEntity('fo-safety-net', SOURCE);
  await safetyNetRows.updateEntity({ partitionKey: 'fo-safety-net', rowKey: SOURCE }, 'Replace', {
    etag: held.etag,
  });
  await until(
    'a safety-net pass',
    async () => (runLines.some((line) => line.includes('outcome=pass-done')) ? true : undefined),
    180_000,
  );
  await settled();
  // Shop = D365 for every linked customer.
  const shop = new Map((await shopReport()).customers.map((c) => [c.id, c]));
  const links = await d365Rows();
  const byName = new Map(links.map((r) => [String(r.fields.PersonFirstName), r]));
  for (const id of made) {
    const customer = shop.get(id)!;
    const d365 = byName.get(customer.first_name)?.fields;
    expect(d365?.PersonLastName).toBe(customer.last_name);
    const [street1, street2] = String(d365?.AddressStreet).split('\n');
    expect(customer.default_address).toMatchObject({
      address1: street1,
      address2: street2,
      country_code: 'US',
    });
  }
  expect([...shop.values()].filter((c) => c.first_name.startsWith('Changed'))).toHaveLength(CUSTOMERS);
  // Every customer written once in all (its event or the repair); the run's report counts the dropped.
  const allWrites = await writesSince();
  expect(allWrites.filter((n) => n !== WRITES_PER_CHANGE)).toEqual([]);
  const sum = (field: string) =>
    runLines.reduce((n, line) => n + Number(new RegExp(`${field}=(\\d+)`).exec(line)?.[1] ?? 0), 0);
  expect(sum('found')).toBe(droppedAccounts.size);
  // No echo: nothing went back to D365.
  expect(await d365Patches()).toBe(patchesBefore);
}, 900_000);
