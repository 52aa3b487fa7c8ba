import { odata } from '@azure/data-tables';
import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';
import { vaultOf } from '../support/webhooks';
import { emulatorControl } from '../support/emulator-control';

/**
 * The shop write-back on the real host, Azurite and the emulated shops (issue 28): a customer made
 * in the shop comes in through the shop's own webhook, is created in D365, and the shop learns its
 * account (Shopify metafield through @shopify/admin-api-client, BigCommerce attribute value); the
 * shop's echo of that write never reaches D365 as a change; a permanent failure is visible and
 * leaves the create `succeeded`; an operator retries it.
 */
const SHOP = 'writeback-test.myshopify.com';
/** A second shop whose webhooks come late: its echo arrives after the write-back was recorded. */
const SLOW_SHOP = 'writeback-slow.myshopify.com';
const SHOP_TOKEN = 'shpat_writeback_test_0001';
const SHOP_SECRET = 'shpss_0123456789abcdef0123456789abcdef';
const STORE = 'wbstore1';
const STORE_TOKEN = 'bc-writeback-test-token';
const STORE_HOOK_SECRET = 'bc-writeback-hook-secret-0123456789abcdef';

let stack: AppStack;

const sources = (emulatorUrl: string) => [
  {
    kind: 'shopify',
    name: 'wb-shopify',
    shopDomain: SHOP,
    secretName: 'webhook-wb-shopify',
    adminApiTokenSecretName: 'shopify-admin-wb',
    adminApiUrl: `${emulatorUrl}/shopify/${SHOP}`,
    legalEntity: 'USRT',
    currency: 'USD',
  },
  {
    kind: 'shopify',
    name: 'wb-shopify-slow',
    shopDomain: SLOW_SHOP,
    secretName: 'webhook-wb-shopify',
    adminApiTokenSecretName: 'shopify-admin-wb',
    adminApiUrl: `${emulatorUrl}/shopify/${SLOW_SHOP}`,
    legalEntity: 'USRT',
    currency: 'USD',
  },
  {
    kind: 'bigcommerce',
    name: 'wb-bigcommerce',
    storeHash: STORE,
    secretName: 'webhook-wb-bigcommerce',
    apiTokenSecretName: 'bigcommerce-wb',
    apiUrl: emulatorUrl,
    legalEntity: 'USRT',
    currency: 'USD',
  },
];

const control = emulatorControl(() => stack.emulator.url);

const seedShop = (domain = SHOP, options: { echoDelayMs?: number } = {}) =>
  control('PUT', `/_emulator/shopify/shops/${domain}`, {
    ...options,
    apps: [
      {
        token: SHOP_TOKEN,
        clientSecret: SHOP_SECRET,
        // customers/redact: the compliance topic (privacy, issue 27), sent only through the control API.
        webhooks: ['customers/create', 'customers/update', 'customers/redact'].map((topic) => ({
          topic,
          address: `${stack.url}/api/webhooks/shopify`,
        })),
      },
    ],
    retryDelaysMs: [500, 1000, 2000],
  });

const seedStore = () =>
  control('PUT', `/_emulator/bigcommerce/stores/${STORE}`, {
    token: STORE_TOKEN,
    customers: [],
    hooks: ['store/customer/created', 'store/customer/updated'].map((scope) => ({
      scope,
      destination: `${stack.url}/api/webhooks/bigcommerce`,
      headers: { 'x-webhook-secret': STORE_HOOK_SECRET },
    })),
    retryDelaysMs: [500, 1000, 2000],
  });

let serial = 0;
const shopCustomer = async (domain = SHOP): Promise<string> => {
  serial += 1;
  const made = await control<{ id: string }>('POST', `/_emulator/shopify/shops/${domain}/customers`, {
    first_name: 'Ada',
    last_name: `Writeback${serial}`,
    email: `ada.writeback.${serial}.${Date.now()}@example.com`,
  });
  return made.id;
};

const storeCustomer = async (): Promise<string> => {
  serial += 1;
  const made = await control<{ id: number }>('POST', `/_emulator/bigcommerce/stores/${STORE}/customers`, {
    first_name: 'Grace',
    last_name: `Writeback${serial}`,
    email: `grace.writeback.${serial}.${Date.now()}@example.com`,
  });
  return String(made.id);
};

