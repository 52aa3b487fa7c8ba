import { FleetStack } from '../../dev/local-stack/fleet-stack';
import { foundIn, scanFigures, scanStorage } from '../support/pii-scan';
import {
  createAll,
  customerRecords,
  ENDED,
  PrivacyShop,
  sendShopify,
  startPrivacyFleet,
  until,
} from '../support/privacy-fleet';
import { compliance, createBody, ShopCustomer, shopCustomer, valuesOf } from '../support/shopify-privacy';

/**
 * A redact racing its customer's create on a fleet (issue 27, "Done when": "A redact that races its
 * customer's create (queued, processing, submitting) ends with the customer created once in D365 and
 * nothing personal left in our store; tested on the fleet"). `queued` is in privacy-fleet.test.ts;
 * here the create is held in D365 by the emulator's latency fault, so the race is caught at:
 * - `processing`: the duplicate lookup (DUPLICATE_POLICY=link, the default) is in flight;
 * - `submitting`: the create call itself is in flight (past the fence: the customer may exist;
 *   D365_TARGET=custom-service, the default: the CreateCustomer service call);
 * - `submitting` with an unknown outcome: D365 committed the customer and its gateway answered 504;
 *   the record is to look it up before anything else (its lookups held) when the redacts arrive.
 * Ten copies of `customers/redact` go to the three hosts (with a redelivery of the create) while the
 * call is held; the test sees the erasure wait for that very record in that very stage (its status
 * answer's `lastError`, the record's status read from the table while the call is still pending),
 * then checks: one request, the customer created once in D365 (and reported: the account it got),
 * none of its values left anywhere in the storage account, the other customers' links kept.
 */
const SHOP: PrivacyShop = {
  name: 'race-privacy',
  shopDomain: 'privacy-race.myshopify.com',
  secret: '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',
};
const HOSTS = 3;
/** How long the emulator holds the create's D365 call (below D365_TIMEOUT_MS, 30 s). */
const HOLD_MS = 20_000;

let stack: FleetStack;
const others = Array.from({ length: 5 }, (_, i) => shopCustomer('a', 60 + i));

