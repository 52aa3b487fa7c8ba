import { AppStack, startAppStack, waitForTerminal } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';
import {
  freshShopify,
  plantWebhookSecrets,
  postRaw,
  SHOPIFY_SECRET,
  shopifyHeaders,
  standardHeaders,
  STANDARD_SECRET,
  vaultOf,
  WEBHOOK_SOURCES,
} from '../support/webhooks';

/**
 * The webhook routes on the real host, Azurite and the emulator: signed deliveries become D365
 * customers through the same pipeline as POST /api/customers; redeliveries create nothing; anything
 * unverified gets 401 and leaves no trace.
 */
let stack: AppStack;

beforeAll(async () => {
  stack = await startAppStack({
    settings: { WEBHOOK_SOURCES: JSON.stringify(WEBHOOK_SOURCES), WEBHOOK_SECRET_REFRESH_SECONDS: '1' },
  });
  await plantWebhookSecrets(stack.emulator.url);
});

afterAll(async () => {
  await stack?.stop();
});

const standardUrl = () => `${stack.url}/api/webhooks/standard?source=test-standard`;
const shopifyUrl = () => `${stack.url}/api/webhooks/shopify`;

/** Request records in the status table (not the rows the worker keeps beside them: gate slots, identity claims). */
async function storedRecords(): Promise<number> {
  let count = 0;
  for await (const row of stack.table.listEntities()) if (!row.partitionKey?.startsWith('~')) count += 1;
  return count;
}

async function emulatorCustomers(): Promise<number> {
  return (await stack.customers()).length;
}

const unauthorizedBody = {
  type: 'urn:d365-customer-sync:problem:webhook-unauthorized',
  title: 'Unauthorized',
  status: 401,
  detail: 'The delivery could not be verified.',
};

/** Sends a delivery that must be refused: 401, the same problem whatever the cause, nothing stored. */
async function expectRefused(url: string, body: Buffer | string, headers: Record<string, string>) {
  const before = await storedRecords();
  const answer = await postRaw(url, body, headers);
  expect(answer.status).toBe(401);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  expect(answer.json).toEqual(unauthorizedBody);
  expect(await storedRecords()).toBe(before);
}

