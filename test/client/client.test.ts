import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  CustomerFailedError,
  CustomerNotFoundError,
  CustomerRequest,
  CustomerSyncClient,
  DuplicateError,
  PendingTimeoutError,
  ReferenceInUseError,
  ThrottledError,
  ValidationError,
  verifyWebhook,
  WebhookVerificationError,
} from '../../packages/client/src';
import { AppStack, startAppStack } from '../support/app-stack';
import { vaultOf } from '../support/webhooks';

const minimal = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'seed-customer-minimal.json'), 'utf8'),
) as CustomerRequest;
const customer = (): CustomerRequest => {
  const body = structuredClone(minimal);
  body.Customer.EmailAddress = `client-${randomUUID().slice(0, 8)}@example.com`;
  return body;
};
const ACCOUNT = /^US-\d{6}$/;

describe('the TypeScript client against the local stack', () => {
  let stack: AppStack;
  let client: CustomerSyncClient;
  const withEmail = async (email: string) =>
    (await stack.customers()).filter((c) => JSON.stringify(c.contract ?? c.fields).includes(email));

  beforeAll(async () => {
    stack = await startAppStack({ settings: { DUPLICATE_POLICY: 'reject', PRIVACY_SETTLE_SECONDS: '1' } });
    client = new CustomerSyncClient({ baseUrl: `${stack.url}/api` });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('creates a customer in one round trip with Prefer: wait and returns the account and its key', async () => {
    const body = customer();
    const created = await client.createCustomer(body);
    expect(created).toMatchObject({ status: 'succeeded', outcome: 'created', legalEntity: 'USRT' });
    expect(created.customerAccount).toMatch(ACCOUNT);
    expect(created.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(await withEmail(body.Customer.EmailAddress!)).toHaveLength(1);
  });

  it('falls back to polling the status URL when it does not wait', async () => {
    const created = await client.createCustomer(customer(), { wait: false });
    expect(created.customerAccount).toMatch(ACCOUNT);
    expect(created.attempts).toBeGreaterThanOrEqual(1);
  });

  it('keeps the Idempotency-Key across its own retries: a lost answer still makes one customer', async () => {
    const sent: string[] = [];
    let dropped = false;
    const flaky = new CustomerSyncClient({
      baseUrl: `${stack.url}/api`,
      fetch: async (url, init) => {
        const key = (init?.headers as Record<string, string>)['idempotency-key'];
        if (key) sent.push(key);
        const response = await fetch(url, init);
        // The first POST reaches the app (and D365), but the answer is lost on the way back.
        if (!dropped && init?.method === 'POST') {
          dropped = true;
          await response.text();
          throw new TypeError('fetch failed: socket hang up');
        }
        return response;
      },
    });
    const body = customer();
    const created = await flaky.createCustomer(body);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBe(sent[1]);
    expect(created.idempotencyKey).toBe(sent[0]);
    expect(await withEmail(body.Customer.EmailAddress!)).toHaveLength(1);
  });

  it('uses the caller\u2019s Idempotency-Key: the same key and body give the same request', async () => {
    const body = customer();
    const key = randomUUID();
    const first = await client.createCustomer(body, { idempotencyKey: key });
    const second = await client.createCustomer(body, { idempotencyKey: key });
    expect(second.correlationId).toBe(first.correlationId);
    expect(second.customerAccount).toBe(first.customerAccount);
    expect(await withEmail(body.Customer.EmailAddress!)).toHaveLength(1);
  });

  it('throws a ValidationError whose field errors point at the fields: before sending, as the API would', async () => {
    const body = customer();
    body.Customer.EmailAddress = 'not-an-email';
    body.Customer.BillingAddress![0]!.CountryCode = 'US';
    let sent = 0;
    const counting = new CustomerSyncClient({
      baseUrl: `${stack.url}/api`,
      fetch: (input, init) => ((sent += 1), fetch(input, init)),
    });
    const unchecked = new CustomerSyncClient({ baseUrl: `${stack.url}/api`, validateBeforeSending: false });
    const local = await counting.createCustomer(body).catch((e: unknown) => e);
    expect(sent).toBe(0);
    const remote = await unchecked.createCustomer(body).catch((e: unknown) => e);
    for (const error of [local, remote]) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).status).toBe(400);
      expect((error as ValidationError).fieldErrors.map((e) => e.pointer).sort()).toEqual([
        '/Customer/BillingAddress/0/CountryCode',
        '/Customer/EmailAddress',
      ]);
    }
    expect((local as ValidationError).message).toContain('checked before sending');
    expect((remote as ValidationError).message).not.toContain('checked before sending');
  });

  it('throws a DuplicateError with the existing accounts (DUPLICATE_POLICY=reject), waiting or polling', async () => {
    const body = customer();
    const { customerAccount } = await client.createCustomer(body);
    for (const wait of [10, false] as const) {
      const error = await client.createCustomer(body, { wait }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuplicateError);
      expect((error as DuplicateError).existingAccounts).toEqual([customerAccount]);
    }
  });

  it('updates a customer by its reference and by its account, waiting or polling; only the changed fields reach D365', async () => {
    const reference = `POS-${randomUUID().slice(0, 8)}`;
    const { customerAccount } = await client.createCustomer(customer(), { reference });
    const byReference = await client.updateCustomerByReference(reference, {
      Customer: { ContactNumber: '+14255550111' },
    });
    expect(byReference).toMatchObject({
      kind: 'update',
      status: 'succeeded',
      outcome: 'updated',
      customerAccount,
    });
    expect(byReference.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    const byAccount = await client.updateCustomerByAccount(
      'USRT',
      customerAccount,
      { Customer: { LastName: 'Patched', MiddleName: null } },
      { wait: false, version: 2 },
    );
    expect(byAccount).toMatchObject({ status: 'succeeded', outcome: 'updated', customerAccount });
    const d365 = await stack.emulatorApi<{ fields: Record<string, unknown> }>(
      'GET',
      `/_emulator/customers/USRT/${customerAccount}`,
    );
    expect(d365.fields).toMatchObject({ PrimaryContactPhone: '+14255550111', PersonLastName: 'Patched' });
  });

  it('throws CustomerNotFoundError for a customer it did not create, and ValidationError before sending a bad patch', async () => {
    await expect(
      client.updateCustomerByReference('nobody-here', { Customer: { FirstName: 'X' } }),
    ).rejects.toBeInstanceOf(CustomerNotFoundError);
    const error = await client
      .updateCustomerByAccount('USRT', 'US-000001', { Customer: { EmailAddress: 'nope' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors.map((e) => e.pointer)).toEqual(['/Customer/EmailAddress']);
  });

  it('throws a CustomerFailedError with the code when D365 rejects the customer', async () => {
    const body = customer();
    body.Customer.CustomerGroup = '99';
    const error = await client.createCustomer(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CustomerFailedError);
    expect((error as CustomerFailedError).code).toBe('business_error');
    expect((error as CustomerFailedError).status).toBe(422);
    expect((error as CustomerFailedError).correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('stops at its timeout with the status URL to poll later', async () => {
    const slow = new CustomerSyncClient({ baseUrl: `${stack.url}/api`, timeoutMs: 1 });
    await stack.emulatorApi('POST', '/_emulator/faults', {
      service: 'd365',
      status: 503,
      retryAfter: 5,
      count: 1,
    });
    const error = await slow.createCustomer(customer(), { wait: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PendingTimeoutError);
    expect((error as PendingTimeoutError).statusUrl).toContain('/api/customers/status/');
    const final = await client.waitForResult((error as PendingTimeoutError).correlationId!, {
      timeoutMs: 30_000,
    });
    expect(final.status).toBe('succeeded');
  });

  it('throws a ReferenceInUseError when its Customer-Reference already names a customer', async () => {
    const reference = `client-${randomUUID().slice(0, 8)}`;
    const withReference = new CustomerSyncClient({
      baseUrl: `${stack.url}/api`,
      headers: { 'customer-reference': reference },
    });
    const first = await withReference.createCustomer(customer());
    const error = await withReference.createCustomer(customer()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReferenceInUseError);
    expect((error as ReferenceInUseError).statusUrl).toContain(first.correlationId);
  });

  it('reads the secret that signs its callbacks (one shared key: the app secret itself)', async () => {
    const secret = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
    await vaultOf(stack.emulator.url).setSecret('callback-signing-secret', secret);
    await expect(client.getCallbackSecrets()).resolves.toEqual([secret]);
  });

  it('privacy requests (operators): an export of what is held, then the erasure, its proof and its release', async () => {
    const body = customer();
    const email = body.Customer.EmailAddress!;
    const created = await client.createCustomer(body);
    const asked = await client.privacy.create({ type: 'export', email });
    expect(asked).toMatchObject({ type: 'export', status: 'queued', scope: 'customer', via: 'api' });
    expect(asked.statusUrl).toContain(`/api/privacy/requests/${asked.id}`);
    const exported = await client.privacy.waitFor(asked.id, { timeoutMs: 60_000 });
    expect(exported.status).toBe('succeeded');
    const copy = await client.privacy.getExport(asked.id);
    expect(copy.requestId).toBe(asked.id);
    expect(copy.links).toEqual([expect.objectContaining({ customerAccount: created.customerAccount })]);
    // The same Idempotency-Key is the same request.
    const key = randomUUID();
    const erase = await client.privacy.create({ type: 'erase', email }, { idempotencyKey: key });
    expect((await client.privacy.create({ type: 'erase', email }, { idempotencyKey: key })).id).toBe(
      erase.id,
    );
    const done = await client.privacy.waitFor(erase.id, { timeoutMs: 90_000 });
    expect(done).toMatchObject({ status: 'succeeded', pastDue: false });
    expect(done.erased?.statusRecords).toBeGreaterThanOrEqual(1);
    expect(done.d365).toEqual([
      expect.objectContaining({ action: 'reported', customerAccount: created.customerAccount }),
    ]);
    expect((await client.privacy.get(asked.id)).fetches).toHaveLength(1);
    expect((await client.privacy.release(erase.id)).releasedAt).toEqual(expect.any(String));
  }, 180_000);

  it('honours an abort signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cashier cancelled'));
    await expect(client.createCustomer(customer(), { signal: controller.signal })).rejects.toThrow(
      'cashier cancelled',
    );
  });
});

describe('the client on 429', () => {
  const problem = {
    type: 'urn:d365-customer-sync:problem:rate-limited',
    title: 'Too many requests',
    status: 429,
    detail: 'Send again after 1 seconds.',
  };
  const throttled = () =>
    new Response(JSON.stringify(problem), {
      status: 429,
      headers: { 'content-type': 'application/problem+json', 'retry-after': '1' },
    });

  it('waits Retry-After and sends again with the same key, then gives up with a ThrottledError', async () => {
    const keys: string[] = [];
    const client = new CustomerSyncClient({
      baseUrl: 'http://127.0.0.1:9/api',
      maxAttempts: 2,
      fetch: async (_url, init) => {
        keys.push((init?.headers as Record<string, string>)['idempotency-key']!);
        return throttled();
      },
    });
    const error = await client.createCustomer(customer()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).retryAfterSeconds).toBe(1);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(1);
  });
});

describe('a request that ends for an operator (needs_review)', () => {
  it('stops polling and throws CustomerFailedError with account_not_found, without sending again', async () => {
    const correlationId = randomUUID();
    const sent: string[] = [];
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json', ...headers },
      });
    const client = new CustomerSyncClient({
      baseUrl: 'http://127.0.0.1:9/api',
      fetch: async (url, init) => {
        sent.push(`${init?.method ?? 'GET'} ${String(url)}`);
        if (init?.method === 'POST') {
          return json(
            202,
            {
              correlationId,
              status: 'queued',
              statusUrl: `http://127.0.0.1:9/api/customers/status/${correlationId}`,
            },
            {
              'retry-after': '0',
            },
          );
        }
        return json(200, {
          correlationId,
          status: 'needs_review',
          legalEntity: 'USRT',
          error: {
            code: 'account_not_found',
            message: 'D365 confirmed the create without naming the account.',
          },
        });
      },
    });
    const error = await client.createCustomer(customer(), { wait: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CustomerFailedError);
    expect((error as CustomerFailedError).code).toBe('account_not_found');
    expect(sent.filter((s) => s.startsWith('POST'))).toHaveLength(1);
    expect(sent.filter((s) => s.startsWith('GET'))).toHaveLength(1);
  });
});

describe('verifyWebhook (the client\u2019s callback check) against the official standardwebhooks library', () => {
  const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
  const body = JSON.stringify({
    type: 'customer.succeeded',
    timestamp: '2026-11-26T18:00:00.412Z',
    data: {
      correlationId: randomUUID(),
      status: 'succeeded',
      legalEntity: 'USRT',
      customerAccount: 'US-000001',
    },
  });
  const signed = (at = new Date()) => {
    const id = `msg_${randomUUID()}`;
    const signature = new Webhook(secret).sign(id, at, body);
    return {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    };
  };

  it('accepts what the library signs, and the library accepts the same message', async () => {
    const headers = signed();
    const event = await verifyWebhook(body, new Headers(headers), secret);
    expect(event.data.customerAccount).toBe('US-000001');
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('refuses a changed body, another secret, a stale timestamp and missing headers', async () => {
    const headers = signed();
    await expect(
      verifyWebhook(body.replace('US-000001', 'US-000002'), headers, secret),
    ).rejects.toBeInstanceOf(WebhookVerificationError);
    const other = `whsec_${Buffer.from('another secret of 32 bytes......').toString('base64')}`;
    await expect(verifyWebhook(body, headers, other)).rejects.toThrow('No matching signature');
    const stale = signed(new Date(Date.now() - 600_000));
    await expect(verifyWebhook(body, stale, secret)).rejects.toThrow('tolerance');
    await expect(verifyWebhook(body, {}, secret)).rejects.toThrow('Missing');
  });
});
