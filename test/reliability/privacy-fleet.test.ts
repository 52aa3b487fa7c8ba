import { FleetStack } from '../../dev/local-stack/fleet-stack';
import { foundIn, scanFigures, scanStorage } from '../support/pii-scan';
import {
  createAll as createAllOn,
  createPending as createPendingOn,
  customerRecords,
  ENDED,
  PrivacyShop,
  sendShopify,
  startPrivacyFleet,
  until,
  valuesFound,
} from '../support/privacy-fleet';
import { compliance, createBody, ShopCustomer, shopCustomer, valuesOf } from '../support/shopify-privacy';

/**
 * Privacy on a fleet (issue 27, "Done when"): three hosts on one storage account, two Shopify shops.
 * A PII scan (test/support/pii-scan.ts: every table and queue of the account) must find none of an
 * erased customer's values and every value of the customers kept; captured telemetry and the
 * hosts' logs hold none of anyone's. A customer whose create succeeded
 * leaves only IDs and digests in our store (by design), so the customers kept are also held **pending**:
 * their creates failed (D365 refused them: the emulator's fault) and a failed request keeps the
 * customer it was sent for FAILED_REQUEST_RETENTION_DAYS (an operator's replay) — their name, e-mail,
 * phone and street are in our store, and must still be after the erasures.
 * 1. `customers/redact`: ten copies at once on the three hosts, racing a redelivery of the customer's
 *    create: one request, worked once; the customer created once in D365; none of its values left;
 *    every value of the 20 pending customers of the same shop still there.
 * 2. `shop/redact` of the second shop, beside the first: all of its customers go (pending ones with
 *    their values, succeeded ones with their IDs), every value of the first shop's 20 stays.
 */
const SHOP: PrivacyShop = {
  name: 'fleet-privacy',
  shopDomain: 'privacy-fleet.myshopify.com',
  secret: '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',
};
const OTHER_SHOP: PrivacyShop = {
  name: 'fleet-other',
  shopDomain: 'privacy-fleet-other.myshopify.com',
  secret: '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',
};
const HOSTS = 3;
const PENDING = 20;

let stack: FleetStack;