describe('Standard Webhooks sender', () => {
  const body = JSON.stringify(sampleCustomer('full'));

  it('creates one customer; ten redeliveries of the same webhook-id create none', async () => {
    const before = await emulatorCustomers();
    const id = `msg_${Date.now()}`;
    const first = await postRaw(standardUrl(), body, standardHeaders(body, { id }));
    expect(first.status).toBe(202);
    const { correlationId, statusUrl } = first.json as { correlationId: string; statusUrl: string };
    expect(first.json).toMatchObject({ source: 'test-standard', status: 'queued' });
    expect((await waitForTerminal(statusUrl)).status).toBe('succeeded');
    for (let i = 0; i < 10; i++) {
      // Each redelivery is signed afresh (new timestamp), as a sender's retry is.
      const again = await postRaw(standardUrl(), body, standardHeaders(body, { id }));
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect((again.json as { correlationId: string }).correlationId).toBe(correlationId);
    }
    expect(await emulatorCustomers()).toBe(before + 1);
    const status = await (await fetch(statusUrl)).json();
    expect(status).toMatchObject({ status: 'succeeded', source: 'test-standard' });
  });

  it('accepts the spec envelope {type, timestamp, data} with the contract as data', async () => {
    const envelope = JSON.stringify({
      type: 'customer.created',
      timestamp: new Date().toISOString(),
      data: sampleCustomer('minimal'),
    });
    const answer = await postRaw(standardUrl(), envelope, standardHeaders(envelope));
    expect(answer.status).toBe(202);
    expect((await waitForTerminal((answer.json as { statusUrl: string }).statusUrl)).status).toBe(
      'succeeded',
    );
  });

  it('refuses a tampered body, a re-serialised body, a stale timestamp, a wrong secret and an unknown source', async () => {
    const headers = standardHeaders(body);
    await expectRefused(standardUrl(), body.replace('USRT', 'USMF'), headers);
    await expectRefused(standardUrl(), JSON.stringify(JSON.parse(body), null, 2), headers);
    const old = new Date(Date.now() - 6 * 60_000);
    await expectRefused(standardUrl(), body, standardHeaders(body, { timestamp: old }));
    const future = new Date(Date.now() + 6 * 60_000);
    await expectRefused(standardUrl(), body, standardHeaders(body, { timestamp: future }));
    await expectRefused(
      standardUrl(),
      body,
      standardHeaders(body, { secret: 'whsec_' + Buffer.from('x'.repeat(24)).toString('base64') }),
    );
    await expectRefused(`${stack.url}/api/webhooks/standard?source=not-configured`, body, headers);
    const { 'webhook-signature': _, ...unsigned } = headers;
    await expectRefused(standardUrl(), body, unsigned);
  });

  it('answers 413 for an oversized body and stores nothing', async () => {
    const big = JSON.stringify({ ...sampleCustomer('full'), padding: 'x'.repeat(70 * 1024) });
    const before = await storedRecords();
    const answer = await postRaw(standardUrl(), big, standardHeaders(big));
    expect(answer.status).toBe(413);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(await storedRecords()).toBe(before);
  });

  it('answers 400 with pointers for a verified body that is not a valid customer', async () => {
    const invalid = JSON.stringify({
      Customer: { ...sampleCustomer('minimal').Customer, EmailAddress: 'nope' },
    });
    const before = await storedRecords();
    const answer = await postRaw(standardUrl(), invalid, standardHeaders(invalid));
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ errors: [{ pointer: '/Customer/EmailAddress' }] });
    expect(await storedRecords()).toBe(before);
  });

  it("points into the envelope's data: /data/Customer/… for a create and for an update", async () => {
    const envelope = (type: string, data: unknown) =>
      JSON.stringify({ type, timestamp: new Date().toISOString(), data });
    const customer = sampleCustomer('minimal').Customer;
    const before = await storedRecords();
    const invalid = envelope('customer.created', { Customer: { ...customer, EmailAddress: 'nope' } });
    const refused = await postRaw(standardUrl(), invalid, standardHeaders(invalid));
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({
      detail: '1 field must be corrected: see errors.',
      errors: [{ pointer: '/data/Customer/EmailAddress' }],
    });
    expect(await storedRecords()).toBe(before);
    // A customer the sender knows by its reference, then an invalid update of it.
    const reference = `MW-PTR-${Date.now()}`;
    const created = envelope('customer.created', {
      reference,
      Customer: { ...customer, EmailAddress: `${reference.toLowerCase()}@example.com` },
    });
    const accepted = await postRaw(standardUrl(), created, standardHeaders(created));
    expect(accepted.status).toBe(202);
    const { statusUrl } = accepted.json as { statusUrl: string };
    expect((await waitForTerminal(statusUrl)).status).toBe('succeeded');
    const update = envelope('customer.updated', { reference, Customer: { EmailAddress: 'nope' } });
    const answer = await postRaw(standardUrl(), update, standardHeaders(update));
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ errors: [{ pointer: '/data/Customer/EmailAddress' }] });
  });
});

