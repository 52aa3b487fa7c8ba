import { createHmac } from 'node:crypto';
import { AdminApiClient, createAdminApiClient } from '@shopify/admin-api-client';
import { call, useEmulator } from './support/emulator';
import { useWebhookReceiver } from './support/webhook-receiver';

/**
 * The emulated Shopify GraphQL Admin API, through Shopify's own client (@shopify/admin-api-client):
 * cost model, leaky bucket, THROTTLED, metafieldsSet rules, definitions, paging, echo webhooks.
 */
const SHOP = 'emulated-shop.myshopify.com';
const TOKEN = 'shpat_emulated_token_0001';
const SECRET = 'shpss_emulated_client_secret';
const VERSION = '2026-10';

const emulator = useEmulator();

const receiver = useWebhookReceiver('/hooks');
const received = receiver.received;

/** The client as the app builds it: the shop's real domain, requests sent to the emulator. */
function client(token = TOKEN): AdminApiClient {
  return createAdminApiClient({
    storeDomain: SHOP,
    apiVersion: VERSION,
    accessToken: token,
    logger: () => undefined,
    customFetchApi: (url, init) =>
      fetch(String(url).replace(`https://${SHOP}`, `${emulator.url}/shopify/${SHOP}`), init),
  });
}

async function seedShop(extra: Record<string, unknown> = {}) {
  const answer = await call(emulator, 'PUT', `/_emulator/shopify/shops/${SHOP}`, {
    body: {
      apps: [
        {
          token: TOKEN,
          clientSecret: SECRET,
          webhooks: [{ topic: 'customers/update', address: receiver.url(), metafieldNamespaces: ['d365'] }],
        },
      ],
      retryDelaysMs: [],
      ...extra,
    },
  });
  expect(answer.status).toBe(200);
  received.length = 0;
}

async function addCustomer(email: string): Promise<string> {
  const answer = await call<{ admin_graphql_api_id: string }>(
    emulator,
    'POST',
    `/_emulator/shopify/shops/${SHOP}/customers`,
    { body: { first_name: 'Ada', last_name: 'Lovelace', email } },
  );
  expect(answer.status).toBe(201);
  return answer.body.admin_graphql_api_id;
}

const SET = `mutation Set($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) { metafields { namespace key value compareDigest } userErrors { field message code elementIndex } }
}`;
const READ = `query Read($id: ID!) { customer(id: $id) { id email metafield(namespace: "d365", key: "account") { value type } } }`;

const setAccount = (ownerId: string, value: string, extra: Record<string, unknown> = {}, c = client()) =>
  c.request(SET, {
    variables: {
      metafields: [
        { ownerId, namespace: 'd365', key: 'account', type: 'single_line_text_field', value, ...extra },
      ],
    },
  });

