import { randomUUID } from 'node:crypto';
import { FleetStack, startFleetStack } from '../../dev/local-stack/fleet-stack';
import { waitForTerminal } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';
import {
  fixture,
  freshShopify,
  plantWebhookSecrets,
  postRaw,
  shopifyHeaders,
  WEBHOOK_SOURCES,
} from '../support/webhooks';

/**
 * Customer updates (issue 17) through the real hosts: two instances on one Azurite and one emulator,
 * the real Azure SDKs, the D365 update adapter against the emulator's CustomersV3 PATCH with ETags.
 * Creates link the caller's customer to its account; PATCHes (and Shopify `customers/update`) reach
 * D365 with only the changed fields, in the order the source made them, once.
 */
let fleet: FleetStack;

beforeAll(async () => {
  fleet = await startFleetStack({
    hosts: 2,
    storageConnectionString: process.env.TEST_STORAGE_CONNECTION_STRING,
    settings: {
      WEBHOOK_SOURCES: JSON.stringify(WEBHOOK_SOURCES),
      RETRY_BASE_SECONDS: '0',
      AzureFunctionsJobHost__extensions__queues__maxPollingInterval: '00:00:00.500',
    },
  });
  await plantWebhookSecrets(fleet.emulator.url);
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
});

interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

async function call(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : {} };
}

const MERGE_PATCH = { 'content-type': 'application/merge-patch+json' };

/** A new customer of the sample with its own e-mail, created with `Customer-Reference` and waited for. */
async function createWithReference(host: number, reference: string): Promise<string> {
  const body = sampleCustomer('full');
  body.Customer.EmailAddress = `upd.${randomUUID().slice(0, 8)}@example.com`;
  const answer = await call('POST', `${fleet.url(host)}/api/customers`, body, {
    'customer-reference': reference,
    prefer: 'wait=20',
  });
  expect(answer.status).toBe(201);
  expect(answer.json).toMatchObject({ status: 'succeeded', source: 'api', sourceCustomerId: reference });
  return answer.json.customerAccount as string;
}

interface D365Customer {
  fields: Record<string, unknown>;
  etag: string;
  updates: {
    odata: number;
    operator: number;
    history: { via: string; fields: Record<string, unknown>; ifMatch?: string }[];
  };
}
const d365Customer = (account: string) =>
  fleet.emulatorApi<D365Customer>('GET', `/_emulator/customers/USRT/${account}`);
const appliedUpdates = async (account: string) =>
  (await d365Customer(account)).updates.history.filter((entry) => entry.via === 'odata');

async function statusRecords(): Promise<number> {
  let count = 0;
  for await (const _ of fleet.table.listEntities()) count += 1;
  return count;
}

const statusOf = (answer: Answer) => waitForTerminal(answer.json.statusUrl as string, 60_000);

