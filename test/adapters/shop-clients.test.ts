import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { startEmulator } from '@d365-customer-sync/d365-emulator';
import { trustCertificate } from '../../dev/local-stack/app-stack';
import { emulatorVault } from '../../dev/local-stack/emulator-clients';
import { shopClients } from '../../shared/adapters/shops/shop-clients';
import { keyVaultWebhookSecrets } from '../../shared/adapters/key-vault-webhook-secrets';
import { webhookSourceSchema, WebhookSource } from '../../shared/config/webhook-sources';
import { ShopAccessError, ShopClients } from '../../shared/ports';
import { emulatorControl } from '../support/emulator-control';

/**
 * The shop clients with their real parts: Shopify's own @shopify/admin-api-client and fetch against
 * the emulated shops, tokens from the emulated Key Vault, the fleet-wide budget in Azurite. Two
 * `shopClients` built on the same table stand for two hosts of a fleet.
 */
const SHOP = 'clients-test.myshopify.com';
const SHOPIFY_TOKEN = 'shpat_clients_test_0001';
const STORE = 'clientsbc';
const BC_TOKEN = 'bc-clients-test-token';

let emulator: Awaited<ReturnType<typeof startEmulator>>;
const table = TableClient.fromConnectionString(
  process.env.TEST_STORAGE_CONNECTION_STRING!,
  `shopbudget${randomBytes(4).toString('hex')}`,
  { allowInsecureConnection: true },
);

const sources = (): WebhookSource[] =>
  [
    {
      kind: 'shopify',
      name: 'test-shop',
      shopDomain: SHOP,
      secretName: 'webhook-clients-shop',
      adminApiTokenSecretName: 'shopify-admin-clients-shop',
      adminApiUrl: `${emulator.url}/shopify/${SHOP}`,
      legalEntity: 'USRT',
      currency: 'USD',
      accountTag: 'd365',
    },
    {
      kind: 'bigcommerce',
      name: 'test-store',
      storeHash: STORE,
      secretName: 'webhook-clients-store',
      apiTokenSecretName: 'bigcommerce-clients-store',
      apiUrl: emulator.url,
      legalEntity: 'USRT',
      currency: 'USD',
    },
  ].map((s) => webhookSourceSchema.parse(s));

/** One host's clients: its own Key Vault cache, the fleet's budget table. */
const host = (share = 0.5, maxWaitMs = 30_000): ShopClients =>
  shopClients(sources(), {
    secrets: keyVaultWebhookSecrets(emulatorVault(emulator.url), {
      refreshSeconds: 300,
      rotationWindowSeconds: 0,
      timeoutMs: 5000,
    }),
    table: async () => table,
    shopifyApiVersion: '2026-10',
    budgetShare: share,
    timeoutMs: 5000,
    maxWaitMs,
  });

const control = emulatorControl(() => emulator.url);

async function seedShop(bucket?: Record<string, number>) {
  await control('PUT', `/_emulator/shopify/shops/${SHOP}`, {
    apps: [{ token: SHOPIFY_TOKEN, clientSecret: 'shpss_clients_secret' }],
    ...(bucket && { bucket }),
  });
  // A fresh budget per scenario (the table outlives a shop re-seeded under the same name).
  for await (const row of table.listEntities()) await table.deleteEntity(row.partitionKey!, row.rowKey!);
}

const addShopifyCustomer = async (email: string) =>
  (
    await control<{ id: string }>('POST', `/_emulator/shopify/shops/${SHOP}/customers`, {
      first_name: 'Ada',
      email,
    })
  ).id;

type ShopReport = {
  customers: { id: string; tags: string; metafields: { namespace: string; key: string; value: string }[] }[];
  definitions: { namespace: string; key: string; uniqueValues: boolean }[];
  apps: { lowestAvailable: number; throttled: number; throttleStatus: { maximumAvailable: number } }[];
};
const shopReport = () => control<ShopReport>('GET', `/_emulator/shopify/shops/${SHOP}`);

beforeAll(async () => {
  emulator = await startEmulator({ host: '127.0.0.1', port: 0, log: () => undefined });
  trustCertificate(emulator.caCertPem);
  await table.createTable();
  const vault = emulatorVault(emulator.url);
  await vault.setSecret('shopify-admin-clients-shop', SHOPIFY_TOKEN);
  await vault.setSecret('bigcommerce-clients-store', BC_TOKEN);
});

afterAll(async () => {
  await table.deleteTable();
  await emulator.stop();
});