const settle = async () => {
  for (let i = 0; i < 100; i += 1) {
    const report = await call<{ deliveries: { pending: number } }>(
      emulator,
      'GET',
      `/_emulator/shopify/shops/${SHOP}`,
    );
    if (report.body.deliveries.pending === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('Shopify GraphQL Admin API (emulated)', () => {
  beforeEach(() => seedShop());

  it('writes a metafield with metafieldsSet, reads it back, and charges 10 + 1 per customer owner', async () => {
    const owner = await addCustomer('ada@example.com');
    const answer = await setAccount(owner, 'USRT/US-000001');
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toMatchObject({
      metafieldsSet: { userErrors: [], metafields: [{ value: 'USRT/US-000001' }] },
    });
    expect(answer.extensions).toMatchObject({
      cost: {
        requestedQueryCost: 11,
        actualQueryCost: 11,
        throttleStatus: { maximumAvailable: 2000, restoreRate: 100 },
      },
    });
    const read = await client().request(READ, { variables: { id: owner } });
    expect(read.data).toMatchObject({
      customer: { email: 'ada@example.com', metafield: { value: 'USRT/US-000001' } },
    });
    // A query's actual cost: the customer object and its metafield object.
    expect(read.extensions).toMatchObject({ cost: { requestedQueryCost: 2, actualQueryCost: 2 } });
  });

  it('sends the signed customers/update echo after a write that changed something, not after an identical one', async () => {
    const owner = await addCustomer('echo@example.com');
    await setAccount(owner, 'USRT/US-000002');
    await settle();
    expect(received).toHaveLength(1);
    const [echo] = received;
    expect(echo!.headers['x-shopify-topic']).toBe('customers/update');
    expect(echo!.headers['x-shopify-shop-domain']).toBe(SHOP);
    expect(echo!.headers['x-shopify-hmac-sha256']).toBe(
      createHmac('sha256', SECRET).update(echo!.body).digest('base64'),
    );
    const payload = JSON.parse(echo!.body) as {
      admin_graphql_api_id: string;
      metafields: { value: string }[];
    };
    expect(payload.admin_graphql_api_id).toBe(owner);
    expect(payload.metafields).toEqual([
      expect.objectContaining({ namespace: 'd365', key: 'account', value: 'USRT/US-000002' }),
    ]);
    await setAccount(owner, 'USRT/US-000002');
    await settle();
    expect(received).toHaveLength(1);
  });

  it('answers THROTTLED (HTTP 200, actualQueryCost null) when the bucket cannot hold the requested cost', async () => {
    await seedShop({ bucket: { maximumAvailable: 25, restoreRate: 1 } });
    const owner = await addCustomer('throttle@example.com');
    const first = await setAccount(owner, 'A/1');
    const second = await setAccount(owner, 'A/2');
    const third = await setAccount(owner, 'A/3');
    expect(first.errors).toBeUndefined();
    expect(second.errors).toBeUndefined();
    expect(third.errors?.graphQLErrors).toEqual([
      expect.objectContaining({
        message: 'Throttled',
        extensions: expect.objectContaining({ code: 'THROTTLED' }),
      }),
    ]);
    expect(third.extensions).toMatchObject({
      cost: {
        requestedQueryCost: 11,
        actualQueryCost: null,
        throttleStatus: { maximumAvailable: 25, restoreRate: 1 },
      },
    });
    const report = await call<{
      apps: { throttled: number; lowestAvailable: number }[];
      customers: { metafields: { value: string }[] }[];
    }>(emulator, 'GET', `/_emulator/shopify/shops/${SHOP}`);
    expect(report.body.apps[0]).toMatchObject({ throttled: 1, lowestAvailable: 3 });
    expect(report.body.customers[0]!.metafields[0]!.value).toBe('A/2');
  });

  it('refuses a query over the single-query cost limit (MAX_COST_EXCEEDED), before charging', async () => {
    const answer = await client().request(
      `{ customers(first: 250) { edges { node { id metafields(first: 10) { nodes { value } } } } } }`,
    );
    expect(answer.errors?.graphQLErrors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'MAX_COST_EXCEEDED' }) }),
    ]);
  });

  it('keeps metafieldsSet atomic: a stale compareDigest writes nothing', async () => {
    const owner = await addCustomer('cas@example.com');
    const written = await setAccount(owner, 'USRT/US-1');
    const digest = (written.data as { metafieldsSet: { metafields: { compareDigest: string }[] } })
      .metafieldsSet.metafields[0]!.compareDigest;
    expect((await setAccount(owner, 'USRT/US-2', { compareDigest: digest })).data).toMatchObject({
      metafieldsSet: { userErrors: [] },
    });
    const stale = await setAccount(owner, 'USRT/US-3', { compareDigest: digest });
    expect(stale.data).toMatchObject({
      metafieldsSet: { metafields: [], userErrors: [{ code: 'STALE_OBJECT', elementIndex: 0 }] },
    });
    const mustNotExist = await setAccount(owner, 'USRT/US-4', { compareDigest: null });
    expect(mustNotExist.data).toMatchObject({ metafieldsSet: { userErrors: [{ code: 'STALE_OBJECT' }] } });
    const read = await client().request(READ, { variables: { id: owner } });
    expect(read.data).toMatchObject({ customer: { metafield: { value: 'USRT/US-2' } } });
  });

  it('creates a unique-values definition once (TAKEN the second time) and enforces it across customers', async () => {
    const create = `mutation Def($definition: MetafieldDefinitionInput!) {
      metafieldDefinitionCreate(definition: $definition) { createdDefinition { id namespace key type { name } capabilities { uniqueValues { enabled } } } userErrors { code field message } }
    }`;
    const definition = {
      name: 'D365 account',
      namespace: 'd365',
      key: 'account',
      type: 'single_line_text_field',
      ownerType: 'CUSTOMER',
      capabilities: { uniqueValues: { enabled: true } },
    };
    const first = await client().request(create, { variables: { definition } });
    expect(first.data).toMatchObject({
      metafieldDefinitionCreate: {
        userErrors: [],
        createdDefinition: { namespace: 'd365', capabilities: { uniqueValues: { enabled: true } } },
      },
    });
    const again = await client().request(create, { variables: { definition } });
    expect(again.data).toMatchObject({
      metafieldDefinitionCreate: { createdDefinition: null, userErrors: [{ code: 'TAKEN' }] },
    });
    const a = await addCustomer('a@example.com');
    const b = await addCustomer('b@example.com');
    expect((await setAccount(a, 'USRT/US-9')).data).toMatchObject({ metafieldsSet: { userErrors: [] } });
    expect((await setAccount(b, 'USRT/US-9')).data).toMatchObject({
      metafieldsSet: { userErrors: [{ code: 'TAKEN' }] },
    });
    const listed = await client().request(
      `{ metafieldDefinitions(ownerType: CUSTOMER, first: 5, namespace: "d365") { nodes { key } } }`,
    );
    expect(listed.data).toEqual({ metafieldDefinitions: { nodes: [{ key: 'account' }] } });
  });

  it('pages customers with opaque cursors (first/after), and needs first or last', async () => {
    for (let i = 0; i < 5; i += 1) await addCustomer(`page${i}@example.com`);
    const query = `query Page($after: String) { customers(first: 2, after: $after) { nodes { email } pageInfo { hasNextPage endCursor } } }`;
    const emails: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 5; pages += 1) {
      type Page = { nodes: { email: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
      const answer: { data?: unknown } = await client().request(query, { variables: { after } });
      const page = (answer.data as { customers: Page }).customers;
      emails.push(...page.nodes.map((n) => n.email));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(emails).toEqual([0, 1, 2, 3, 4].map((i) => `page${i}@example.com`));
    // The control API counts list pages, and a page read again (the backfill bench's resume check).
    type Report = { apps: { customerPages: number; customerPagesRepeated: number }[] };
    const counted = async () =>
      (await call<Report>(emulator, 'GET', `/_emulator/shopify/shops/${SHOP}`)).body.apps[0];
    expect(await counted()).toMatchObject({ customerPages: 3, customerPagesRepeated: 0 });
    await client().request(query, { variables: { after } });
    expect(await counted()).toMatchObject({ customerPages: 4, customerPagesRepeated: 1 });
    const light = await call<Report & { customers?: unknown }>(
      emulator,
      'GET',
      `/_emulator/shopify/shops/${SHOP}?customers=none`,
    );
    expect(light.body.customers).toBeUndefined();
    expect(light.body.apps[0]).toMatchObject({ customerPages: 4 });
    const unbounded = await client().request(`{ customers { nodes { id } } }`);
    expect(unbounded.errors?.graphQLErrors?.[0]?.message).toBe('you must provide one of first or last');
  });

  it('refuses a revoked token (401) and names a deleted customer as an invalid owner', async () => {
    const owner = await addCustomer('gone@example.com');
    const id = owner.split('/').pop()!;
    expect((await call(emulator, 'DELETE', `/_emulator/shopify/shops/${SHOP}/customers/${id}`)).status).toBe(
      204,
    );
    const deleted = await setAccount(owner, 'USRT/US-5');
    expect(deleted.data).toMatchObject({
      metafieldsSet: { userErrors: [{ code: 'INVALID', field: ['metafields', '0', 'ownerId'] }] },
    });
    expect(
      (await call(emulator, 'POST', `/_emulator/shopify/shops/${SHOP}/revoke`, { body: { token: TOKEN } }))
        .status,
    ).toBe(204);
    const revoked = await setAccount(owner, 'USRT/US-5');
    expect(revoked.errors).toMatchObject({ networkStatusCode: 401 });
  });

  it('fails validation for a field the real schema does not have, and for a missing scope', async () => {
    const unknown = await client().request(`{ shop { id plan } }`);
    expect(unknown.errors?.graphQLErrors?.[0]?.message).toMatch(/plan/);
    await seedShop({ apps: [{ token: TOKEN, clientSecret: SECRET, scopes: ['read_customers'] }] });
    const owner = await addCustomer('scope@example.com');
    const denied = await setAccount(owner, 'X/1');
    expect(denied.errors?.graphQLErrors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'ACCESS_DENIED' }) }),
    ]);
  });

  it('answers scripted faults for the shop like the D365 ones', async () => {
    await call(emulator, 'POST', '/_emulator/faults', {
      body: { service: 'shopify', status: 503, count: 1 },
    });
    const answer = await client().request(`{ shop { id } }`);
    expect(answer.errors).toMatchObject({ networkStatusCode: 503 });
    expect((await client().request(`{ shop { myshopifyDomain } }`)).data).toEqual({
      shop: { myshopifyDomain: SHOP },
    });
    const log = emulator.requests({ service: 'shopify' });
    expect(log.map((entry) => entry.status).slice(-2)).toEqual([503, 200]);
  });
});
