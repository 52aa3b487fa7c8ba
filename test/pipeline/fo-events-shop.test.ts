import { QueueClient } from '@azure/storage-queue';
import { AppStack, startAppStack } from '../support/app-stack';
import { vaultOf } from '../support/webhooks';

/**
 * D365 changes reach the shop (issue 29, slice 2) on the real host, Azurite and the emulator: a
 * customer made in the emulated Shopify shop is created and linked in D365 through the shop's
 * webhook; an operator's change in D365 raises data events (repeated by the `duplicate` fault) that
 * end as one `customerUpdate` of the changed field in the shop; an older event never overwrites it.
 */
const SHOP = 'fo-events-test.myshopify.com';
const SHOP_TOKEN = 'shpat_fo_events_test_0001';
const SHOP_SECRET = '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';
const FUNCTION_KEY = 'fo-events-shop-key-0123456789abcdef';
const STORE = 'fostore1';
const STORE_TOKEN = 'bc-fo-events-test-token';
const STORE_HOOK_SECRET = 'bc-fo-events-hook-secret-0123456789abcdef';
let stack: AppStack;

const control = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
  stack.emulatorApi<T>(method, path, body);

type ShopAddressView = Record<string, unknown> & { id: number };
type ShopReport = {
  customers: {
    id: string;
    first_name: string;
    last_name: string;
    addresses: ShopAddressView[];
    default_address: ShopAddressView | null;
  }[];
  deliveries: { pending: number; value: { topic: string; cause: string; customerId: string }[] };
};
const shopReport = () => control<ShopReport>('GET', `/_emulator/shopify/shops/${SHOP}`);
type StoreCustomer = { id: number; addresses?: (Record<string, unknown> & { id: number; city: string })[] };
type StoreReport = {
  attributeValues: { customer_id: number }[];
  deliveries: { pending: number; value: { cause: string }[] };
};
const storeReport = () => control<StoreReport>('GET', `/_emulator/bigcommerce/stores/${STORE}`);
const storeWrites = async (): Promise<number> =>
  (await storeReport()).deliveries.value.filter((d) => d.cause === 'api').length;

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

type D365Row = { account: string; legalEntity: string; fields: Record<string, unknown> };

const d365Patches = async (): Promise<number> =>
  (await control<{ value: { method: string }[] }>('GET', '/_emulator/requests?service=d365')).value.filter(
    (r) => r.method === 'PATCH',
  ).length;
const shopWrites = async (): Promise<number> =>
  (await shopReport()).deliveries.value.filter((d) => d.cause === 'api').length;
let queue: QueueClient;
/** Everything settled: no F&O event or shop webhook on its way, the events and customer queues empty. */
async function settled(): Promise<void> {
  await waitFor('shop deliveries', shopReport, (r) => r.deliveries.pending === 0);
  await waitFor('store deliveries', storeReport, (r) => r.deliveries.pending === 0);
  await waitFor(
    'data event deliveries',
    () => control<{ pending: number }>('GET', '/_emulator/data-events'),
    (d) => d.pending === 0,
  );
  await waitFor(
    'the events queue',
    async () => (await queue.getProperties()).approximateMessagesCount,
    (n) => n === 0,
  );
  const customers = new QueueClient(
    String(stack.env.AzureWebJobsStorage),
    String(stack.env.CUSTOMER_QUEUE_NAME),
  );
  await waitFor(
    'the customer queue',
    async () => (await customers.getProperties()).approximateMessagesCount,
    (n) => n === 0,
  );
}
let made: { id: string };
let key: { legalEntity: string; account: string };

