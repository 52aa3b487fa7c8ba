import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';
import {
  fixture,
  plantWebhookSecrets,
  postRaw,
  SHOP_DOMAIN,
  SHOPIFY_SECRET,
  shopifyHeaders,
  standardHeaders,
  vaultOf,
  WEBHOOK_SOURCES,
} from '../support/webhooks';
import { compliance, createBody, ShopCustomer, shopCustomer, valuesOf } from '../support/shopify-privacy';
import { scanStorage } from '../support/pii-scan';

/**
 * Privacy requests end to end (issue 27) on the real host, Azurite and the emulator: Shopify's
 * compliance topics and the operators' API erase everything the app holds of a customer (or of one
 * shop) and nothing of anyone else, once however often they are delivered; an erased customer is
 * not taken in again until an operator releases the erasure; a data request's export is fetched
 * and the fetch recorded.
 */
const OTHER_SHOP = 'd365sync-other.myshopify.com';
const OTHER_SECRET = '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';
const SOURCES = [
  ...WEBHOOK_SOURCES,
  {
    kind: 'shopify',
    name: 'other-shopify',
    shopDomain: OTHER_SHOP,
    secretName: 'webhook-shopify-other',
    legalEntity: 'USRT',
    currency: 'USD',
  },
];

let stack: AppStack;
beforeAll(async () => {
  stack = await startAppStack({
    settings: { WEBHOOK_SOURCES: JSON.stringify(SOURCES), PRIVACY_SETTLE_SECONDS: '1' },
  });
  await plantWebhookSecrets(stack.emulator.url);
  await vaultOf(stack.emulator.url).setSecret('webhook-shopify-other', OTHER_SECRET);
});

afterAll(async () => {
  await stack?.stop();
});

const shopifyUrl = () => `${stack.url}/api/webhooks/shopify`;
const privacyUrl = () => `${stack.url}/api/privacy/requests`;

async function createFromShop(c: ShopCustomer, shop = SHOP_DOMAIN, secret?: string): Promise<string> {
  const body = createBody(c);
  const answer = await postRaw(shopifyUrl(), body, shopifyHeaders(body, { shop, ...(secret && { secret }) }));
  expect(answer.status).toBe(202);
  const done = await waitForTerminal((answer.json as { statusUrl: string }).statusUrl, 60_000);
  expect(done.status).toBe('succeeded');
  return done.customerAccount!;
}

async function sendCompliance(topic: string, body: string, shop = SHOP_DOMAIN, secret?: string) {
  return postRaw(shopifyUrl(), body, shopifyHeaders(body, { topic, shop, ...(secret && { secret }) }));
}

async function waitForPrivacy(id: string, timeoutMs = 90_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, unknown> = {};
  while (Date.now() < deadline) {
    last = (await (await fetch(`${privacyUrl()}/${id}`)).json()) as Record<string, unknown>;
    if (last.status === 'succeeded' || last.status === 'failed') return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`privacy request ${id} did not end: ${JSON.stringify(last)}`);
}

/** Every row of every table and every message of every queue of the account, as text (the PII scan). */
const everythingStored = async (): Promise<string> =>
  (await scanStorage(stack.env.AzureWebJobsStorage!)).text;

/** How many rows all the account's tables hold. */
const rowCount = async (): Promise<number> => (await scanStorage(stack.env.AzureWebJobsStorage!)).rows;

const ours = Array.from({ length: 4 }, (_, i) => shopCustomer('a', i));
const theirs = Array.from({ length: 2 }, (_, i) => shopCustomer('b', i));