describe('Shopify client', () => {
  it('writes the account once: the unique definition on first use, the metafield and tag; the same again changes nothing', async () => {
    await seedShop();
    const id = await addShopifyCustomer('ada@example.com');
    const shop = host().forSource('test-shop')!;
    await expect(shop.writeAccount(id, 'USRT/US-000001')).resolves.toEqual({
      kind: 'written',
      changed: true,
    });
    await expect(shop.writeAccount(id, 'USRT/US-000001')).resolves.toEqual({
      kind: 'written',
      changed: false,
    });
    const report = await shopReport();
    expect(report.definitions).toEqual([
      expect.objectContaining({ namespace: 'd365', key: 'account', uniqueValues: true }),
    ]);
    expect(report.customers[0]!.metafields).toEqual([expect.objectContaining({ value: 'USRT/US-000001' })]);
    expect(report.customers[0]!.tags).toBe('d365');
    await expect(shop.getCustomer(id)).resolves.toMatchObject({
      id,
      email: 'ada@example.com',
      account: 'USRT/US-000001',
    });
  });

  it('pages customers with the cursor the shop gave', async () => {
    await seedShop();
    const ids = [];
    for (let i = 0; i < 5; i += 1) ids.push(await addShopifyCustomer(`page${i}@example.com`));
    const shop = host().forSource('test-shop')!;
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await shop.listCustomers({ limit: 2, ...(cursor && { cursor }) });
      seen.push(...page.customers.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    // The first page carries the shop's own count (customersCount, exact), the others do not.
    await expect(shop.listCustomers({ limit: 2 })).resolves.toMatchObject({ total: 5 });
    const second = await shop.listCustomers({
      limit: 2,
      cursor: (await shop.listCustomers({ limit: 2 })).nextCursor!,
    });
    expect(second.total).toBeUndefined();
  });

  it("lists each customer's addresses, the default first, and asks for no more than 1,000 points a page", async () => {
    await seedShop();
    const id = (
      await control<{ id: string }>('POST', `/_emulator/shopify/shops/${SHOP}/customers`, {
        first_name: 'Ada',
        email: 'addresses@example.com',
        addresses: [
          { address1: '1 Main St', city: 'Toronto', province_code: 'ON', zip: 'M5V 2T6', country_code: 'CA' },
          { address1: '9 Side Rd', city: 'Seattle', province_code: 'WA', zip: '98101', country_code: 'US' },
        ],
      })
    ).id;
    const shop = host().forSource('test-shop')!;
    // 250 asked: fewer are read (each listed customer costs 12 points with its addresses).
    const page = await shop.listCustomers({ limit: 250 });
    expect(page.customers.find((c) => c.id === id)?.addresses).toEqual([
      expect.objectContaining({ street1: '1 Main St', city: 'Toronto', state: 'ON', countryAlpha2: 'CA' }),
      expect.objectContaining({ street1: '9 Side Rd', countryAlpha2: 'US' }),
    ]);
    expect((await shopReport()).apps[0]!.throttled).toBe(0);
    // The window drift repair reads: changed before a time that is past, nothing; since it, the customer.
    const past = new Date(Date.now() - 60_000).toISOString();
    await expect(shop.listCustomers({ limit: 10, updatedBefore: past })).resolves.toMatchObject({
      customers: [],
    });
    const since = await shop.listCustomers({ limit: 10, updatedSince: past });
    expect(since.customers.map((c) => c.id)).toEqual([id]);
  });

  it('under a throttled shop (bucket exhausted) lands every write from two hosts and never takes the bucket below the reserve', async () => {
    await seedShop({ maximumAvailable: 100, restoreRate: 25, currentlyAvailable: 0 });
    const ids = [];
    for (let i = 0; i < 8; i += 1) ids.push(await addShopifyCustomer(`busy${i}@example.com`));
    const [a, b] = [host(0.5).forSource('test-shop')!, host(0.5).forSource('test-shop')!];
    const results = await Promise.all(ids.map((id, i) => (i % 2 ? a : b).writeAccount(id, `USRT/US-10${i}`)));
    expect(results.every((r) => r.kind === 'written')).toBe(true);
    const report = await shopReport();
    expect(report.customers.map((c) => c.metafields[0]?.value)).toEqual(ids.map((_, i) => `USRT/US-10${i}`));
    // The reserve is half of the bucket: no charge left less than 50 points.
    expect(report.apps[0]!.lowestAvailable).toBeGreaterThanOrEqual(50);
    // Paced by the budget, not by Shopify: no request was THROTTLED.
    expect(report.apps[0]!.throttled).toBe(0);
  });

  it('forgets the account (metafieldsDelete): only our metafield goes, and forgetting again finds nothing', async () => {
    await seedShop();
    const id = await addShopifyCustomer('forget@example.com');
    const other = await addShopifyCustomer('keep@example.com');
    const shop = host().forSource('test-shop')!;
    await shop.writeAccount(id, 'USRT/US-000003');
    await shop.writeAccount(other, 'USRT/US-000004');
    await expect(shop.forgetAccount!(id)).resolves.toEqual({ kind: 'forgotten' });
    await expect(shop.getCustomer(id)).resolves.toMatchObject({ id, account: null });
    await expect(shop.getCustomer(other)).resolves.toMatchObject({ account: 'USRT/US-000004' });
    await expect(shop.forgetAccount!(id)).resolves.toEqual({ kind: 'absent' });
    // A customer the shop no longer has: nothing to forget, no error.
    await control('DELETE', `/_emulator/shopify/shops/${SHOP}/customers/${id}`);
    await expect(shop.forgetAccount!(id)).resolves.toEqual({ kind: 'absent' });
  });

  it('ends a revoked token in ShopAccessError and a deleted customer in not_found', async () => {
    await seedShop();
    const id = await addShopifyCustomer('gone@example.com');
    const shop = host().forSource('test-shop')!;
    await control('DELETE', `/_emulator/shopify/shops/${SHOP}/customers/${id}`);
    await expect(shop.writeAccount(id, 'USRT/US-2')).resolves.toEqual({ kind: 'not_found' });
    await control('POST', `/_emulator/shopify/shops/${SHOP}/revoke`, { token: SHOPIFY_TOKEN });
    await expect(shop.writeAccount(id, 'USRT/US-2')).rejects.toBeInstanceOf(ShopAccessError);
  });
});

describe('BigCommerce client', () => {
  const seedStore = (extra: Record<string, unknown> = {}) =>
    control('PUT', `/_emulator/bigcommerce/stores/${STORE}`, {
      token: BC_TOKEN,
      customers: [1, 2, 3].map((id) => ({
        id,
        email: `c${id}@example.com`,
        first_name: 'C',
        last_name: String(id),
      })),
      ...extra,
    });

  beforeEach(async () => {
    for await (const row of table.listEntities()) await table.deleteEntity(row.partitionKey!, row.rowKey!);
  });

  it('creates the attribute on first use, upserts the value, and leaves an equal value alone', async () => {
    await seedStore();
    const store = host().forSource('test-store')!;
    await expect(store.writeAccount('2', 'USRT/US-000002')).resolves.toEqual({
      kind: 'written',
      changed: true,
    });
    await expect(store.writeAccount('2', 'USRT/US-000002')).resolves.toEqual({
      kind: 'written',
      changed: false,
    });
    await expect(store.getCustomer('2')).resolves.toMatchObject({ id: '2', account: 'USRT/US-000002' });
    await expect(store.writeAccount('99', 'USRT/US-000009')).resolves.toEqual({ kind: 'not_found' });
    const report = await control<{ attributes: { name: string }[] }>(
      'GET',
      `/_emulator/bigcommerce/stores/${STORE}`,
    );
    expect(report.attributes).toEqual([expect.objectContaining({ name: 'D365 account' })]);
  });

  it("forgets the account (DELETE attribute-values by ID): only that customer's value goes", async () => {
    await seedStore();
    const store = host().forSource('test-store')!;
    // Nothing written yet, not even the attribute: nothing to forget, and no attribute created.
    await expect(store.forgetAccount!('1')).resolves.toEqual({ kind: 'absent' });
    await store.writeAccount('1', 'USRT/US-000001');
    await store.writeAccount('3', 'USRT/US-000003');
    // A fresh host (no attribute ID known) finds the attribute by its name.
    const other = host().forSource('test-store')!;
    await expect(other.forgetAccount!('1')).resolves.toEqual({ kind: 'forgotten' });
    await expect(other.forgetAccount!('1')).resolves.toEqual({ kind: 'absent' });
    const report = await control<{
      attributes: unknown[];
      attributeValues: { customer_id: number; attribute_value: string }[];
    }>('GET', `/_emulator/bigcommerce/stores/${STORE}`);
    expect(report.attributes).toHaveLength(1);
    expect(report.attributeValues).toEqual([
      expect.objectContaining({ customer_id: 3, attribute_value: 'USRT/US-000003' }),
    ]);
  });

  it('waits out 429s and a small window, spending no more than its share of the quota', async () => {
    await seedStore({ quota: 10, windowMs: 1000 });
    await fetch(`${emulator.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        service: 'bigcommerce',
        status: 429,
        count: 2,
        body: { status: 429, title: 'Too Many Requests' },
        headers: {
          'X-Rate-Limit-Requests-Left': '0',
          'X-Rate-Limit-Requests-Quota': '10',
          'X-Rate-Limit-Time-Reset-Ms': '300',
          'X-Rate-Limit-Time-Window-Ms': '1000',
        },
      }),
    });
    const [a, b] = [host(0.5).forSource('test-store')!, host(0.5).forSource('test-store')!];
    const results = await Promise.all(
      ['1', '2', '3'].map((id, i) => (i % 2 ? a : b).writeAccount(id, `USRT/US-${id}`)),
    );
    expect(results.every((r) => r.kind === 'written')).toBe(true);
    const report = await control<{ lowestLeft: number; attributeValues: { attribute_value: string }[] }>(
      'GET',
      `/_emulator/bigcommerce/stores/${STORE}`,
    );
    expect(report.attributeValues.map((v) => v.attribute_value).sort()).toEqual([
      'USRT/US-1',
      'USRT/US-2',
      'USRT/US-3',
    ]);
    expect(report.lowestLeft).toBeGreaterThanOrEqual(4); // reserve 5, less the first reading
  });
});