beforeAll(async () => {
  stack = await startAppStack({
    settings: (url) => ({
      WEBHOOK_SOURCES: JSON.stringify([
        {
          kind: 'shopify',
          name: 'fo-shopify',
          shopDomain: SHOP,
          secretName: 'webhook-fo-shopify',
          adminApiTokenSecretName: 'shopify-admin-fo',
          adminApiUrl: `${url}/shopify/${SHOP}`,
          legalEntity: 'USRT',
          currency: 'USD',
        },
        {
          kind: 'bigcommerce',
          name: 'fo-bigcommerce',
          storeHash: STORE,
          secretName: 'webhook-fo-bigcommerce',
          apiTokenSecretName: 'bigcommerce-fo',
          apiUrl: url,
          legalEntity: 'USRT',
          currency: 'USD',
        },
      ]),
      DEV_FUNCTION_KEY: FUNCTION_KEY,
    }),
  });
  const vault = vaultOf(stack.emulator.url);
  await vault.setSecret('webhook-fo-shopify', SHOP_SECRET);
  await vault.setSecret('shopify-admin-fo', SHOP_TOKEN);
  await vault.setSecret('webhook-fo-bigcommerce', STORE_HOOK_SECRET);
  await vault.setSecret('bigcommerce-fo', STORE_TOKEN);
  await control('PUT', `/_emulator/bigcommerce/stores/${STORE}`, {
    token: STORE_TOKEN,
    customers: [],
    hooks: ['store/customer/created', 'store/customer/updated'].map((scope) => ({
      scope,
      destination: `${stack.url}/api/webhooks/bigcommerce`,
      headers: { 'x-webhook-secret': STORE_HOOK_SECRET },
    })),
    retryDelaysMs: [500, 1000, 2000],
  });
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

describe('D365 changes to the shop', () => {
  it("an operator's change in D365 reaches the shop once, though F&O repeats its event", async () => {
    made = await control<{ id: string }>('POST', `/_emulator/shopify/shops/${SHOP}/customers`, {
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: `ada.fo.${Date.now()}@example.com`,
    });
    // Created and linked in D365, and the account written back (its echo settled).
    const customer = await waitFor(
      'the D365 customer',
      async () => (await control<{ value: D365Row[] }>('GET', '/_emulator/customers')).value,
      (rows) => rows.length === 1,
    );
    const { legalEntity, account } = customer[0]!;
    key = { legalEntity, account };
    await waitFor('the write-back echo', shopReport, (report) =>
      report.deliveries.value.some((d) => d.cause === 'api' && d.customerId === made.id),
    );
    await waitFor('settled deliveries', shopReport, (report) => report.deliveries.pending === 0);
    const echoesBefore = (await shopReport()).deliveries.value.filter((d) => d.cause === 'api').length;

    await control('PUT', '/_emulator/data-events', {
      endpoint: `${stack.url}/api/d365/data-events?code=${FUNCTION_KEY}`,
      faults: { duplicate: 1 },
    });
    await control('PATCH', `/_emulator/customers/${legalEntity}/${account}`, { PersonFirstName: 'Augusta' });
    const report = await waitFor('the shop update', shopReport, (r) =>
      r.customers.some((c) => c.id === made.id && c.first_name === 'Augusta'),
    );
    expect(report.customers.find((c) => c.id === made.id)).toMatchObject({
      first_name: 'Augusta',
      last_name: 'Lovelace',
    });
    // One shop write (each Admin API write fires one customers/update, cause `api`) for two deliveries.
    await settled();
    const after = (await shopReport()).deliveries.value.filter((d) => d.cause === 'api').length;
    expect(after - echoesBefore).toBe(1);
  }, 180_000);

  it('no loops: 0 echoes back to D365 of a shop update, 0 back to the shop of our own PATCH', async () => {
    await settled();
    const [patches, writes] = [await d365Patches(), await shopWrites()];
    // A D365 change reaches the shop (one write); the shop's echo of it PATCHes nothing in D365.
    await control('PATCH', `/_emulator/customers/${key.legalEntity}/${key.account}`, {
      PersonLastName: 'Byron',
    });
    await waitFor('the shop update', shopReport, (r) =>
      r.customers.some((c) => c.id === made.id && c.last_name === 'Byron'),
    );
    await settled();
    expect(await shopWrites()).toBe(writes + 1);
    expect(await d365Patches()).toBe(patches);
    // A merchant's change in the shop is PATCHed to D365 once; D365's event of that PATCH writes nothing to the shop.
    await control('PATCH', `/_emulator/shopify/shops/${SHOP}/customers/${made.id}`, { first_name: 'Ada' });
    await waitFor('the D365 PATCH', d365Patches, (n) => n === patches + 1);
    await waitFor(
      'the data event of our PATCH',
      () => control<{ raised: { cause: string }[] }>('GET', '/_emulator/data-events'),
      (d) => d.raised.filter((e) => e.cause === 'odata').length === 1,
    );
    await settled();
    expect(await shopWrites()).toBe(writes + 1);
    expect(await d365Patches()).toBe(patches + 1);
    const d365 = await control<D365Row>('GET', `/_emulator/customers/${key.legalEntity}/${key.account}`);
    expect(d365.fields).toMatchObject({ PersonFirstName: 'Ada', PersonLastName: 'Byron' });
    expect((await shopReport()).customers.find((c) => c.id === made.id)).toMatchObject({
      first_name: 'Ada',
      last_name: 'Byron',
    });
  }, 180_000);

  it("the primary address reaches the shop's default address once; a repeated event writes nothing", async () => {
    await settled();
    const [patches, writes] = [await d365Patches(), await shopWrites()];
    const address = (street: string, city: string, state: string, zip: string) => ({
      AddressStreet: street,
      AddressCity: city,
      AddressState: state,
      AddressZipCode: zip,
      AddressCountryRegionId: 'USA',
    });
    const defaultOf = async () =>
      (await shopReport()).customers.find((c) => c.id === made.id)?.default_address ?? null;
    // No address in the shop yet: one is created as the default (customerAddressCreate, setAsDefault).
    await control(
      'PATCH',
      `/_emulator/customers/${key.legalEntity}/${key.account}`,
      address('1 Microsoft Way', 'Redmond', 'WA', '98052'),
    );
    const created = await waitFor('the default address', defaultOf, (a) => a?.city === 'Redmond');
    expect(created).toMatchObject({
      address1: '1 Microsoft Way',
      city: 'Redmond',
      province_code: 'WA',
      zip: '98052',
      country_code: 'US',
    });
    await settled();
    expect(await shopWrites()).toBe(writes + 1);
    expect(await d365Patches()).toBe(patches);
    // Corrected in D365: the same default address is changed (customerAddressUpdate), no other one made.
    await control(
      'PATCH',
      `/_emulator/customers/${key.legalEntity}/${key.account}`,
      address('500 Pine St', 'Seattle', 'WA', '98101'),
    );
    const moved = await waitFor('the corrected address', defaultOf, (a) => a?.city === 'Seattle');
    expect(moved).toMatchObject({
      id: created!.id,
      address1: '500 Pine St',
      zip: '98101',
    });
    await settled();
    // One write per change though F&O delivered each event twice (the duplicate fault).
    expect(await shopWrites()).toBe(writes + 2);
    expect(await d365Patches()).toBe(patches);
    expect((await shopReport()).customers.find((c) => c.id === made.id)?.addresses).toHaveLength(1);

    // A multi-line F&O street: the shop's two lines; its echo (the lines joined ", ") PATCHes nothing.
    await control(
      'PATCH',
      `/_emulator/customers/${key.legalEntity}/${key.account}`,
      address('500 Pine St\nSuite 2\nFloor 3', 'Seattle', 'WA', '98101'),
    );
    const lines = await waitFor('the two street lines', defaultOf, (a) => a?.address2 === 'Suite 2, Floor 3');
    expect(lines).toMatchObject({ id: created!.id, address1: '500 Pine St' });
    await settled();
    expect(await shopWrites()).toBe(writes + 3);
    expect(await d365Patches()).toBe(patches);

    // A later event that carries the same address (an unmapped field changed) writes nothing.
    const raised = async () =>
      (await control<{ raised: unknown[] }>('GET', '/_emulator/data-events')).raised.length;
    const before = await raised();
    await control('PATCH', `/_emulator/customers/${key.legalEntity}/${key.account}`, { CreditLimit: 500 });
    await waitFor('the data event', raised, (n) => n > before);
    await settled();
    expect(await shopWrites()).toBe(writes + 3);
    expect(await d365Patches()).toBe(patches);
    const d365 = await control<D365Row>('GET', `/_emulator/customers/${key.legalEntity}/${key.account}`);
    expect(d365.fields).toMatchObject({
      AddressStreet: '500 Pine St\nSuite 2\nFloor 3',
      AddressLocationRoles: '',
    });
  }, 180_000);

  it("BigCommerce: the primary address becomes the customer's first address (state by name), echo-free", async () => {
    const email = `grace.fo.${Date.now()}@example.com`;
    const bc = await control<{ id: number }>('POST', `/_emulator/bigcommerce/stores/${STORE}/customers`, {
      first_name: 'Grace',
      last_name: 'Hopper',
      email,
    });
    const row = await waitFor(
      'the D365 customer of the store',
      async () => (await control<{ value: D365Row[] }>('GET', '/_emulator/customers')).value,
      (rows) => rows.some((r) => r.fields.PrimaryContactEmail === email),
    );
    const { legalEntity, account } = row.find((r) => r.fields.PrimaryContactEmail === email)!;
    // The account written back (an attribute value) and its echo settled.
    await waitFor('the write-back', storeReport, (r) =>
      r.attributeValues.some((v) => v.customer_id === bc.id),
    );
    await settled();
    const [patches, writes] = [await d365Patches(), await storeWrites()];
    const addressOf = async () =>
      (await control<StoreCustomer>('GET', `/_emulator/bigcommerce/stores/${STORE}/customers/${bc.id}`))
        .addresses ?? [];
    // No address yet: one is made (POST /v3/customers/addresses).
    await control('PATCH', `/_emulator/customers/${legalEntity}/${account}`, {
      AddressStreet: '2 Ridge Rd\nUnit 5',
      AddressCity: 'Arlington',
      AddressState: 'VA',
      AddressZipCode: '22202',
      AddressCountryRegionId: 'USA',
    });
    const [made] = await waitFor('the store address', addressOf, (a) => a.length === 1);
    expect(made).toMatchObject({
      address1: '2 Ridge Rd',
      address2: 'Unit 5',
      city: 'Arlington',
      state_or_province: 'Virginia',
      postal_code: '22202',
      country_code: 'US',
    });
    await settled();
    expect(await storeWrites()).toBe(writes + 1);
    expect(await d365Patches()).toBe(patches);
    // Changed in D365: the same address is updated (PUT with its id), no other one made.
    await control('PATCH', `/_emulator/customers/${legalEntity}/${account}`, {
      AddressStreet: '9 Ocean Ave',
      AddressCity: 'Toronto',
      AddressState: 'ON',
      AddressZipCode: 'M5V 2T6',
      AddressCountryRegionId: 'CAN',
    });
    const moved = await waitFor('the moved address', addressOf, (a) => a[0]?.city === 'Toronto');
    expect(moved).toEqual([
      expect.objectContaining({
        id: made!.id,
        address2: '',
        state_or_province: 'Ontario',
        country_code: 'CA',
      }),
    ]);
    await settled();
    expect(await storeWrites()).toBe(writes + 2);
    expect(await d365Patches()).toBe(patches);
  }, 180_000);
});
