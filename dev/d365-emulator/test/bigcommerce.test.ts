import { call, useEmulator } from './support/emulator';
import { useWebhookReceiver } from './support/webhook-receiver';

/** The emulated BigCommerce V3 customer attributes, rate headers and hooks. */
const STORE = 'bcstore1';
const TOKEN = 'bc-api-token-0001';
const emulator = useEmulator();

const receiver = useWebhookReceiver('/bc');
const received = receiver.received;

const api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, token = TOKEN) =>
  call<T>(emulator, method, `/stores/${STORE}/v3/customers${path}`, {
    body,
    headers: { 'X-Auth-Token': token },
  });

async function seed(extra: Record<string, unknown> = {}) {
  const answer = await call(emulator, 'PUT', `/_emulator/bigcommerce/stores/${STORE}`, {
    body: {
      token: TOKEN,
      customers: [
        { id: 1, email: 'one@example.com', first_name: 'One', last_name: 'Customer' },
        { id: 2, email: 'two@example.com', first_name: 'Two', last_name: 'Customer' },
      ],
      hooks: [
        {
          scope: 'store/customer/updated',
          destination: receiver.url(),
          headers: { 'x-webhook-secret': 's3cret' },
        },
      ],
      retryDelaysMs: [],
      ...extra,
    },
  });
  expect(answer.status).toBe(200);
  received.length = 0;
}

const settle = async () => {
  for (let i = 0; i < 100; i += 1) {
    const report = await call<{ deliveries: { pending: number } }>(
      emulator,
      'GET',
      `/_emulator/bigcommerce/stores/${STORE}`,
    );
    if (report.body.deliveries.pending === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('BigCommerce V3 customer attributes (emulated)', () => {
  beforeEach(() => seed());

  it('creates an attribute, upserts a value (one row per customer and attribute) and shows it with include=attributes', async () => {
    const created = await api<{ data: { id: number; name: string; type: string }[] }>('POST', '/attributes', [
      { name: 'd365_account', type: 'string' },
    ]);
    expect(created.status).toBe(200);
    const attributeId = created.body.data[0]!.id;
    const first = await api('PUT', '/attribute-values', [
      { attribute_id: attributeId, customer_id: 1, value: 'USRT/US-1' },
    ]);
    expect(first.status).toBe(200);
    const again = await api('PUT', '/attribute-values', [
      { attribute_id: attributeId, customer_id: 1, value: 'USRT/US-2' },
    ]);
    expect(again.status).toBe(200);
    const values = await api<{ data: { attribute_value: string }[] }>(
      'GET',
      `/attribute-values?customer_id:in=1`,
    );
    expect(values.body.data).toEqual([expect.objectContaining({ attribute_value: 'USRT/US-2' })]);
    const customers = await api<{ data: { attributes: unknown[] }[] }>('GET', '?id:in=1&include=attributes');
    expect(customers.body.data[0]!.attributes).toEqual([
      expect.objectContaining({ attribute_id: attributeId, attribute_value: 'USRT/US-2' }),
    ]);
    const byName = await api<{ data: unknown[] }>('GET', '/attributes?name=d365_account');
    expect(byName.body.data).toHaveLength(1);
  });

  it('refuses invalid values (422): unknown customer or attribute, over 255 characters, more than 10 per call', async () => {
    const created = await api<{ data: { id: number }[] }>('POST', '/attributes', [
      { name: 'n', type: 'number' },
    ]);
    const id = created.body.data[0]!.id;
    expect(
      (await api('PUT', '/attribute-values', [{ attribute_id: id, customer_id: 99, value: '1' }])).status,
    ).toBe(422);
    expect(
      (await api('PUT', '/attribute-values', [{ attribute_id: 999, customer_id: 1, value: '1' }])).status,
    ).toBe(422);
    expect(
      (await api('PUT', '/attribute-values', [{ attribute_id: id, customer_id: 1, value: 'x' }])).status,
    ).toBe(422);
    const eleven = Array.from({ length: 11 }, () => ({ attribute_id: id, customer_id: 1, value: '1' }));
    expect((await api('PUT', '/attribute-values', eleven)).status).toBe(413);
    expect((await api('POST', '/attributes', [{ name: 'n', type: 'string' }])).status).toBe(422);
  });

  it('fires store/customer/updated with the hook headers after a value changed, not after the same value', async () => {
    const created = await api<{ data: { id: number }[] }>('POST', '/attributes', [
      { name: 'acct', type: 'string' },
    ]);
    const id = created.body.data[0]!.id;
    await api('PUT', '/attribute-values', [{ attribute_id: id, customer_id: 2, value: 'A/1' }]);
    await settle();
    expect(received).toHaveLength(1);
    expect(received[0]!.headers['x-webhook-secret']).toBe('s3cret');
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      scope: 'store/customer/updated',
      data: { type: 'customer', id: 2 },
      producer: `stores/${STORE}`,
    });
    await api('PUT', '/attribute-values', [{ attribute_id: id, customer_id: 2, value: 'A/1' }]);
    await settle();
    expect(received).toHaveLength(1);
  });

  it('counts requests against the window quota: rate headers on every answer, 429 past it', async () => {
    await seed({ quota: 3, windowMs: 60_000 });
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await api('GET', '/attributes'));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((a) => a.headers.get('x-rate-limit-requests-left'))).toEqual(['2', '1', '0', '0']);
    expect(Number(answers[3]!.headers.get('x-rate-limit-time-reset-ms'))).toBeGreaterThan(0);
    expect(answers[3]!.headers.get('x-rate-limit-requests-quota')).toBe('3');
  });

  it('answers 401 after the API account token is revoked, 404 for an unknown store', async () => {
    expect((await call(emulator, 'POST', `/_emulator/bigcommerce/stores/${STORE}/revoke`)).status).toBe(204);
    expect((await api('GET', '/attributes')).status).toBe(401);
    const unknown = await call(emulator, 'GET', '/stores/nosuch/v3/customers', {
      headers: { 'X-Auth-Token': TOKEN },
    });
    expect(unknown.status).toBe(404);
  });

  it('updates customers by id (PUT /v3/customers) and fires the hook', async () => {
    const answer = await api<{ data: { id: number; first_name: string }[] }>('PUT', '', [
      { id: 1, first_name: 'Uno' },
    ]);
    expect(answer.body.data).toEqual([expect.objectContaining({ id: 1, first_name: 'Uno' })]);
    expect((await api('PUT', '', [{ id: 42, first_name: 'X' }])).status).toBe(422);
    await settle();
    expect(received).toHaveLength(1);
  });
});

