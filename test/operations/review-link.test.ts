import { randomInt } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { CustomerSyncClient } from '../../packages/client/src';
import { sampleCustomer } from '../fixtures/sample-customers';
import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';
import { fixture, plantWebhookSecrets, postRaw, shopifyHeaders, WEBHOOK_SOURCES } from '../support/webhooks';

/**
 * Issue 32: an operator's review "link" (`POST /api/ops/requests/{id}/link`) writes the customer link
 * the worker writes on a `link` outcome: the shop customer's later `customers/update` then finds the
 * D365 account and PATCHes it (before, the request ended `succeeded`/`linked` without a link, and the
 * shop's updates never reached the account). The link is in the shop's namespace (its source and
 * customer ID), written once however often the decision is sent. The status answer then says
 * `reviewDecision: linked` (the TypeScript client reads it).
 */
const FUNCTION_KEY = { 'x-functions-key': 'fn' };
const MASTER = { 'x-functions-key': 'master' };
const letters = (n: number): string =>
  Array.from({ length: n }, () => String.fromCharCode(97 + randomInt(0, 26))).join('');

let stack: AppStack;

beforeAll(async () => {
  stack = await startAppStack({
    settings: {
      DEV_FUNCTION_KEY: 'fn',
      DEV_MASTER_KEY: 'master',
      WEBHOOK_SOURCES: JSON.stringify(WEBHOOK_SOURCES),
    },
  });
  await plantWebhookSecrets(stack.emulator.url);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** A Shopify customer (the documented payload) without an e-mail: its phone and names as given. */
function shopifyCustomer(id: string, names: { first: string; last: string }, phone: string, updatedAt: Date) {
  const customer = JSON.parse(fixture('shopify-customers-create.json').toString('utf8')) as Record<
    string,
    unknown
  >;
  Object.assign(customer, {
    admin_graphql_api_id: `gid://shopify/Customer/${id}`,
    first_name: names.first,
    last_name: names.last,
    email: null,
    phone,
    updated_at: updatedAt.toISOString(),
  });
  return Buffer.from(JSON.stringify(customer));
}

/** The shop's link rows for the account (the POS create has its own, source `api`). */
const shopLinksOf = async (account: string) => {
  const table = TableClient.fromConnectionString(stack.env.AzureWebJobsStorage!, stack.env.LINK_TABLE_NAME!, {
    allowInsecureConnection: true,
  });
  const rows: Record<string, unknown>[] = [];
  for await (const row of table.listEntities())
    if (row.customerAccount === account && row.source === 'test-shopify') rows.push(row);
  return rows;
};

it('a linked review decision lets the shop customer’s later update PATCH the chosen account', async () => {
  // A phone-only POS customer, then the same last name and phone from Shopify with an initial.
  const lastName = `Review${letters(6)}`;
  const first = `Jo${letters(6)}`;
  const phone = `+1425${randomInt(200, 1000)}${randomInt(1000, 10_000)}`;
  const pos = {
    ...sampleCustomer('minimal').Customer,
    FirstName: first,
    LastName: lastName,
    ContactNumber: phone,
  };
  delete (pos as { EmailAddress?: string }).EmailAddress;
  const created = await postJson(`${stack.url}/api/customers`, { Customer: pos }, FUNCTION_KEY);
  const existing = await waitForTerminal(
    (created.json as { statusUrl: string }).statusUrl,
    45_000,
    FUNCTION_KEY,
  );
  expect(existing).toMatchObject({ status: 'succeeded', outcome: 'created' });
  const account = String(existing.customerAccount);

  const shopId = String(Date.now());
  const t0 = new Date(Date.now() - 300_000);
  const body = shopifyCustomer(shopId, { first: `${first[0]}.`, last: lastName }, phone, t0);
  const answer = await postRaw(`${stack.url}/api/webhooks/shopify`, body, shopifyHeaders(body));
  expect(answer.status).toBe(202);
  const { correlationId, statusUrl } = answer.json as { correlationId: string; statusUrl: string };
  const review = await waitForTerminal(statusUrl, 45_000, FUNCTION_KEY);
  expect(review).toMatchObject({ status: 'needs_review', error: { code: 'possible_duplicate' } });
  expect(await shopLinksOf(account)).toHaveLength(0);

  // The operator links it to the candidate; sending the decision again is refused (written once).
  const decided = await postJson(
    `${stack.url}/api/ops/requests/${correlationId}/link`,
    { customerAccount: account },
    MASTER,
  );
  expect(decided.status).toBe(200);
  const again = await postJson(
    `${stack.url}/api/ops/requests/${correlationId}/link`,
    { customerAccount: account },
    MASTER,
  );
  expect(again.status).toBe(409);
  const links = await shopLinksOf(account);
  expect(links.length).toBeGreaterThan(0);
  expect(links.every((l) => l.source === 'test-shopify' && l.createCorrelationId === correlationId)).toBe(
    true,
  );
  expect(links.some((l) => l.sourceCustomerId === shopId)).toBe(true);

  // The status answer says what the operator decided (issue 32), read through the TypeScript
  // client: the decision only, never who decided it or anything personal.
  const client = new CustomerSyncClient({ baseUrl: `${stack.url}/api`, functionKey: 'fn' });
  const status = await client.getStatus(correlationId);
  expect(status).toMatchObject({ status: 'succeeded', outcome: 'linked', reviewDecision: 'linked' });
  expect(JSON.stringify(status)).not.toMatch(/master|resolvedBy|operator/i);

  // The shop's later update (a new last name) reaches the linked account: one PATCH with that field.
  const renamed = `${lastName}x`;
  const update = shopifyCustomer(
    shopId,
    { first: `${first[0]}.`, last: renamed },
    phone,
    new Date(t0.getTime() + 60_000),
  );
  const updated = await postRaw(
    `${stack.url}/api/webhooks/shopify`,
    update,
    shopifyHeaders(update, { topic: 'customers/update' }),
  );
  expect(updated.status).toBe(202);
  const final = await waitForTerminal(
    (updated.json as { statusUrl: string }).statusUrl,
    45_000,
    FUNCTION_KEY,
  );
  expect(final).toMatchObject({ status: 'succeeded', outcome: 'updated', customerAccount: account });
  const d365 = await stack.emulatorApi<{
    fields: Record<string, unknown>;
    updates: { history: { via: string; fields: Record<string, unknown> }[] };
  }>('GET', `/_emulator/customers/USRT/${account}`);
  expect(d365.fields.PersonLastName).toBe(renamed);
  expect(d365.updates.history.filter((h) => h.via === 'odata').map((h) => h.fields)).toEqual([
    expect.objectContaining({ PersonLastName: renamed }),
  ]);
}, 180_000);