describe('Shopify customers/create', () => {
  const sample = freshShopify();

  it("turns the documentation's sample into one D365 customer; ten redeliveries create none", async () => {
    const before = await emulatorCustomers();
    const eventId = `evt-${Date.now()}`;
    const first = await postRaw(shopifyUrl(), sample, shopifyHeaders(sample, { eventId }));
    expect(first.status).toBe(202);
    const { statusUrl, correlationId } = first.json as { statusUrl: string; correlationId: string };
    const final = await waitForTerminal(statusUrl);
    expect(final).toMatchObject({
      status: 'succeeded',
      source: 'test-shopify',
      // Exact, although the payload's numeric id is beyond 2^53.
      sourceCustomerId: '706405506930370084',
      legalEntity: 'USRT',
    });
    expect(JSON.stringify(final)).not.toMatch(/biller|Bob|O'Connor/i);
    for (let i = 0; i < 10; i++) {
      // A redelivery: same event ID, a new webhook ID, signed again.
      const again = await postRaw(shopifyUrl(), sample, shopifyHeaders(sample, { eventId }));
      expect(again.status).toBe(200);
      expect((again.json as { correlationId: string }).correlationId).toBe(correlationId);
    }
    const customers = await stack.customers();
    expect(customers.length).toBe(before + 1);
    const created = customers.find((c) => c.account === final.customerAccount)!;
    expect(created.contract).toMatchObject({
      FirstName: 'Bob',
      LastName: 'Biller',
      EmailAddress: 'bob@biller.com',
      CurrencyCode: 'CAD',
      CustomerGroup: '30',
      BillingAddress: [
        {
          Street: "151 O'Connor Street",
          City: 'Ottawa',
          State: 'ON',
          PostalCode: 'K2P 2L8',
          CountryCode: 'CAN',
        },
      ],
      ShippingAddress: [{ Addresstype: 'Shipping', CountryCode: 'CAN' }],
    });
    // The default address's phone (555-555-5555) is not E.164, so no phone number is sent.
    expect(created.contract?.ContactNumber ?? '').toBe('');
  });

  it('refuses a tampered body, a re-serialised body, a stale event, a wrong secret and an unknown shop', async () => {
    const headers = shopifyHeaders(sample);
    await expectRefused(shopifyUrl(), Buffer.from(sample.toString('utf8').replace('Bob', 'Rob')), headers);
    // Parsed and serialised again: the same JSON value, other bytes (and a rounded id).
    await expectRefused(shopifyUrl(), JSON.stringify(JSON.parse(sample.toString('utf8'))), headers);
    await expectRefused(
      shopifyUrl(),
      sample,
      shopifyHeaders(sample, { triggeredAt: new Date(Date.now() - 7 * 3600_000) }),
    );
    await expectRefused(shopifyUrl(), sample, shopifyHeaders(sample, { secret: 'shpss_wrong' }));
    await expectRefused(shopifyUrl(), sample, shopifyHeaders(sample, { shop: 'someone-else.myshopify.com' }));
  });

  it('takes customers/update of a created customer as an update, and refuses one of an unknown customer', async () => {
    // The customer created above, sent again unchanged (as the shop's echo of a metafield write
    // carries it): nothing we sync changed, so nothing is stored or sent to D365 (issue 28).
    const recordsBefore = await storedRecords();
    const echo = await postRaw(shopifyUrl(), sample, shopifyHeaders(sample, { topic: 'customers/update' }));
    expect(echo.status).toBe(200);
    expect(echo.json).toEqual({ ignored: true, reason: 'echo' });
    expect(await storedRecords()).toBe(recordsBefore);
    // A real change is an update.
    const changed = Buffer.from(
      sample.toString('utf8').replace('"last_name": "Biller"', '"last_name": "Billerson"'),
    );
    expect(changed.equals(sample)).toBe(false);
    const answer = await postRaw(
      shopifyUrl(),
      changed,
      shopifyHeaders(changed, { topic: 'customers/update' }),
    );
    expect(answer.status).toBe(202);
    const status = await waitForTerminal((answer.json as { statusUrl: string }).statusUrl, 30_000);
    expect(status).toMatchObject({
      kind: 'update',
      status: 'succeeded',
      outcome: 'updated',
      source: 'test-shopify',
    });
    const before = await storedRecords();
    const unknown = Buffer.from(sample.toString('utf8').replace('Customer/706405506930370084', 'Customer/1'));
    const refused = await postRaw(
      shopifyUrl(),
      unknown,
      shopifyHeaders(unknown, { topic: 'customers/update' }),
    );
    expect(refused.status).toBe(404);
    expect(await storedRecords()).toBe(before);
  });

  const variant = (change: (customer: Record<string, unknown>) => void): Buffer => {
    const customer = JSON.parse(sample.toString('utf8')) as Record<string, unknown>;
    customer.admin_graphql_api_id = `gid://shopify/Customer/${Date.now()}`;
    change(customer);
    return Buffer.from(JSON.stringify(customer));
  };

  it('keys replay protection on the signed body: new, missing or garbage event headers are the same event; a body older than the limit is refused whatever the headers say', async () => {
    const body = variant(() => undefined);
    const first = await postRaw(shopifyUrl(), body, shopifyHeaders(body));
    expect(first.status).toBe(202);
    const { correlationId } = first.json as { correlationId: string };
    const without = (headers: Record<string, string>, ...names: string[]) =>
      Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));
    const replays = [
      shopifyHeaders(body, { eventId: 'a-new-event-id' }),
      without(shopifyHeaders(body), 'x-shopify-event-id', 'x-shopify-webhook-id', 'x-shopify-triggered-at'),
      { ...shopifyHeaders(body), 'x-shopify-triggered-at': 'not a date', 'x-shopify-event-id': '' },
    ];
    for (const headers of replays) {
      const again = await postRaw(shopifyUrl(), body, headers);
      expect(again.status).toBe(200);
      expect((again.json as { correlationId: string }).correlationId).toBe(correlationId);
    }
    const stale = variant((c) => (c.updated_at = new Date(Date.now() - 7 * 3600_000).toISOString()));
    const before = await storedRecords();
    await expectRefused(shopifyUrl(), stale, shopifyHeaders(stale));
    await expectRefused(shopifyUrl(), stale, without(shopifyHeaders(stale), 'x-shopify-triggered-at'));
    await expectRefused(shopifyUrl(), stale, {
      ...shopifyHeaders(stale),
      'x-shopify-triggered-at': 'garbage',
    });
    const undated = variant((c) => delete c.updated_at);
    await expectRefused(shopifyUrl(), undated, shopifyHeaders(undated));
    expect(await storedRecords()).toBe(before);
  });

  it('creates a phone-only customer (issue 32), and records one with neither e-mail nor phone as unmappable', async () => {
    const phoneOnly = variant((c) => {
      c.email = null;
      c.first_name = `Phone${Date.now()}`;
      c.phone = '+16135550135';
    });
    const created = await postRaw(shopifyUrl(), phoneOnly, shopifyHeaders(phoneOnly));
    expect(created.status).toBe(202);
    const final = await waitForTerminal((created.json as { statusUrl: string }).statusUrl);
    expect(final.status).toBe('succeeded');
    const customer = (await stack.customers()).find((c) => c.account === final.customerAccount)!;
    expect(customer.fields.PrimaryContactPhone).toBe('+16135550135');

    const body = variant((c) => {
      c.email = null;
      c.phone = 'not a number';
      c.default_address = null;
      c.addresses = [];
    });
    const answer = await postRaw(shopifyUrl(), body, shopifyHeaders(body));
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ status: 'failed' });
    const status = (await (await fetch((answer.json as { statusUrl: string }).statusUrl)).json()) as {
      error: { message: string };
    };
    expect(status).toMatchObject({ status: 'failed', source: 'test-shopify', error: { code: 'unmappable' } });
    expect(status.error.message).toMatch(/e-mail/);
    expect(JSON.stringify(status)).not.toContain('not a number');
  });

  it('creates a customer without an address, and one with non-Latin names', async () => {
    const noAddress = variant((c) => {
      c.email = `no-address-${Date.now()}@example.com`;
      delete c.default_address;
      c.addresses = [];
    });
    const first = await postRaw(shopifyUrl(), noAddress, shopifyHeaders(noAddress));
    const final = await waitForTerminal((first.json as { statusUrl: string }).statusUrl);
    expect(final.status).toBe('succeeded');
    const plain = (await stack.customers()).find((c) => c.account === final.customerAccount)!;
    expect(plain.contract?.BillingAddress ?? []).toEqual([]);

    const nonLatin = variant((c) => {
      c.email = `yamada-${Date.now()}@example.jp`;
      c.first_name = '太郎';
      c.last_name = '山田';
      c.default_address = {
        address1: '千代田1-1',
        city: '千代田区',
        zip: '100-0001',
        country_code: 'JP',
        default: true,
      };
    });
    const second = await postRaw(shopifyUrl(), nonLatin, shopifyHeaders(nonLatin));
    const done = await waitForTerminal((second.json as { statusUrl: string }).statusUrl);
    expect(done.status).toBe('succeeded');
    const created = (await stack.customers()).find((c) => c.account === done.customerAccount)!;
    expect(created.contract).toMatchObject({
      FirstName: '太郎',
      LastName: '山田',
      BillingAddress: [{ CountryCode: 'JPN', City: '千代田区' }],
    });
  });
});