describe('BigCommerce V3 customer addresses (emulated)', () => {
  beforeEach(() => seed());

  const address = {
    customer_id: 1,
    first_name: 'One',
    last_name: 'Customer',
    address1: '1 Main St',
    city: 'Seattle',
    postal_code: '98101',
    country_code: 'US',
  };

  it('creates and updates an address; a US state code is refused (names only), as is an unknown address', async () => {
    const code = await api('POST', '/addresses', [{ ...address, state_or_province: 'WA' }]);
    expect(code.status).toBe(422);
    expect(JSON.stringify(code.body)).toContain('0.state_or_province');
    const made = await api<{ data: { id: number }[] }>('POST', '/addresses', [
      { ...address, state_or_province: 'Washington' },
    ]);
    expect(made.status).toBe(200);
    const id = made.body.data[0]!.id;
    const moved = await api('PUT', '/addresses', [{ id, customer_id: 1, city: 'Tacoma' }]);
    expect(moved.status).toBe(200);
    expect((await api('PUT', '/addresses', [{ id, customer_id: 2, city: 'Tacoma' }])).status).toBe(422);
    expect(
      (await api('PUT', '/addresses', [{ id, customer_id: 1, country_code: 'CA', state_or_province: 'ON' }]))
        .status,
    ).toBe(422);
    const read = await api<{ data: { addresses: Record<string, unknown>[] }[] }>(
      'GET',
      '?id:in=1&include=addresses',
    );
    expect(read.body.data[0]!.addresses).toEqual([
      expect.objectContaining({ id, city: 'Tacoma', state_or_province: 'Washington', country_code: 'US' }),
    ]);
    await settle();
    // Each accepted write fired store/customer/updated (writesFireUpdate).
    expect(received.filter((r) => JSON.stringify(r).includes('store/customer/updated'))).toHaveLength(2);
  });
});