beforeAll(async () => {
  stack = await startPrivacyFleet([SHOP, OTHER_SHOP], {
    hosts: HOSTS,
    settings: { PRIVACY_SETTLE_SECONDS: '2' },
    emulatorSettings: (url) => ({
      // Telemetry goes to the emulator's ingestion endpoint, where the test reads what was captured.
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=${url}/;LiveEndpoint=${url}/`,
    }),
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

const send = (host: number, topic: string, body: string, shop = SHOP) =>
  sendShopify(stack, host, topic, body, shop);
const createAll = (customers: ShopCustomer[], shop = SHOP) => createAllOn(stack, HOSTS, customers, shop);
const createPending = (customers: ShopCustomer[], shop = SHOP) =>
  createPendingOn(stack, HOSTS, customers, shop);
const createStatuses = async () => (await customerRecords(stack)).map((r) => r.status);

async function waitForPrivacy(id: string) {
  const statusUrl = `${stack.url(1)}/api/privacy/requests/${id}`;
  return until(
    'the erasure',
    async () =>
      (await (await fetch(statusUrl)).json()) as {
        status: string;
        scope: string;
        erased?: Record<string, number>;
      },
    (answer) => ENDED.includes(answer.status),
  );
}

const pending = Array.from({ length: PENDING }, (_, i) => shopCustomer('a', i));
const succeeded = Array.from({ length: 3 }, (_, i) => shopCustomer('a', 30 + i));
const otherPending = Array.from({ length: 5 }, (_, i) => shopCustomer('c', i));
const otherSucceeded = Array.from({ length: 3 }, (_, i) => shopCustomer('c', 30 + i));
const gone = shopCustomer('b', 0);

describe('privacy requests on a fleet of three hosts', () => {
  it('ten concurrent redacts racing the customer\u2019s create: one request, the customer created once, nothing of it left, every value of 20 pending customers kept', async () => {
    await createPending(pending);
    await createPending(otherPending, OTHER_SHOP);
    await createAll(succeeded);
    await createAll(otherSucceeded, OTHER_SHOP);
    const before = await scanStorage(stack.env.AzureWebJobsStorage!);
    // The fixture holds what it should: every value of each pending customer (else the check is empty).
    expect(valuesFound(before, [...pending, ...otherPending])).toEqual(
      [...pending, ...otherPending].map(() => '5/5'),
    );
    await createAll([gone]);
    // The redact, ten times at once on three hosts, beside a redelivery of the subject's create.
    const redact = compliance('shopify-customers-redact.json', SHOP.shopDomain, gone);
    const [redelivered, ...answers] = await Promise.all([
      send(0, 'customers/create', createBody(gone)),
      ...Array.from({ length: 10 }, (_, i) => send(i % HOSTS, 'customers/redact', redact)),
    ]);
    expect([200, 202]).toContain(redelivered!.status);
    const ids = new Set(answers.map((a) => (a.json as { id: string }).id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    const done = await waitForPrivacy([...ids][0]!);
    expect(done.status).toBe('succeeded');
    expect(done.erased?.customerLinks).toBe(1);
    // Every create ended (the redelivery too).
    await until('the creates', createStatuses, (rows) => rows.every((s) => ENDED.includes(s)));
    // The subject exists once in D365 (the redact does not undo a create: report is the default).
    const inD365 = (await stack.customers()).filter((c) => JSON.stringify(c.fields).includes(gone.email));
    expect(inD365).toHaveLength(1);
    const stored = await scanStorage(stack.env.AzureWebJobsStorage!);
    expect(foundIn(stored, [...valuesOf(gone), gone.phone, gone.id])).toEqual([]);
    const kept = [...pending, ...otherPending];
    expect(valuesFound(stored, kept)).toEqual(kept.map(() => '5/5'));
    const ids2 = [...kept, ...succeeded, ...otherSucceeded].map((c) => c.id);
    expect(foundIn(stored, ids2)).toEqual(ids2);
    // Captured telemetry (every host's, once the completion is exported) and every host's log lines:
    // none of the subject's values, nor of anyone else's (they never hold any).
    const telemetry = await until(
      'the telemetry of the erasure',
      async () => JSON.stringify(await stack.emulatorApi('GET', '/_emulator/telemetry')),
      (text) => text.includes('PrivacyRequestCompleted') && text.includes('CustomerFailed'),
    );
    const logs = Array.from({ length: HOSTS }, (_, i) => stack.output(i).join('\n')).join('\n');
    const everyone = [gone, ...kept, ...succeeded, ...otherSucceeded];
    expect(everyone.flatMap(valuesOf).filter((value) => telemetry.includes(value))).toEqual([]);
    expect(everyone.flatMap(valuesOf).filter((value) => logs.includes(value))).toEqual([]);
    console.log(
      `privacy fleet customers/redact: telemetry ${telemetry.length} chars, logs ${logs.length} chars, 0 values; subject ${foundIn(stored, valuesOf(gone)).length}/5 values left; ` +
        `${kept.length} pending customers ${valuesFound(stored, kept).join(' ')}; ${scanFigures(stored)}`,
    );
  }, 600_000);

  it('shop/redact of one shop beside another: all of that shop\u2019s customers go, every value of the other shop\u2019s stays', async () => {
    const body = compliance('shopify-shop-redact.json', OTHER_SHOP.shopDomain);
    const answers = await Promise.all(
      Array.from({ length: 3 }, (_, i) => send(i, 'shop/redact', body, OTHER_SHOP)),
    );
    const ids = new Set(answers.map((a) => (a.json as { id: string }).id));
    expect(ids.size).toBe(1);
    const done = await waitForPrivacy([...ids][0]!);
    expect(done).toMatchObject({ status: 'succeeded', scope: 'source' });
    // Each of the shop's customers has a link (a failed create's names only the request: no account).
    expect(done.erased?.customerLinks).toBe(otherPending.length + otherSucceeded.length);
    expect(done.erased?.statusRecords).toBeGreaterThanOrEqual(otherPending.length + otherSucceeded.length);
    const stored = await scanStorage(stack.env.AzureWebJobsStorage!);
    const erased = [...otherPending, ...otherSucceeded];
    expect(
      foundIn(
        stored,
        erased.flatMap((c) => [...valuesOf(c), c.id]),
      ),
    ).toEqual([]);
    expect(valuesFound(stored, pending)).toEqual(pending.map(() => '5/5'));
    const keptIds = [...pending, ...succeeded].map((c) => c.id);
    expect(foundIn(stored, keptIds)).toEqual(keptIds);
    console.log(
      `privacy fleet shop/redact: ${erased.length} customers of the shop, ${foundIn(stored, erased.flatMap(valuesOf)).length} values left; ` +
        `${pending.length} pending customers of the other shop ${valuesFound(stored, pending).join(' ')}; ${scanFigures(stored)}`,
    );
  }, 600_000);
});
