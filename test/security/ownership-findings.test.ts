import { randomUUID } from 'node:crypto';
import { AppStack, startAppStack } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';
import { principalHeader } from '../support/principal';
import {
  fixture,
  plantWebhookSecrets,
  postRaw,
  shopifyHeaders,
  standardHeaders,
  WEBHOOK_SOURCES,
} from '../support/webhooks';

/**
 * Issue 24's two high findings, replayed as an attacker would on the local stack with
 * `CALLER_AUTH=app-service` and distinct Entra principals (both failed on main before the ownership
 * policy, commit b59274f):
 * 1. update by D365 account had no ownership check: another caller (and a Standard Webhooks source)
 *    changed a customer it never created, the answer named the owner's principal and reference, and
 *    400-vs-404 told linked accounts from unknown ones;
 * 2. a `linked` duplicate handed over write access: creating a customer with a victim's e-mail gave
 *    the victim's account and a link the attacker could PATCH (through the API and through Shopify
 *    with an unverified e-mail).
 */
const POS_ID = '24242424-aaaa-4aaa-8aaa-000000000001';
const SHOP_A_ID = '24242424-aaaa-4aaa-8aaa-000000000002';
const SHOP_B_ID = '24242424-aaaa-4aaa-8aaa-000000000003';
const POS = principalHeader(POS_ID, [
  'Customers.Create',
  'Customers.Read',
  'Customers.UpdateByAccount',
  'Customers.Staff',
]);
const SHOP_A = principalHeader(SHOP_A_ID, ['Customers.Create', 'Customers.Read']);
const SHOP_B = principalHeader(SHOP_B_ID, ['Customers.Create', 'Customers.Read']);

let stack: AppStack;