describe('customer updates through the real hosts', () => {
  it('links the create both ways and sends D365 only the changed fields of a PATCH', async () => {
    const reference = `POS-${randomUUID().slice(0, 8)}`;
    const account = await createWithReference(0, reference);
    const byAccount = await call(
      'GET',
      `${fleet.url(1)}/api/customers/links?legalEntity=USRT&customerAccount=${account}`,
    );
    expect(byAccount.status).toBe(200);
    expect(byAccount.json).toMatchObject({
      source: 'api',
      sourceCustomerId: reference,
      legalEntity: 'USRT',
      customerAccount: account,
    });
    const byReference = await call(
      'GET',
      `${fleet.url(0)}/api/customers/links?source=api&sourceCustomerId=${reference}`,
    );
    expect(byReference.json).toEqual(byAccount.json);
    expect(JSON.stringify(byAccount.json)).not.toContain('@example.com');

    const answer = await call(
      'PATCH',
      `${fleet.url(1)}/api/customers/references/${reference}`,
      { Customer: { ContactNumber: '+14255550100' } },
      { ...MERGE_PATCH, prefer: 'wait=20' },
    );
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      kind: 'update',
      status: 'succeeded',
      outcome: 'updated',
      customerAccount: account,
    });
    const customer = await d365Customer(account);
    expect(customer.fields.PrimaryContactPhone).toBe('+14255550100');
    expect(customer.updates.history.filter((e) => e.via === 'odata').map((e) => e.fields)).toEqual([
      { PrimaryContactPhone: '+14255550100' },
    ]);

    // By account too, and a field removed with null is cleared in D365.
    const byAcct = await call(
      'PATCH',
      `${fleet.url(0)}/api/customers/accounts/USRT/${account}`,
      { Customer: { LastName: 'Newname' } },
      MERGE_PATCH,
    );
    expect(byAcct.status).toBe(202);
    expect(await statusOf(byAcct)).toMatchObject({ status: 'succeeded', outcome: 'updated' });
    expect((await d365Customer(account)).fields.PersonLastName).toBe('Newname');
  });

  it('answers an unknown customer 404 problem and stores and queues nothing', async () => {
    const before = await statusRecords();
    for (const path of ['references/nobody-here', 'accounts/USRT/NO-SUCH-1']) {
      const answer = await call(
        'PATCH',
        `${fleet.url(0)}/api/customers/${path}`,
        { Customer: { FirstName: 'X' } },
        MERGE_PATCH,
      );
      expect(answer.status).toBe(404);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.json.type).toBe('urn:d365-customer-sync:problem:unknown-customer');
    }
    expect(await statusRecords()).toBe(before);
  });

  it('answers a link lookup without a usable key with a problem that names both forms of the query', async () => {
    for (const query of ['', '?legalEntity=TOOLONG&customerAccount=US-1', '?source=api']) {
      const answer = await call('GET', `${fleet.url(0)}/api/customers/links${query}`);
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({
        type: 'urn:d365-customer-sync:problem:invalid-query',
        detail: expect.stringContaining('?source=…&sourceCustomerId=…'),
      });
      expect(answer.json.detail).toContain('?legalEntity=…&customerAccount=…');
      expect(answer.json.detail).not.toContain('/api/customers/accounts');
    }
  });

  it('refuses invalid patches with pointers into the patch, storing nothing', async () => {
    const reference = `POS-${randomUUID().slice(0, 8)}`;
    await createWithReference(0, reference);
    const before = await statusRecords();
    const url = `${fleet.url(1)}/api/customers/references/${reference}`;
    const answer = await call(
      'PATCH',
      url,
      { Customer: { EmailAddress: 'not-an-address', LegalEntity: 'DEMF', FirstName: null, Nickname: 'x' } },
      MERGE_PATCH,
    );
    expect(answer.status).toBe(400);
    const pointers = (answer.json.errors as { pointer: string }[]).map((e) => e.pointer).sort();
    // Every problem at once: the refused key change, the unknown member, and what the merged customer breaks.
    expect(pointers).toEqual([
      '/Customer/EmailAddress',
      '/Customer/FirstName',
      '/Customer/LegalEntity',
      '/Customer/Nickname',
    ]);
    const merged = await call(
      'PATCH',
      url,
      { Customer: { EmailAddress: 'not-an-address', FirstName: null } },
      MERGE_PATCH,
    );
    expect((merged.json.errors as { pointer: string }[]).map((e) => e.pointer).sort()).toEqual([
      '/Customer/EmailAddress',
      '/Customer/FirstName',
    ]);
    // A merge patch sent as plain JSON is read the same; JSON Patch (RFC 6902) is another format: 415.
    const plainJson = await call('PATCH', url, { Customer: { EmailAddress: 'not-an-address' } });
    expect(plainJson.json.errors).toEqual([expect.objectContaining({ pointer: '/Customer/EmailAddress' })]);
    for (const type of ['text/plain', 'application/json-patch+json']) {
      const refused = await call('PATCH', url, '[]', { 'content-type': type });
      expect(refused.status).toBe(415);
      expect(refused.headers.get('accept-patch')).toBe('application/merge-patch+json, application/json');
    }
    expect(await statusRecords()).toBe(before);
  });

  it('lets an update racing its create on the other host wait, then apply once', async () => {
    const reference = `POS-${randomUUID().slice(0, 8)}`;
    const body = sampleCustomer('full');
    body.Customer.EmailAddress = `race.${randomUUID().slice(0, 8)}@example.com`;
    // D365 takes 3 s for the create's first call, so the update arrives while the create runs.
    await fleet.emulatorApi('POST', '/_emulator/faults', { service: 'd365', latencyMs: 3000, count: 1 });
    const create = await call('POST', `${fleet.url(0)}/api/customers`, body, {
      'customer-reference': reference,
    });
    const update = await call(
      'PATCH',
      `${fleet.url(1)}/api/customers/references/${reference}`,
      { Customer: { ContactNumber: '+14255550111' } },
      MERGE_PATCH,
    );
    const createStatus = await call('GET', create.json.statusUrl as string);
    expect(['queued', 'processing', 'submitting', 'retrying']).toContain(createStatus.json.status);
    expect(create.status).toBe(202);
    expect(update.status).toBe(202);
    const created = await statusOf(create);
    expect(await statusOf(update)).toMatchObject({ status: 'succeeded', outcome: 'updated' });
    const account = created.customerAccount!;
    expect((await d365Customer(account)).fields.PrimaryContactPhone).toBe('+14255550111');
    expect(await appliedUpdates(account)).toHaveLength(1);
  });

  it('applies concurrent versioned updates on the fleet in version order and drops a stale one', async () => {
    const reference = `POS-${randomUUID().slice(0, 8)}`;
    const account = await createWithReference(1, reference);
    const phone = (v: number) => `+1425555${String(1000 + v)}`;
    const versions = [4, 2, 6, 1, 5, 3];
    const answers = await Promise.all(
      versions.map((v, i) =>
        call(
          'PATCH',
          `${fleet.url(i)}/api/customers/references/${reference}`,
          { Customer: { ContactNumber: phone(v) } },
          {
            ...MERGE_PATCH,
            'customer-version': String(v),
          },
        ),
      ),
    );
    for (const answer of answers) expect(answer.status).toBe(202);
    const outcomes = await Promise.all(answers.map(async (a) => (await statusOf(a)).outcome));
    expect(outcomes[versions.indexOf(6)]).toBe('updated');
    expect((await d365Customer(account)).fields.PrimaryContactPhone).toBe(phone(6));
    // What D365 applied came in version order: never an older value after a newer one.
    const applied = (await appliedUpdates(account)).map(
      (e) => Number(String(e.fields.PrimaryContactPhone).slice(-4)) - 1000,
    );
    expect(applied).toEqual([...applied].sort((a, b) => a - b));
    expect(applied.at(-1)).toBe(6);
    expect(outcomes.filter((o) => o === 'updated')).toHaveLength(applied.length);

    const stale = await call(
      'PATCH',
      `${fleet.url(0)}/api/customers/references/${reference}`,
      { Customer: { ContactNumber: phone(2) } },
      {
        ...MERGE_PATCH,
        'customer-version': '2',
      },
    );
    expect(await statusOf(stale)).toMatchObject({ status: 'succeeded', outcome: 'stale' });
    expect((await d365Customer(account)).fields.PrimaryContactPhone).toBe(phone(6));
    expect(await appliedUpdates(account)).toHaveLength(applied.length);
  });

  it('flags an update of a field changed in D365 meanwhile (UPDATE_CONFLICT_POLICY=review) and overwrites nothing', async () => {
    const reference = `POS-${randomUUID().slice(0, 8)}`;
    const account = await createWithReference(0, reference);
    await fleet.emulatorApi('PATCH', `/_emulator/customers/USRT/${account}`, {
      PrimaryContactPhone: '+14255550999',
    });
    const answer = await call(
      'PATCH',
      `${fleet.url(1)}/api/customers/references/${reference}`,
      { Customer: { ContactNumber: '+14255550123' } },
      MERGE_PATCH,
    );
    const status = await statusOf(answer);
    expect(status).toMatchObject({ status: 'needs_review', error: { code: 'update_conflict' } });
    expect(status.error!.message).toContain('PrimaryContactPhone');
    expect((await d365Customer(account)).fields.PrimaryContactPhone).toBe('+14255550999');
    expect(await appliedUpdates(account)).toHaveLength(0);
    // Waited for, the same ending is final: a 409 problem naming the fields, no Retry-After.
    const waited = await call(
      'PATCH',
      `${fleet.url(0)}/api/customers/references/${reference}`,
      { Customer: { ContactNumber: '+14255550124' } },
      { ...MERGE_PATCH, prefer: 'wait=20' },
    );
    expect(waited.status).toBe(409);
    expect(waited.headers.get('content-type')).toBe('application/problem+json');
    expect(waited.headers.get('retry-after')).toBeNull();
    expect(waited.headers.get('location')).toBe(waited.json.statusUrl);
    expect(waited.json).toMatchObject({
      type: 'urn:d365-customer-sync:problem:update-conflict',
      title: 'The request ended for an operator to review',
      code: 'update_conflict',
      detail: expect.stringContaining('PrimaryContactPhone'),
    });
    expect(await appliedUpdates(account)).toHaveLength(0);
    // A field D365 did not change still goes through.
    const other = await call(
      'PATCH',
      `${fleet.url(0)}/api/customers/references/${reference}`,
      { Customer: { LastName: 'Kept' } },
      MERGE_PATCH,
    );
    expect(await statusOf(other)).toMatchObject({ status: 'succeeded', outcome: 'updated' });
    expect((await d365Customer(account)).fields).toMatchObject({
      PrimaryContactPhone: '+14255550999',
      PersonLastName: 'Kept',
    });
  });

  it('a change in D365 between its read and the PATCH is a 412: read again, flagged, nothing overwritten', async () => {
    const reference = `POS-${randomUUID().slice(0, 8)}`;
    const account = await createWithReference(1, reference);
    const stats = () =>
      fleet.emulatorApi<{ faultsApplied: number; updateConflicts: number }>('GET', '/_emulator/stats');
    const before = await stats();
    // The app's PATCH waits 2 s in the emulator before D365 handles it; meanwhile an operator saves a change.
    await fleet.emulatorApi('POST', '/_emulator/faults', {
      service: 'd365',
      method: 'PATCH',
      latencyMs: 2000,
      count: 1,
    });
    const answer = await call(
      'PATCH',
      `${fleet.url(0)}/api/customers/references/${reference}`,
      { Customer: { ContactNumber: '+14255550124' } },
      MERGE_PATCH,
    );
    expect(answer.status).toBe(202);
    const deadline = Date.now() + 30_000;
    while ((await stats()).faultsApplied === before.faultsApplied && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await fleet.emulatorApi('PATCH', `/_emulator/customers/USRT/${account}`, {
      PrimaryContactPhone: '+14255550998',
    });
    const status = await statusOf(answer);
    expect(status).toMatchObject({ status: 'needs_review', error: { code: 'update_conflict' } });
    expect((await stats()).updateConflicts).toBe(before.updateConflicts + 1);
    expect((await d365Customer(account)).fields.PrimaryContactPhone).toBe('+14255550998');
    expect(await appliedUpdates(account)).toHaveLength(0);
  });

  it('Shopify: a create then three updates delivered out of order leave D365 with the newest data, once', async () => {
    const id = String(Date.now());
    const payload = (lastName: string, updatedAt: string) => {
      const customer = JSON.parse(fixture('shopify-customers-create.json').toString('utf8')) as Record<
        string,
        unknown
      >;
      customer.admin_graphql_api_id = `gid://shopify/Customer/${id}`;
      customer.email = `shop.${id}@example.com`;
      customer.last_name = lastName;
      customer.updated_at = updatedAt;
      return Buffer.from(JSON.stringify(customer));
    };
    const url = (host: number) => `${fleet.url(host)}/api/webhooks/shopify`;
    // Recent (the signed updated_at is the event's age), a minute apart.
    const at = (minutes: number) => new Date(Date.now() - 600_000 + minutes * 60_000).toISOString();
    const create = payload('Biller', at(0));
    const created = await postRaw(url(0), create, shopifyHeaders(create));
    expect(created.status).toBe(202);
    const account = (await waitForTerminal(created.json.statusUrl as string, 60_000)).customerAccount!;

    const updates = ['One', 'Two', 'Three'].map((name, i) => {
      const body = payload(name, at(i + 1));
      return { body, headers: shopifyHeaders(body, { topic: 'customers/update' }) };
    });
    const delivered = [];
    for (const [host, i] of [
      [1, 2],
      [0, 0],
      [1, 1],
    ] as const) {
      const answer = await postRaw(url(host), updates[i]!.body, updates[i]!.headers);
      expect(answer.status).toBe(202);
      delivered[i] = await waitForTerminal(answer.json.statusUrl as string, 60_000);
    }
    expect(delivered.map((s) => s.outcome)).toEqual(['stale', 'stale', 'updated']);
    expect((await d365Customer(account)).fields.PersonLastName).toBe('Three');
    // Shopify redelivers the newest one: the same event, answered as a replay, applied once.
    const again = await postRaw(url(0), updates[2]!.body, updates[2]!.headers);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await appliedUpdates(account)).map((e) => e.fields.PersonLastName)).toEqual(['Three']);
  });

  it('Shopify: an update of a customer it has no link for is 404 (Shopify retries it) and stores nothing', async () => {
    const before = await statusRecords();
    const body = Buffer.from(
      JSON.stringify({
        ...JSON.parse(freshShopify().toString('utf8')),
        admin_graphql_api_id: 'gid://shopify/Customer/1',
      }),
    );
    const answer = await postRaw(
      `${fleet.url(0)}/api/webhooks/shopify`,
      body,
      shopifyHeaders(body, { topic: 'customers/update' }),
    );
    expect(answer.status).toBe(404);
    expect(await statusRecords()).toBe(before);
  });
});