describe('privacy requests', () => {
  it('takes in two shops\u2019 customers', async () => {
    for (const c of ours) await createFromShop(c);
    for (const c of theirs) await createFromShop(c, OTHER_SHOP, OTHER_SECRET);
    const stored = await everythingStored();
    for (const c of [...ours, ...theirs]) expect(stored).toContain(c.id);
  }, 180_000);

  it('refuses a bad HMAC or an unknown shop (401) and a malformed payload (400) as problems, storing nothing', async () => {
    const before = await scanStorage(stack.env.AzureWebJobsStorage!);
    const body = compliance('shopify-customers-redact.json', SHOP_DOMAIN, ours[0]);
    const otherDomain = compliance('shopify-customers-redact.json', OTHER_SHOP, ours[0]);
    const noCustomer = JSON.stringify({ shop_id: 1, shop_domain: SHOP_DOMAIN, customer: {} });
    const standardRedact = JSON.stringify({
      type: 'customer.redact',
      timestamp: new Date().toISOString(),
      data: { reference: 'STD-ANY' },
    });
    const answers = [
      await sendCompliance('customers/redact', body, SHOP_DOMAIN, 'shpss_wrong'),
      await sendCompliance('customers/redact', body, 'nobody.myshopify.com'),
      await sendCompliance('customers/redact', otherDomain),
      await sendCompliance('customers/redact', noCustomer),
      await sendCompliance('customers/redact', '{"shop_domain":'),
      // A Standard Webhooks redact signed with another secret.
      await postRaw(
        `${stack.url}/api/webhooks/standard?source=test-standard`,
        standardRedact,
        standardHeaders(standardRedact, { secret: `whsec_${Buffer.alloc(24, 7).toString('base64')}` }),
      ),
    ];
    expect(answers.map((a) => a.status)).toEqual([401, 401, 400, 400, 400, 401]);
    for (const answer of answers) {
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.json).toMatchObject({
        status: answer.status,
        type: expect.any(String),
        title: expect.any(String),
      });
    }
    expect(answers[2]!.json).toMatchObject({ errors: [{ pointer: '/shop_domain' }] });
    expect(answers[3]!.json).toMatchObject({ errors: [{ pointer: '/customer' }] });
    // Nothing stored: no row or message of the account that was not there before is a privacy
    // request or names anything these deliveries named. (Counting all rows is not enough and too
    // much: the app's timers write rows of their own meanwhile — three more under load in CI.)
    const after = await scanStorage(stack.env.AzureWebJobsStorage!);
    const earlier = new Set(before.text.split('\n'));
    const added = after.text.split('\n').filter((line) => !earlier.has(line));
    const named = [OTHER_SHOP, 'nobody.myshopify.com', 'STD-ANY'];
    const stored = added.filter(
      (line) => /"kind":"(erase|export)"/.test(line) || named.some((value) => line.includes(value)),
    );
    expect(stored).toEqual([]);
  });

  it('customers/redact: ten concurrent copies are one request that erases that customer everywhere, and no one else', async () => {
    const [gone, ...kept] = ours;
    const body = compliance('shopify-customers-redact.json', SHOP_DOMAIN, gone);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => sendCompliance('customers/redact', body)),
    );
    const ids = new Set(answers.map((a) => (a.json as { id: string }).id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(
      answers.filter((a) => a.status === 200 && a.headers.get('idempotent-replayed') === 'true'),
    ).toHaveLength(9);
    const [id] = [...ids];
    const done = await waitForPrivacy(id!);
    expect(done).toMatchObject({
      status: 'succeeded',
      type: 'erase',
      via: 'shopify',
      source: 'test-shopify',
    });
    const erased = done.erased as Record<string, number>;
    expect(erased.statusRecords).toBeGreaterThanOrEqual(1);
    expect(erased.customerLinks).toBe(1);
    // report (the default): the linked D365 customer is named for the merchant to handle in F&O.
    expect(done.d365).toEqual([expect.objectContaining({ action: 'reported', legalEntity: 'USRT' })]);
    const stored = await everythingStored();
    for (const value of [...valuesOf(gone!), gone!.id]) expect(stored).not.toContain(value);
    for (const c of [...kept, ...theirs]) expect(stored).toContain(c.id);
    for (const line of stack.hostOutput)
      for (const value of valuesOf(gone!)) expect(line).not.toContain(value);
  }, 120_000);

  it('an erased customer\u2019s later delivery is acknowledged and dropped until the erasure is released', async () => {
    const gone = ours[0]!;
    const before = await rowCount();
    const body = createBody(gone);
    const dropped = await postRaw(shopifyUrl(), body, shopifyHeaders(body));
    expect(dropped.status).toBe(200);
    expect(dropped.json).toEqual({ ignored: true, reason: 'erased' });
    expect(await rowCount()).toBe(before);
    const redact = compliance('shopify-customers-redact.json', SHOP_DOMAIN, gone);
    const request = await sendCompliance('customers/redact', redact);
    const id = (request.json as { id: string }).id;
    const released = await fetch(`${privacyUrl()}/${id}/release`, { method: 'POST' });
    expect(released.status).toBe(200);
    expect(((await released.json()) as { releasedAt?: string }).releasedAt).toEqual(expect.any(String));
    const again = await postRaw(shopifyUrl(), body, shopifyHeaders(body));
    expect(again.status).toBe(202);
    await waitForTerminal((again.json as { statusUrl: string }).statusUrl, 60_000);
  }, 120_000);

  it('customers/data_request: an export of what is held, each fetch recorded', async () => {
    const subject = ours[1]!;
    const body = compliance('shopify-customers-data-request.json', SHOP_DOMAIN, subject);
    const accepted = await sendCompliance('customers/data_request', body);
    expect(accepted.status).toBe(202);
    const { id } = accepted.json as { id: string };
    const done = await waitForPrivacy(id);
    expect(done).toMatchObject({ status: 'succeeded', type: 'export', externalId: '9999' });
    expect(done.found).toMatchObject({ customerLinks: 1 });
    const exported = await fetch(`${privacyUrl()}/${id}/export`);
    expect(exported.status).toBe(200);
    const content = (await exported.json()) as {
      links: { sourceCustomerId?: string; customerAccount?: string }[];
    };
    expect(content.links).toEqual([
      expect.objectContaining({ sourceCustomerId: subject.id, customerAccount: expect.any(String) }),
    ]);
    const after = await waitForPrivacy(id);
    // Who fetched: the operator (the master key locally), on the request and in the operator audit log.
    expect(after.fetches).toEqual([{ by: 'master-key', at: expect.any(String) }]);
    const audit = (await (await fetch(`${stack.url}/api/ops/audit?correlationId=${id}`)).json()) as {
      entries: { action: string; actor: { id: string }; outcome: string }[];
    };
    expect(audit.entries.map((e) => [e.action, e.actor.id, e.outcome])).toEqual([
      ['privacy.export_read', 'master-key', 'shown'],
    ]);
  }, 120_000);

  it('shop/redact: everything of that shop goes, nothing of the other shop', async () => {
    const body = compliance('shopify-shop-redact.json', OTHER_SHOP);
    const accepted = await sendCompliance('shop/redact', body, OTHER_SHOP, OTHER_SECRET);
    expect(accepted.status).toBe(202);
    const done = await waitForPrivacy((accepted.json as { id: string }).id);
    expect(done).toMatchObject({ status: 'succeeded', scope: 'source', source: 'other-shopify' });
    expect((done.erased as Record<string, number>).customerLinks).toBe(theirs.length);
    const stored = await everythingStored();
    for (const c of theirs) for (const value of [...valuesOf(c), c.id]) expect(stored).not.toContain(value);
    for (const c of ours.slice(1)) expect(stored).toContain(c.id);
    // The shop's later deliveries are dropped too.
    const late = createBody(shopCustomer('b', 9));
    const dropped = await postRaw(
      shopifyUrl(),
      late,
      shopifyHeaders(late, { shop: OTHER_SHOP, secret: OTHER_SECRET }),
    );
    expect(dropped.json).toEqual({ ignored: true, reason: 'erased' });
  }, 120_000);

  it('Standard Webhooks customer.redact: the sender\u2019s own customer, by its reference', async () => {
    const standardUrl = `${stack.url}/api/webhooks/standard?source=test-standard`;
    const seed = JSON.parse(fixture('../seed-customer-minimal.json').toString('utf8')) as {
      Customer: Record<string, unknown>;
    };
    const customer = {
      ...seed.Customer,
      FirstName: 'Stdfirst',
      LastName: 'Stdlast',
      EmailAddress: 'std.erase@example.com',
    };
    const create = JSON.stringify({
      type: 'customer.created',
      timestamp: new Date().toISOString(),
      data: { reference: 'STD-ERASE-1', Customer: customer },
    });
    const created = await postRaw(standardUrl, create, standardHeaders(create));
    expect(created.status).toBe(202);
    await waitForTerminal((created.json as { statusUrl: string }).statusUrl, 60_000);
    const invalid = JSON.stringify({
      type: 'customer.redact',
      timestamp: new Date().toISOString(),
      data: {},
    });
    const refused = await postRaw(standardUrl, invalid, standardHeaders(invalid));
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ errors: [{ pointer: '/data' }] });
    const redact = JSON.stringify({
      type: 'customer.redact',
      timestamp: new Date().toISOString(),
      data: { reference: 'STD-ERASE-1' },
    });
    const accepted = await postRaw(standardUrl, redact, standardHeaders(redact));
    expect(accepted.status).toBe(202);
    const done = await waitForPrivacy((accepted.json as { id: string }).id);
    expect(done).toMatchObject({ status: 'succeeded', via: 'standard', source: 'test-standard' });
    expect((done.erased as Record<string, number>).customerLinks).toBe(1);
    const stored = await everythingStored();
    for (const value of ['STD-ERASE-1', 'Stdfirst', 'std.erase@example.com'])
      expect(stored).not.toContain(value);
  }, 120_000);

  it('POST /api/privacy/requests: an operator erases by e-mail a customer created through the API', async () => {
    const email = 'api.erase.me@example.com';
    const seed = JSON.parse(fixture('../seed-customer-minimal.json').toString('utf8')) as {
      Customer: Record<string, unknown>;
    };
    const created = await postJson(`${stack.url}/api/customers`, {
      Customer: { ...seed.Customer, FirstName: 'Apifirst', LastName: 'Apilast', EmailAddress: email },
    });
    expect(created.status).toBe(202);
    await waitForTerminal((created.json as { statusUrl: string }).statusUrl, 60_000);
    const invalid = await postJson(privacyUrl(), { type: 'erase', email, legalEntity: 'USRT' });
    expect(invalid.status).toBe(400);
    const accepted = await postJson(privacyUrl(), { type: 'erase', email });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('location')).toMatch(/\/api\/privacy\/requests\/[0-9a-f-]{36}$/);
    const { id } = accepted.json as { id: string };
    const done = await waitForPrivacy(id);
    expect(done.status).toBe('succeeded');
    expect((done.erased as Record<string, number>).statusRecords).toBeGreaterThanOrEqual(1);
    const audit = (await (await fetch(`${stack.url}/api/ops/audit?correlationId=${id}`)).json()) as {
      entries: { action: string; outcome: string }[];
    };
    expect(audit.entries).toEqual([expect.objectContaining({ action: 'privacy.request', outcome: 'erase' })]);
    const stored = await everythingStored();
    for (const value of ['Apifirst', 'Apilast', email]) expect(stored).not.toContain(value);
  }, 120_000);

  it('the emulated shop sends customers/redact as Shopify does (signed, the documented payload): that customer goes, the others stay', async () => {
    const gone = ours[3]!;
    const shopControl = `${stack.emulator.url}/_emulator/shopify/shops/${SHOP_DOMAIN}`;
    const seeded = await fetch(shopControl, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        apps: [
          {
            token: 'shpat_privacy_test_0001',
            clientSecret: SHOPIFY_SECRET,
            webhooks: ['customers/redact', 'customers/data_request', 'shop/redact'].map((topic) => ({
              topic,
              address: shopifyUrl(),
            })),
          },
        ],
        retryDelaysMs: [],
      }),
    });
    expect(seeded.status).toBe(200);
    // Deleted from the shop already (Shopify sends the redact days later): named as Shopify knows it.
    const sent = await fetch(`${shopControl}/compliance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        topic: 'customers/redact',
        customer: { id: gone.id, email: gone.email, phone: gone.phone },
      }),
    });
    expect(sent.status).toBe(202);
    expect(((await sent.json()) as { deliveries: number }).deliveries).toBe(1);
    let delivery: { lastResult: string; settled: boolean } | undefined;
    for (let i = 0; i < 200 && !delivery?.settled; i += 1) {
      const report = (await (await fetch(shopControl)).json()) as {
        deliveries: { value: { topic: string; lastResult: string; settled: boolean }[] };
      };
      delivery = report.deliveries.value.find((d) => d.topic === 'customers/redact');
      if (!delivery?.settled) await new Promise((r) => setTimeout(r, 100));
    }
    expect(delivery).toMatchObject({ lastResult: '202', settled: true });
    // The app took it (202 above); its erasure runs in the worker: wait until nothing of the customer is left.
    let stored = '';
    for (let i = 0; i < 400; i += 1) {
      stored = await everythingStored();
      if (!stored.includes(gone.email) && !stored.includes(gone.id)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    for (const value of [...valuesOf(gone), gone.id]) expect(stored).not.toContain(value);
    for (const c of ours.slice(1, 3)) expect(stored).toContain(c.id);
  }, 180_000);
});