beforeAll(async () => {
  stack = await startPrivacyFleet([SHOP], { hosts: HOSTS, settings: { PRIVACY_SETTLE_SECONDS: '2' } });
  await createAll(stack, HOSTS, others, SHOP);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

const send = (host: number, topic: string, body: string) => sendShopify(stack, host, topic, body, SHOP);

const ended = (row: { status: string }): boolean => ENDED.includes(row.status);

/** The customer requests' records (not privacy requests, not index rows). */
const creates = () => customerRecords(stack);

interface Logged {
  method: string;
  status: number | null;
  answeredAt: string | null;
}

const logged = async (endpoint: string): Promise<Logged[]> =>
  (
    await stack.emulatorApi<{ value: Logged[] }>(
      'GET',
      `/_emulator/requests?service=d365&endpoint=${endpoint}`,
    )
  ).value;

interface PrivacyStatus {
  status: string;
  lastError?: string;
  erased?: Record<string, number>;
  d365: { action: string; customerAccount: string }[];
}

/** Ten copies of the redact on the three hosts beside a redelivery of the create: one request. */
async function sendRedacts(gone: ShopCustomer): Promise<() => Promise<PrivacyStatus>> {
  const redact = compliance('shopify-customers-redact.json', SHOP.shopDomain, gone);
  const [redelivered, ...answers] = await Promise.all([
    send(1, 'customers/create', createBody(gone)),
    ...Array.from({ length: 10 }, (_, i) => send(i % HOSTS, 'customers/redact', redact)),
  ]);
  expect([200, 202]).toContain(redelivered!.status);
  const ids = new Set(answers.map((a) => (a.json as { id: string }).id));
  expect(ids.size).toBe(1);
  expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
  const statusUrl = `${stack.url(2)}/api/privacy/requests/${[...ids][0]}`;
  return async () => (await (await fetch(statusUrl)).json()) as PrivacyStatus;
}

/** The erasure ends: the customer created once in D365 (and reported), nothing of it left. */
async function endsErasedOnce(gone: ShopCustomer, read: () => Promise<PrivacyStatus>, stage: string) {
  const done = await until('the erasure', read, (answer) => ['succeeded', 'failed'].includes(answer.status));
  expect(done.status).toBe('succeeded');
  await until('the creates', creates, (rows) => rows.every(ended));
  // Created once in D365, and reported (the default): the account it got is named.
  const inD365 = (await stack.customers()).filter((c) => JSON.stringify(c.fields).includes(gone.email));
  expect(inD365).toHaveLength(1);
  expect(done.d365).toEqual([
    expect.objectContaining({ action: 'reported', customerAccount: inD365[0]!.account }),
  ]);
  expect(done.erased?.customerLinks).toBe(1);
  // Nothing of the subject in any table or queue; the others' links kept.
  const stored = await scanStorage(stack.env.AzureWebJobsStorage!);
  expect(foundIn(stored, [...valuesOf(gone), gone.phone, gone.id])).toEqual([]);
  const kept = others.map((c) => c.id);
  expect(foundIn(stored, kept)).toEqual(kept);
  console.log(`privacy race at ${stage}: ${scanFigures(stored)}`);
}

/**
 * The race at one stage: the subject's create is held in D365 (`endpoint` pending), the redacts go
 * out, the erasure is seen waiting for the record while it is still in `stage`; then the outcome.
 */
async function raceAt(
  stage: 'processing' | 'submitting',
  call: { endpoint: string; method: string; path: string },
  gone: ShopCustomer,
) {
  const { endpoint, method, path } = call;
  const before = (await logged(endpoint)).length;
  await stack.emulatorApi('POST', '/_emulator/faults', {
    service: 'd365',
    method,
    path,
    latencyMs: HOLD_MS,
    count: 1,
  });
  expect((await send(0, 'customers/create', createBody(gone))).status).toBe(202);
  // The subject's D365 call has arrived and is held (no answer yet).
  await until(
    `the ${endpoint} call held`,
    async () => (await logged(endpoint)).slice(before),
    (calls) => calls.some((c) => c.status === null),
  );
  const read = await sendRedacts(gone);
  // The erasure waits for the create in flight, and the create is still at the stage under test.
  await until('the erasure waiting', read, (answer) => /in flight/.test(answer.lastError ?? ''));
  const subjectRecords = (await creates()).filter((r) => r.sourceCustomerId === gone.id);
  expect(subjectRecords.map((r) => r.status)).toContain(stage);
  expect((await logged(endpoint)).slice(before).some((c) => c.status === null)).toBe(true);

  await endsErasedOnce(gone, read, stage);
}

describe('a redact racing its customer\u2019s create on a fleet of three hosts', () => {
  it('at `processing` (the duplicate lookup in flight): created once, nothing of it left', async () => {
    await raceAt(
      'processing',
      { endpoint: 'odataQuery', method: 'GET', path: 'CustomersV3' },
      shopCustomer('b', 61),
    );
  }, 420_000);

  it('at `submitting` (the create call in flight): created once, nothing of it left', async () => {
    // D365_TARGET=custom-service (the default): the create is the CreateCustomer service call.
    await raceAt(
      'submitting',
      { endpoint: 'customService', method: 'POST', path: 'CreateCustomer' },
      shopCustomer('b', 62),
    );
  }, 420_000);

  it('at `submitting` with an unknown outcome (D365 committed, its gateway answered 504): created once, nothing of it left', async () => {
    const gone = shopCustomer('b', 63);
    await stack.emulatorApi('POST', '/_emulator/faults', {
      service: 'd365',
      after: true,
      status: 504,
      path: 'CreateCustomer',
      count: 1,
    });
    // Its lookups (before the create, and before trying again after the unknown outcome) are held,
    // so the create is still in flight after the commit however the retry's jitter falls.
    await stack.emulatorApi('POST', '/_emulator/faults', {
      service: 'd365',
      method: 'GET',
      path: 'CustomersV3',
      latencyMs: HOLD_MS,
      count: 3,
    });
    expect((await send(0, 'customers/create', createBody(gone))).status).toBe(202);
    // D365 committed the customer (and answered 504): the redacts go out now.
    const committed = await until(
      'the commit',
      async () => (await stack.customers()).filter((c) => JSON.stringify(c.fields).includes(gone.email)),
      (found) => found.length > 0,
    );
    expect(committed).toHaveLength(1);
    const submitted = (await creates()).filter((r) => r.sourceCustomerId === gone.id);
    expect(submitted.map((r) => r.status)).not.toContain('succeeded');
    const read = await sendRedacts(gone);
    await until('the erasure waiting', read, (answer) => /in flight/.test(answer.lastError ?? ''));
    const subjectRecords = (await creates()).filter((r) => r.sourceCustomerId === gone.id);
    expect(subjectRecords.some((r) => !ended(r))).toBe(true);
    await endsErasedOnce(gone, read, 'submitting, outcome unknown');
  }, 420_000);
});