beforeAll(async () => {
  stack = await startAppStack({
    settings: {
      CALLER_AUTH: 'app-service',
      DUPLICATE_POLICY: 'link',
      WEBHOOK_SOURCES: JSON.stringify(WEBHOOK_SOURCES),
    },
  });
  await plantWebhookSecrets(stack.emulator.url);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown>;
}

async function call(
  method: string,
  path: string,
  principal: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${stack.url}${path}`, {
    method,
    headers: {
      'x-ms-client-principal': principal,
      ...(body !== undefined && {
        'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
      }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const newEmail = (tag: string) => `${tag}.${randomUUID().slice(0, 8)}@example.com`;

async function create(principal: string, reference: string, email: string): Promise<Answer> {
  const body = sampleCustomer('full');
  body.Customer.EmailAddress = email;
  return call('POST', '/api/customers', principal, body, {
    'customer-reference': reference,
    prefer: 'wait=20',
  });
}

interface D365Customer {
  fields: Record<string, unknown>;
  updates: { history: unknown[] };
}
const inD365 = (account: string) =>
  stack.emulatorApi<D365Customer>('GET', `/_emulator/customers/USRT/${account}`);

async function storedRecords(): Promise<number> {
  let count = 0;
  for await (const _ of stack.table.listEntities()) count += 1;
  return count;
}

/** Nothing of another caller in an answer: its principal, its reference, its account. */
function expectNoLeak(answer: Answer, ...secrets: string[]): void {
  for (const secret of secrets) expect(answer.text).not.toContain(secret);
}

describe('finding 1: update by D365 account is a role of its own', () => {
  it("refuses another shop's PATCH of a customer it never created: 403, D365 unchanged, no owner named", async () => {
    const reference = `A-${randomUUID().slice(0, 8)}`;
    const created = await create(SHOP_A, reference, newEmail('victim1'));
    expect(created.status).toBe(201);
    const account = created.json.customerAccount as string;
    const before = await inD365(account);
    const records = await storedRecords();

    const attack = await call(
      'PATCH',
      `/api/customers/accounts/USRT/${account}`,
      SHOP_B,
      { Customer: { FirstName: 'Mallory', EmailAddress: newEmail('mallory'), CustomerGroup: '10' } },
      { prefer: 'wait=20' },
    );
    expect(attack.status).toBe(403);
    expectNoLeak(attack, SHOP_A_ID, reference);
    expect(await storedRecords()).toBe(records); // nothing stored, so nothing queued
    const after = await inD365(account);
    expect(after.fields).toEqual(before.fields);
    expect(after.updates.history).toHaveLength(0);
  });

  it('gives a caller without the role the same answer for a linked account and an unknown one (no oracle)', async () => {
    const created = await create(SHOP_A, `A-${randomUUID().slice(0, 8)}`, newEmail('victim2'));
    const account = created.json.customerAccount as string;
    const invalid = { Customer: { EmailAddress: 'not-an-e-mail' } };
    const linked = await call('PATCH', `/api/customers/accounts/USRT/${account}`, SHOP_B, invalid);
    const unknown = await call('PATCH', '/api/customers/accounts/USRT/NO-SUCH-1', SHOP_B, invalid);
    expect(linked.status).toBe(403);
    expect({ status: unknown.status, type: unknown.json.type }).toEqual({
      status: linked.status,
      type: linked.json.type,
    });
  });

  it("refuses a Standard Webhooks customer.updated naming a POS customer's account", async () => {
    const created = await create(POS, `POS-${randomUUID().slice(0, 8)}`, newEmail('pos1'));
    const account = created.json.customerAccount as string;
    const before = await inD365(account);
    const records = await storedRecords();
    const body = JSON.stringify({
      type: 'customer.updated',
      timestamp: new Date().toISOString(),
      data: { legalEntity: 'USRT', customerAccount: account, Customer: { FirstName: 'Mallory' } },
    });
    const answer = await postRaw(`${stack.url}/api/webhooks/standard?source=test-standard`, body, {
      ...standardHeaders(body),
    });
    expect(answer.status).toBe(403);
    expect(await storedRecords()).toBe(records);
    expect((await inD365(account)).fields).toEqual(before.fields);
  });

  it('lets a POS caller (the role) update any linked customer by account, without naming its owner', async () => {
    const reference = `A-${randomUUID().slice(0, 8)}`;
    const created = await create(SHOP_A, reference, newEmail('shopper'));
    const account = created.json.customerAccount as string;
    const answer = await call(
      'PATCH',
      `/api/customers/accounts/USRT/${account}`,
      POS,
      { Customer: { ContactNumber: '+14255550142' } },
      { prefer: 'wait=20' },
    );
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 'succeeded', outcome: 'updated', customerAccount: account });
    expectNoLeak(answer, SHOP_A_ID, reference);
    expect((await inD365(account)).updates.history).toHaveLength(1);
  });
});

describe('finding 2: a linked duplicate never hands over write access', () => {
  it("answers an unverified create with a victim's e-mail without the account, and refuses its PATCH", async () => {
    const email = newEmail('victim3');
    const posReference = `POS-${randomUUID().slice(0, 8)}`;
    const victim = await create(POS, posReference, email);
    expect(victim.status).toBe(201);
    const account = victim.json.customerAccount as string;
    const before = await inD365(account);

    const reference = `B-${randomUUID().slice(0, 8)}`;
    const squat = await create(SHOP_B, reference, email);
    expect(squat.status).toBe(201);
    expect(squat.json).toMatchObject({ status: 'succeeded', verification: 'pending' });
    expect(squat.json.customerAccount).toBeUndefined();
    expectNoLeak(squat, account, POS_ID, posReference);
    const status = await call('GET', `/api/customers/status/${squat.json.correlationId as string}`, SHOP_B);
    expect(status.json.customerAccount).toBeUndefined();
    expectNoLeak(status, account, POS_ID, posReference);

    const patch = await call(
      'PATCH',
      `/api/customers/references/${reference}`,
      SHOP_B,
      { Customer: { EmailAddress: newEmail('mallory') } },
      { prefer: 'wait=20' },
    );
    expect(patch.status).toBe(403);
    expectNoLeak(patch, account, POS_ID, posReference);
    expect((await inD365(account)).fields).toEqual(before.fields);
  });

  it("keeps a Shopify shopper with another person's unverified e-mail away from the POS record", async () => {
    const email = newEmail('victim4');
    const victim = await create(POS, `POS-${randomUUID().slice(0, 8)}`, email);
    const account = victim.json.customerAccount as string;
    const before = await inD365(account);
    const shopper = shopifyShopper();
    const payload = (mail: string, verified: boolean) => shopper({ email: mail, verified_email: verified });
    const signUp = payload(email, false);
    const created = await postRaw(`${stack.url}/api/webhooks/shopify`, signUp, shopifyHeaders(signUp));
    expect(created.status).toBe(202);
    const outcome = await waitForStatus(created.json.statusUrl as string);
    expect(outcome).toMatchObject({ status: 'succeeded', verification: 'pending' });
    expect(outcome.customerAccount).toBeUndefined();

    const records = await storedRecords();
    const change = payload(newEmail('mallory'), false);
    const update = await postRaw(
      `${stack.url}/api/webhooks/shopify`,
      change,
      shopifyHeaders(change, { topic: 'customers/update' }),
    );
    // 2xx so Shopify keeps the subscription; nothing stored or queued.
    expect(update.status).toBe(200);
    expect(update.json).toEqual({ ignored: true, reason: 'link-unverified' });
    expect(await storedRecords()).toBe(records);
    expect((await inD365(account)).fields).toEqual(before.fields);
  });
});

describe("finding 2: how a pending link becomes the caller's", () => {
  const OPERATOR = principalHeader('24242424-aaaa-4aaa-8aaa-0000000000ff', ['Customers.Operate']);

  it('an operator verifies it: then the PATCH applies and the create shows the account', async () => {
    const email = newEmail('known');
    const victim = await create(POS, `POS-${randomUUID().slice(0, 8)}`, email);
    const account = victim.json.customerAccount as string;
    const reference = `B-${randomUUID().slice(0, 8)}`;
    const linked = await create(SHOP_B, reference, email);
    expect(linked.json.verification).toBe('pending');

    const query = `source=${SHOP_B_ID}&sourceCustomerId=${reference}`;
    expect((await call('POST', `/api/customers/links/verify?${query}`, SHOP_B)).status).toBe(403);
    const verified = await call('POST', `/api/customers/links/verify?${query}`, OPERATOR);
    expect(verified.status).toBe(200);
    expect(verified.json).toMatchObject({ customerAccount: account, verification: 'verified' });

    const status = await call('GET', `/api/customers/status/${linked.json.correlationId as string}`, SHOP_B);
    expect(status.json).toMatchObject({ outcome: 'linked', customerAccount: account });
    expect(status.json.verification).toBeUndefined();
    const patch = await call(
      'PATCH',
      `/api/customers/references/${reference}`,
      SHOP_B,
      { Customer: { ContactNumber: '+14255550177' } },
      { prefer: 'wait=20' },
    );
    expect(patch.status).toBe(200);
    expect((await inD365(account)).updates.history).toHaveLength(1);
  });

  it("Shopify's verified_email confirms it: the update then applies", async () => {
    const email = newEmail('verified');
    const victim = await create(POS, `POS-${randomUUID().slice(0, 8)}`, email);
    const account = victim.json.customerAccount as string;
    const shopper = shopifyShopper();
    // The shopper signs up under the name the POS has (a field the update does not change may
    // differ: the conflict check looks at changed fields only).
    const payload = (verified: boolean, lastName: string | null) =>
      shopper({ email, first_name: 'Cust', last_name: lastName, verified_email: verified });
    const signUp = payload(false, null);
    const created = await postRaw(`${stack.url}/api/webhooks/shopify`, signUp, shopifyHeaders(signUp));
    expect(await waitForStatus(created.json.statusUrl as string)).toMatchObject({ verification: 'pending' });
    const confirmed = payload(true, 'Verified');
    const update = await postRaw(
      `${stack.url}/api/webhooks/shopify`,
      confirmed,
      shopifyHeaders(confirmed, { topic: 'customers/update' }),
    );
    expect(update.status).toBe(202);
    expect(await waitForStatus(update.json.statusUrl as string)).toMatchObject({
      status: 'succeeded',
      outcome: 'updated',
    });
    expect((await inD365(account)).fields).toMatchObject({ PersonLastName: 'Verified' });
    expect(await waitForStatus(created.json.statusUrl as string)).toMatchObject({ customerAccount: account });
  });
});

/** Shopify's documented customer as a new shopper of this test, with `fields` over it (its raw body). */
function shopifyShopper(): (fields: Record<string, unknown>) => string {
  const id = String(8_000_000_000 + Math.floor(Math.random() * 1_000_000_000));
  const documented = JSON.parse(fixture('shopify-customers-create.json').toString('utf8')) as object;
  return (fields) =>
    JSON.stringify({
      ...documented,
      id: Number(id),
      admin_graphql_api_id: `gid://shopify/Customer/${id}`,
      updated_at: new Date().toISOString(),
      ...fields,
    });
}

async function waitForStatus(statusUrl: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    // Webhook records belong to the webhook source: an operator reads them.
    const answer = await call(
      'GET',
      new URL(statusUrl).pathname,
      principalHeader('24242424-aaaa-4aaa-8aaa-0000000000ff', ['Customers.Operate']),
    );
    if (['succeeded', 'failed', 'needs_review'].includes(answer.json.status as string)) return answer.json;
    if (Date.now() > deadline) throw new Error(`no terminal status: ${answer.text}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
