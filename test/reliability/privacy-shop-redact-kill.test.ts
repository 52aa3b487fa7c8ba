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
 * `shop/redact` survives a kill half way (issue 27: "in bounded batches that survive a kill half way").
 * Three hosts; the redacted shop holds 250 customers whose creates failed (each request keeps its
 * customer: name, e-mail, phone, street) and 5 that succeeded, beside another shop's 20 pending
 * customers. The erasure goes in batches of 100 records and 100 links, its progress saved after each.
 * The test watches the status table: once some of the shop's records are erased and some are not,
 * it freezes the host that works the request (SIGSTOP: where it stands can be read), checks the
 * erasure is half done, and SIGKILLs it. Another host takes the request over (its lease ends, the
 * reconciler sends it again: the killed host's message stays hidden as in Azure) and finishes it:
 * none of the shop's values or IDs is left in any table or queue, each of its records keeps its
 * facts (status, failure code, fingerprint: erasing a record again takes nothing more), the proof
 * counts each of them exactly once (the killed host's part of its batch by its successor), the
 * other shop's customers keep every value, and a later delivery from the shop is ignored.
 */
const SHOP: PrivacyShop = {
  name: 'kill-shop',
  shopDomain: 'privacy-kill.myshopify.com',
  secret: 'shpss_1029384756abcdef0123456789abcdef',
};
const OTHER_SHOP: PrivacyShop = {
  name: 'kill-other',
  shopDomain: 'privacy-kill-other.myshopify.com',
  secret: 'shpss_abcdef01234567899876543210fedcba',
};
const HOSTS = 3;
const PENDING = 250;

let stack: FleetStack;

beforeAll(async () => {
  stack = await startPrivacyFleet([SHOP, OTHER_SHOP], {
    hosts: HOSTS,
    settings: {
      PRIVACY_SETTLE_SECONDS: '2',
      // A killed worker's lease ends soon and the reconciler (every 30 s) sends its request again.
      PROCESSING_LEASE_SECONDS: '10',
      RECONCILE_AFTER_SECONDS: '15',
      // As in Azure: a message taken by an instance stays hidden 10 minutes; only the app brings it back.
      DEV_HOST_QUEUE_LEASE_SECONDS: '600',
      AzureFunctionsJobHost__extensions__queues__maxPollingInterval: '00:00:00.500',
    },
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
const recordsOf = (source?: string) => customerRecords(stack, source);
const FAST = { timeoutMs: 300_000, everyMs: 100 };

/** The host whose worker last claimed the request (its `customer.processing` line). */
function workingHost(id: string): number | undefined {
  let found: { host: number; at: number } | undefined;
  for (let host = 0; host < HOSTS; host += 1) {
    if (stack.isDown(host)) continue;
    const lines = stack.output(host);
    const at = lines.findLastIndex((l) => l.includes('customer.processing') && l.includes(id));
    if (at >= 0 && (found === undefined || at > found.at)) found = { host, at };
  }
  return found?.host;
}

const pending = Array.from({ length: PENDING }, (_, i) => shopCustomer('c', i));
const succeeded = Array.from({ length: 5 }, (_, i) => shopCustomer('c', 500 + i));
const others = Array.from({ length: 20 }, (_, i) => shopCustomer('a', i));

describe('shop/redact with a host killed half way', () => {
  it('another host finishes the erasure: nothing of the shop left, nothing harmed by the repeat, the other shop kept', async () => {
    await createPending(pending);
    await createPending(others, OTHER_SHOP);
    await createAll(succeeded);
    const shopRecords = (await recordsOf('kill-shop')).length;
    expect(shopRecords).toBe(PENDING + succeeded.length);

    const body = compliance('shopify-shop-redact.json', SHOP.shopDomain);
    const accepted = await send(0, 'shop/redact', body);
    expect(accepted.status).toBe(202);
    const { id } = accepted.json as { id: string };
    // Half way: some of the shop's records erased, some not. Freeze the worker there, and look.
    const half = await until(
      'the erasure under way',
      async () => (await recordsOf('kill-shop')).filter((r) => r.erasedAt).length,
      (erased) => erased > 0,
      { timeoutMs: 240_000, everyMs: 100 },
    );
    const host = workingHost(id);
    expect(host).toBeDefined();
    process.kill(stack.pid(host!), 'SIGSTOP');
    const frozen = (await recordsOf('kill-shop')).filter((r) => r.erasedAt).length;
    expect(frozen).toBeGreaterThanOrEqual(half);
    expect(frozen).toBeLessThan(shopRecords);
    await stack.kill(host!);
    const statusUrl = `${stack.url((host! + 1) % HOSTS)}/api/privacy/requests/${id}`;
    const read = async () =>
      (await (await fetch(statusUrl)).json()) as {
        status: string;
        erased: Record<string, number>;
        attempts: number;
      };
    const killedAt = await read();
    expect(killedAt.status).not.toBe('succeeded');

    const done = await until('the erasure after the kill', read, (a) => ENDED.includes(a.status), FAST);
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBeGreaterThan(killedAt.attempts);
    // Another host took it over and finished it.
    const finisher = workingHost(id);
    expect(finisher).toBeDefined();
    expect(finisher).not.toBe(host);

    // Nothing of the shop left; each record keeps its facts.
    const stored = await scanStorage(stack.env.AzureWebJobsStorage!);
    const gone = [...pending, ...succeeded];
    expect(
      foundIn(
        stored,
        gone.flatMap((c) => [...valuesOf(c), c.phone, c.id]),
      ),
    ).toEqual([]);
    const after = await recordsOf('kill-shop');
    expect(after).toHaveLength(shopRecords);
    expect(after.filter((r) => !r.erasedAt)).toEqual([]);
    expect(after.filter((r) => r.status === 'failed' && r.errorCode === 'business_error')).toHaveLength(
      PENDING,
    );
    expect(after.filter((r) => r.status === 'succeeded')).toHaveLength(succeeded.length);
    expect(after.filter((r) => !r.fingerprint)).toEqual([]);
    // The proof counts each of them once: what the killed host erased is counted by its successor.
    expect(done.erased).toMatchObject({ statusRecords: shopRecords, customerLinks: shopRecords });
    // The other shop: every value of its 20 pending customers, none of its records touched.
    expect(valuesFound(stored, others)).toEqual(others.map(() => '5/5'));
    expect((await recordsOf('kill-other')).filter((r) => r.erasedAt)).toEqual([]);
    // The shop's later delivery is ignored (its erasure mark stands).
    const late = createBody(shopCustomer('c', 900));
    const dropped = await send(finisher!, 'customers/create', late);
    expect(dropped.json).toEqual({ ignored: true, reason: 'erased' });
    console.log(
      `privacy shop/redact kill: host ${host} frozen with ${frozen}/${shopRecords} records erased, ` +
        `host ${finisher} finished (attempts ${killedAt.attempts} → ${done.attempts}); erased ${JSON.stringify(done.erased)}; ` +
        `other shop ${valuesFound(stored, others).filter((v) => v === '5/5').length}/20 customers 5/5; ${scanFigures(stored)}`,
    );
  }, 900_000);
});