/** The create's status URL for a shop customer (its record is found by the shop's customer ID). */
async function statusUrlOf(source: string, sourceCustomerId: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const filter = odata`source eq ${source} and sourceCustomerId eq ${sourceCustomerId} and kind eq ''`;
    const rows = stack.table.listEntities({ queryOptions: { filter } });
    try {
      for await (const row of rows) return `${stack.url}/api/customers/status/${row.partitionKey}`;
    } catch (error) {
      // The table is made with the first record.
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
    if (Date.now() > deadline) throw new Error(`no create record for ${source} ${sourceCustomerId}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

type Status = {
  status: string;
  customerAccount?: string;
  writeBack?: { status: string; error?: { code: string; message: string } };
};

async function writeBackEnded(statusUrl: string): Promise<Status> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const answer = (await (await fetch(statusUrl)).json()) as Status;
    if (answer.writeBack && answer.writeBack.status !== 'pending') return answer;
    if (Date.now() > deadline) throw new Error(`write-back still ${JSON.stringify(answer)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

type ShopReport = {
  customers: { id: string; metafields: { namespace: string; key: string; value: string }[] }[];
  deliveries: {
    pending: number;
    value: {
      topic: string;
      cause: string;
      customerId: string;
      attempts: number;
      lastResult: string;
      delivered: boolean;
      settled: boolean;
    }[];
  };
};
const shopReport = (domain = SHOP) => control<ShopReport>('GET', `/_emulator/shopify/shops/${domain}`);

async function settledDeliveries(domain = SHOP): Promise<ShopReport> {
  for (let i = 0; ; i++) {
    const report = await shopReport(domain);
    if (report.deliveries.pending === 0 || i > 200) return report;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The update records of a shop customer (an echo must leave none). */
async function updateRecords(
  source: string,
  sourceCustomerId: string,
): Promise<{ status: string; outcome?: string }[]> {
  const filter = odata`source eq ${source} and sourceCustomerId eq ${sourceCustomerId} and kind eq 'update'`;
  const rows: { status: string; outcome?: string }[] = [];
  for await (const row of stack.table.listEntities<{ status: string; outcome?: string }>({
    queryOptions: { filter },
  }))
    rows.push({ status: row.status, ...(row.outcome !== undefined && { outcome: row.outcome }) });
  return rows;
}

async function updatesEnded(source: string, sourceCustomerId: string, count: number) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await updateRecords(source, sourceCustomerId);
    if (rows.length >= count && rows.every((r) => ['succeeded', 'failed', 'needs_review'].includes(r.status)))
      return rows;
    if (Date.now() > deadline) throw new Error(`updates not ended: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

type D365Customer = { fields: Record<string, unknown> };
const d365Customer = (account: string) =>
  control<D365Customer>('GET', `/_emulator/customers/USRT/${account}`);

const d365Patches = async (): Promise<number> =>
  (
    await control<{ value: { method: string; service: string }[] }>('GET', '/_emulator/requests?service=d365')
  ).value.filter((r) => r.method === 'PATCH').length;

/** When the Shopify token's current version was written (see rotateToken). */
let tokenSetAt = 0;

beforeAll(async () => {
  stack = await startAppStack({
    settings: (url) => ({
      WEBHOOK_SOURCES: JSON.stringify(sources(url)),
      WEBHOOK_SECRET_REFRESH_SECONDS: '1',
    }),
  });
  const vault = vaultOf(stack.emulator.url);
  await vault.setSecret('webhook-wb-shopify', SHOP_SECRET);
  await vault.setSecret('shopify-admin-wb', SHOP_TOKEN);
  tokenSetAt = Date.now();
  await vault.setSecret('webhook-wb-bigcommerce', STORE_HOOK_SECRET);
  await vault.setSecret('bigcommerce-wb', STORE_TOKEN);
  await seedShop();
  await seedShop(SLOW_SHOP, { echoDelayMs: 6000 });
  await seedStore();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('shop write-back', () => {
  it('a Shopify customer gets exactly one metafield with its D365 account; the echo changes nothing in D365', async () => {
    const patchesBefore = await d365Patches();
    const id = await shopCustomer();
    const statusUrl = await statusUrlOf('wb-shopify', id);
    const created = await waitForTerminal(statusUrl, 60_000);
    expect(created.status).toBe('succeeded');
    const ended = await writeBackEnded(statusUrl);
    expect(ended).toMatchObject({ status: 'succeeded', writeBack: { status: 'written' } });
    const report = await settledDeliveries();
    const customer = report.customers.find((c) => c.id === id)!;
    expect(customer.metafields).toEqual([
      expect.objectContaining({ namespace: 'd365', key: 'account', value: `USRT/${ended.customerAccount}` }),
    ]);
    // The write fired the shop's customers/update (the echo): answered 2xx, and D365 got no PATCH.
    const echoes = report.deliveries.value.filter((d) => d.customerId === id && d.cause === 'api');
    expect(echoes).toEqual([
      expect.objectContaining({ topic: 'customers/update', delivered: true, lastResult: '200' }),
    ]);
    expect(await d365Patches()).toBe(patchesBefore);
    // Nothing stored for it: no update record, no queue message, only the counted `echo`.
    expect(await updateRecords('wb-shopify', id)).toEqual([]);
  }, 120_000);

  it('the echo that comes after the write-back was recorded is as much a no-op', async () => {
    const patchesBefore = await d365Patches();
    const id = await shopCustomer(SLOW_SHOP);
    const statusUrl = await statusUrlOf('wb-shopify-slow', id);
    const ended = await writeBackEnded(statusUrl);
    expect(ended.writeBack).toMatchObject({ status: 'written' });
    // Written and recorded, and the shop has not sent its echo yet (it waits 6 s).
    const echoes = async (report: Promise<ShopReport>) =>
      (await report).deliveries.value.filter((d) => d.customerId === id && d.cause === 'api');
    expect(await echoes(shopReport(SLOW_SHOP))).toEqual([
      expect.objectContaining({ topic: 'customers/update', attempts: 0 }),
    ]);
    expect(await echoes(settledDeliveries(SLOW_SHOP))).toEqual([
      expect.objectContaining({ delivered: true, lastResult: '200' }),
    ]);
    expect(await d365Patches()).toBe(patchesBefore);
    expect(await updateRecords('wb-shopify-slow', id)).toEqual([]);
  }, 120_000);

  it("a merchant's real change beside our write still reaches D365, once", async () => {
    const id = await shopCustomer();
    const statusUrl = await statusUrlOf('wb-shopify', id);
    const created = await waitForTerminal(statusUrl, 60_000);
    const patchesBefore = await d365Patches();
    // The merchant renames the customer while the write-back is (most likely) still pending.
    await control('PATCH', `/_emulator/shopify/shops/${SHOP}/customers/${id}`, { last_name: 'Renamed' });
    expect((await writeBackEnded(statusUrl)).writeBack).toMatchObject({ status: 'written' });
    await settledDeliveries();
    const updates = await updatesEnded('wb-shopify', id, 1);
    // The merchant's delivery is applied; an echo that carried the rename too ends `unchanged` or as
    // an ignored echo, depending on which came first: never a second PATCH.
    expect(updates.filter((u) => u.outcome === 'updated')).toHaveLength(1);
    expect(updates.every((u) => u.status === 'succeeded')).toBe(true);
    expect(await d365Patches()).toBe(patchesBefore + 1);
    expect((await d365Customer(created.customerAccount!)).fields.PersonLastName).toBe('Renamed');
  }, 120_000);

  it('a BigCommerce customer gets its account as an attribute value', async () => {
    const id = await storeCustomer();
    const statusUrl = await statusUrlOf('wb-bigcommerce', id);
    expect((await waitForTerminal(statusUrl, 60_000)).status).toBe('succeeded');
    const ended = await writeBackEnded(statusUrl);
    expect(ended.writeBack).toMatchObject({ status: 'written' });
    const store = await control<{
      attributes: { id: number; name: string }[];
      attributeValues: { customer_id: number; attribute_id: number; attribute_value: string }[];
    }>('GET', `/_emulator/bigcommerce/stores/${STORE}`);
    const attribute = store.attributes.find((a) => a.name === 'D365 account')!;
    const values = store.attributeValues.filter((v) => String(v.customer_id) === id);
    expect(values).toEqual([
      expect.objectContaining({
        attribute_id: attribute.id,
        attribute_value: `USRT/${ended.customerAccount}`,
      }),
    ]);
  }, 120_000);

  /**
   * A new version of the Shopify token in Key Vault, in a later second than the version before it:
   * Key Vault dates versions in whole seconds (`attributes.created`, Unix time) and the app takes the
   * newest one as current, so two versions of the same second cannot be told apart (an operator's
   * rotations are seconds apart; a test's need not be).
   */
  async function rotateToken(value: string): Promise<void> {
    const nextSecond = (Math.floor(tokenSetAt / 1000) + 1) * 1000;
    if (Date.now() < nextSecond) await new Promise((r) => setTimeout(r, nextSecond - Date.now() + 50));
    await vaultOf(stack.emulator.url).setSecret('shopify-admin-wb', value);
    tokenSetAt = Date.now();
    // The app reads Key Vault again at most once per WEBHOOK_SECRET_REFRESH_SECONDS (1 s here): until
    // then it may still hold the token before (a quiet machine wrote back with it within that second).
    await new Promise((r) => setTimeout(r, 1500));
  }

  it("a pending link gets no write-back (its account is not the shop's to learn) until an operator verifies it", async () => {
    // A customer D365 already has (made at the POS), then a Shopify sign-up with the same e-mail
    // whose address Shopify has not verified: linked, pending (domain/ownership.ts).
    serial += 1;
    const email = `known.writeback.${serial}.${Date.now()}@example.com`;
    const pos = sampleCustomer('minimal');
    const made = await postJson(`${stack.url}/api/customers`, {
      Customer: { ...pos.Customer, EmailAddress: email },
    });
    const existing = await waitForTerminal((made.json as { statusUrl: string }).statusUrl, 60_000);
    expect(existing).toMatchObject({ status: 'succeeded', outcome: 'created' });
    const { id } = await control<{ id: string }>('POST', `/_emulator/shopify/shops/${SHOP}/customers`, {
      first_name: 'Alex',
      last_name: 'Trump',
      email,
      verified_email: false,
    });
    const statusUrl = await statusUrlOf('wb-shopify', id);
    const linked = (await waitForTerminal(statusUrl, 60_000)) as Status & { verification?: string };
    expect(linked).toMatchObject({ status: 'succeeded', verification: 'pending' });
    expect(linked.writeBack).toBeUndefined();
    const metafieldsOf = async () => (await shopReport()).customers.find((c) => c.id === id)!.metafields;
    expect(await metafieldsOf()).toEqual([]);

    const verify = await fetch(
      `${stack.url}/api/customers/links/verify?source=wb-shopify&sourceCustomerId=${id}`,
      { method: 'POST' },
    );
    expect(verify.status).toBe(200);
    const written = await writeBackEnded(statusUrl);
    expect(written).toMatchObject({
      customerAccount: existing.customerAccount,
      writeBack: { status: 'written' },
    });
    expect(await metafieldsOf()).toEqual([
      expect.objectContaining({ value: `USRT/${existing.customerAccount}` }),
    ]);
    // Verifying again writes nothing more: the write-back is not queued twice.
    expect(
      (
        await fetch(`${stack.url}/api/customers/links/verify?source=wb-shopify&sourceCustomerId=${id}`, {
          method: 'POST',
        })
      ).status,
    ).toBe(200);
    expect((await writeBackEnded(statusUrl)).writeBack).toMatchObject({ status: 'written', attempts: 1 });
  }, 120_000);

  it('a revoked token fails the write-back visibly, the create stays succeeded; an operator retries it once fixed', async () => {
    // The shop no longer takes the token Key Vault holds (revoked, replaced in the shop's admin).
    await rotateToken('shpat_revoked_0000000000');
    const id = await shopCustomer();
    const statusUrl = await statusUrlOf('wb-shopify', id);
    const ended = await writeBackEnded(statusUrl);
    expect(ended.status).toBe('succeeded');
    expect(ended.writeBack).toMatchObject({ status: 'failed', error: { code: 'shop_access' } });
    expect(ended.writeBack!.error!.message).toMatch(/Admin API access token/);
    // The operator puts the valid token in Key Vault, then retries.
    await rotateToken(SHOP_TOKEN);
    const retried = await fetch(`${statusUrl}/write-back/retry`, { method: 'POST' });
    expect(retried.status).toBe(202);
    expect(((await retried.json()) as Status).writeBack).toMatchObject({ status: 'pending' });
    const fixed = await writeBackEnded(statusUrl);
    expect(fixed.writeBack).toMatchObject({ status: 'written', attempts: 1 });
    const again = await fetch(`${statusUrl}/write-back/retry`, { method: 'POST' });
    expect(again.status).toBe(409);
  }, 180_000);

  it('customers/redact (privacy, issue 27): the erasure removes the metafield we wrote, and our own copies', async () => {
    const id = await shopCustomer();
    const statusUrl = await statusUrlOf('wb-shopify', id);
    await waitForTerminal(statusUrl, 60_000);
    expect(await writeBackEnded(statusUrl)).toMatchObject({ writeBack: { status: 'written' } });
    const sent = await control<{ deliveries: number }>(
      'POST',
      `/_emulator/shopify/shops/${SHOP}/compliance`,
      {
        topic: 'customers/redact',
        customerId: id,
      },
    );
    expect(sent.deliveries).toBe(1);
    const deadline = Date.now() + 90_000;
    let metafields = [{}];
    while (metafields.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      metafields = (await shopReport()).customers.find((c) => c.id === id)!.metafields;
    }
    expect(metafields).toEqual([]);
    const create = (await (await fetch(statusUrl)).json()) as Record<string, unknown>;
    expect(create).toMatchObject({ status: 'succeeded', erasedAt: expect.any(String) });
    expect(create.sourceCustomerId).toBeUndefined();
  }, 180_000);
});
