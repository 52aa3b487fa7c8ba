import { createHmac } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { call, useEmulator } from './support/emulator';

/**
 * Shopify's mandatory compliance webhooks from the emulated shop (control API): the documented
 * payloads (https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance) with the shop's
 * values, signed with the app's client secret, to the apps that declared the topic.
 */
const SHOP = 'compliance-shop.myshopify.com';
const TOKEN = 'shpat_emulated_token_0002';
const SECRET = 'shpss_emulated_compliance_secret';
const OTHER_SECRET = 'shpss_emulated_other_app_secret';

const emulator = useEmulator();

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  path: string;
}
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        path: req.url ?? '',
      });
      res.writeHead(200).end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await new Promise((resolve) => receiver.once('listening', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
});

const COMPLIANCE = ['customers/data_request', 'customers/redact', 'shop/redact'];

beforeEach(async () => {
  const answer = await call(emulator, 'PUT', `/_emulator/shopify/shops/${SHOP}`, {
    body: {
      apps: [
        {
          token: TOKEN,
          clientSecret: SECRET,
          webhooks: COMPLIANCE.map((topic) => ({ topic, address: `${receiverUrl}/ours` })),
        },
        // Another app of the shop that declared only customers/update: it gets none of them.
        {
          token: 'shpat_emulated_token_0003',
          clientSecret: OTHER_SECRET,
          webhooks: [{ topic: 'customers/update', address: `${receiverUrl}/other` }],
        },
      ],
      retryDelaysMs: [],
    },
  });
  expect(answer.status).toBe(200);
  received.length = 0;
});

const send = (body: Record<string, unknown>) =>
  call<{ deliveries: number; body: string; error?: string }>(
    emulator,
    'POST',
    `/_emulator/shopify/shops/${SHOP}/compliance`,
    { body },
  );

async function settled(count: number): Promise<Received[]> {
  for (let i = 0; i < 200 && received.length < count; i += 1) await new Promise((r) => setTimeout(r, 20));
  return received;
}

const signature = (body: string, secret = SECRET) =>
  createHmac('sha256', secret).update(body).digest('base64');

async function addCustomer(): Promise<string> {
  const answer = await call<{ id: string }>(emulator, 'POST', `/_emulator/shopify/shops/${SHOP}/customers`, {
    body: { first_name: 'Grace', last_name: 'Hopper', email: 'grace@example.com', phone: '+16135550101' },
  });
  expect(answer.status).toBe(201);
  return answer.body.id;
}

describe('Shopify compliance webhooks (emulated)', () => {
  it('customers/redact: the documented payload with every digit of the ID, signed, with the webhook headers', async () => {
    const id = await addCustomer();
    expect(BigInt(id)).toBeGreaterThan(2n ** 53n);
    const answer = await send({ topic: 'customers/redact', customerId: id, orders: ['299938', '280263'] });
    expect(answer.status).toBe(202);
    expect(answer.body.deliveries).toBe(1);
    const [delivery] = await settled(1);
    expect(delivery!.path).toBe('/ours');
    expect(delivery!.body).toBe(answer.body.body);
    // The ID as Shopify writes it: a JSON number with all its digits (not rounded to a double).
    expect(delivery!.body).toContain(
      `"customer":{"id":${id},"email":"grace@example.com","phone":"+16135550101"}`,
    );
    const payload = JSON.parse(delivery!.body) as Record<string, unknown>;
    expect(Object.keys(payload)).toEqual(['shop_id', 'shop_domain', 'customer', 'orders_to_redact']);
    expect(payload).toMatchObject({ shop_domain: SHOP, orders_to_redact: [299938, 280263] });
    expect(typeof payload.shop_id).toBe('number');
    expect(delivery!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-shopify-topic': 'customers/redact',
      'x-shopify-shop-domain': SHOP,
      'x-shopify-hmac-sha256': signature(delivery!.body),
    });
    expect(delivery!.headers['x-shopify-webhook-id']).toEqual(expect.any(String));
    expect(delivery!.headers['x-shopify-event-id']).toEqual(expect.any(String));
    expect(delivery!.headers['x-shopify-triggered-at']).toEqual(expect.any(String));
  });

  it('customers/data_request names the request; a deleted customer is named as Shopify still knows it', async () => {
    const answer = await send({
      topic: 'customers/data_request',
      customer: { id: '7300000000000000999', email: 'gone@example.com', phone: null },
      dataRequestId: '9999',
    });
    expect(answer.status).toBe(202);
    const [delivery] = await settled(1);
    expect(Object.keys(JSON.parse(delivery!.body) as object)).toEqual([
      'shop_id',
      'shop_domain',
      'orders_requested',
      'customer',
      'data_request',
    ]);
    expect(delivery!.body).toContain(
      '"customer":{"id":7300000000000000999,"email":"gone@example.com","phone":null}',
    );
    expect(delivery!.body).toContain('"data_request":{"id":9999}');
  });

  it('shop/redact goes to the app after it was uninstalled (that is when Shopify sends it)', async () => {
    const revoked = await call(emulator, 'POST', `/_emulator/shopify/shops/${SHOP}/revoke`, {
      body: { token: TOKEN },
    });
    expect(revoked.status).toBe(204);
    const answer = await send({ topic: 'shop/redact' });
    expect(answer.status).toBe(202);
    const [delivery] = await settled(1);
    expect(JSON.parse(delivery!.body)).toEqual({ shop_id: expect.any(Number), shop_domain: SHOP });
    expect(delivery!.headers['x-shopify-hmac-sha256']).toBe(signature(delivery!.body));
    // An uninstalled app gets no customers/redact any more.
    expect((await send({ topic: 'customers/redact', customerId: await addCustomer() })).body.deliveries).toBe(
      0,
    );
  });

  it('refuses an unknown customer (404) and a request that names none (400); sends nothing', async () => {
    expect((await send({ topic: 'customers/redact', customerId: '123' })).status).toBe(404);
    const unnamed = await send({ topic: 'customers/redact' });
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.error).toContain('customerId');
    expect((await send({ topic: 'orders/create' })).status).toBe(400);
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toHaveLength(0);
  });
});