describe('secret rotation without restart', () => {
  it('accepts the new secret at once and the previous one within the window', async () => {
    const vault = vaultOf(stack.emulator.url);
    const newShopify = 'shpss_rotated_9f8e7d6c5b4a39281706a1b2c3d4';
    await vault.setSecret('webhook-shopify-test', newShopify);
    // Key Vault is read again at most once per WEBHOOK_SECRET_REFRESH_SECONDS (30 s at most) per secret.
    await new Promise((r) => setTimeout(r, 1_100));
    const sample = freshShopify();
    // Signed with the new secret: no cached value matches, so the app reads Key Vault again.
    const withNew = await postRaw(
      `${stack.url}/api/webhooks/shopify`,
      sample,
      shopifyHeaders(sample, { secret: newShopify }),
    );
    expect(withNew.status).toBe(202);
    // Shopify keeps signing with the old secret for up to an hour (another event: another body).
    const other = freshShopify();
    const withOld = await postRaw(
      `${stack.url}/api/webhooks/shopify`,
      other,
      shopifyHeaders(other, { secret: SHOPIFY_SECRET }),
    );
    expect(withOld.status).toBe(202);

    const newStandard = `whsec_${Buffer.from('rotated-standard-secret-32-bytes').toString('base64')}`;
    await vault.setSecret('webhook-standard-test', newStandard);
    await new Promise((r) => setTimeout(r, 1_100));
    const body = JSON.stringify(sampleCustomer('minimal'));
    expect((await postRaw(standardUrl(), body, standardHeaders(body, { secret: newStandard }))).status).toBe(
      202,
    );
    expect(
      (await postRaw(standardUrl(), body, standardHeaders(body, { secret: STANDARD_SECRET }))).status,
    ).toBe(202);
  });
});
