import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { call, useEmulator, waitFor } from './support/emulator';

/**
 * The emulated Event Grid topic (src/event-grid.ts): publishing with `aeg-sas-key`, the subscription's
 * validation handshake, delivery one event at a time with Event Grid's headers, retries on errors it
 * retries and none on those it does not (https://learn.microsoft.com/azure/event-grid/delivery-and-retry).
 */
const emulator = useEmulator({ randomSeed: 11 });
const KEY = 'topic-key-1';
let server: Server;
let endpoint: string;
/** How the receiver answers: the validation handshake, and notifications (status per attempt, in order). */
let validation: 'echo' | 'refuse' = 'echo';
let statuses: number[] = [];
const received: { headers: IncomingMessage['headers']; body: unknown[] }[] = [];

type Delivery = { attempts: number; lastResult: string; settled: boolean; delivered: boolean };
const report = async () =>
  (
    await call<{ subscription: unknown; published: { id: string; deliveries: Delivery[] }[] }>(
      emulator,
      'GET',
      '/_emulator/event-grid',
    )
  ).body;
const subscribe = (extra: Record<string, unknown> = {}) =>
  call(emulator, 'PUT', '/_emulator/event-grid', {
    body: { key: KEY, subscription: { endpoint, retryDelaysMs: [50, 50, 50], ...extra } },
  });
/** Publishes as a client of the topic does; `key: null` sends no key. */
const publish = (body: unknown, key: string | null = KEY) =>
  call(emulator, 'POST', '/eventgrid/api/events?api-version=2018-01-01', {
    body,
    headers: key === null ? {} : { 'aeg-sas-key': key },
  });
const event = (id: string) => ({
  id,
  subject: 'CustomersV3_Update',
  eventType: 'CustomersV3_Update',
  eventTime: new Date().toISOString(),
  data: '{"EventId":"x"}',
  dataVersion: '1.0',
});

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        data: { validationCode?: string };
      }[];
      if (req.headers['aeg-event-type'] === 'SubscriptionValidation') {
        if (validation === 'refuse') res.writeHead(403).end();
        else res.writeHead(200).end(JSON.stringify({ validationResponse: body[0]!.data.validationCode }));
        return;
      }
      received.push({ headers: req.headers, body });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/runtime/webhooks/eventgrid?functionName=f`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(async () => {
  received.length = 0;
  statuses = [];
  validation = 'echo';
  await call(emulator, 'POST', '/_emulator/reset');
});

describe('Event Grid topic', () => {
  it('creates the subscription only when its endpoint answers the validation handshake', async () => {
    validation = 'refuse';
    const refused = await subscribe();
    expect(refused.status).toBe(400);
    expect(String(refused.body.error)).toMatch(/validation handshake failed.*403/);
    expect((await report()).subscription).toBeNull();
    validation = 'echo';
    expect((await subscribe()).status).toBe(200);
  });

  it('takes a publish only with the key, as an array of complete events, and delivers each alone', async () => {
    expect((await subscribe()).status).toBe(200);
    expect((await publish([event('a')], null)).status).toBe(401);
    expect((await publish([event('a')], 'wrong')).status).toBe(401);
    expect((await publish(event('a'))).status).toBe(400);
    const { subject: _subject, ...noSubject } = event('a');
    const missing = await publish([noSubject]);
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toMatch(/'subject'/);
    expect((await publish([{ ...event('a'), topic: '/somewhere/else' }])).status).toBe(400);
    expect(received).toHaveLength(0);

    expect((await publish([event('a'), event('b')])).status).toBe(200);
    await waitFor(() => received.length === 2, 'two deliveries');
    for (const delivery of received) {
      expect(delivery.body).toHaveLength(1);
      expect(delivery.headers).toMatchObject({
        'aeg-event-type': 'Notification',
        'aeg-subscription-name': 'FO-EVENTS-TO-FUNCTION',
        'aeg-delivery-count': '0',
        'aeg-metadata-version': '1',
      });
      expect(delivery.body[0]).toMatchObject({
        metadataVersion: '1',
        topic: expect.stringContaining('/topics/'),
      });
    }
  });

  it('retries a 500 or 503 with back-off until a 2xx, and never a 400, 401, 403 or 413', async () => {
    expect((await subscribe()).status).toBe(200);
    statuses = [500, 503, 202];
    expect((await publish([event('retried')])).status).toBe(200);
    await waitFor(async () => (await report()).published[0]?.deliveries[0]?.settled === true, 'settled');
    expect((await report()).published[0]!.deliveries[0]).toMatchObject({
      attempts: 3,
      lastResult: '202',
      delivered: true,
    });
    expect(received.map((r) => r.headers['aeg-delivery-count'])).toEqual(['0', '1', '2']);

    for (const status of [400, 401, 403, 413]) {
      received.length = 0;
      statuses = [status, 202];
      expect((await publish([event(`refused-${status}`)])).status).toBe(200);
      await waitFor(
        async () =>
          (await report()).published.find((p) => p.id === `refused-${status}`)?.deliveries[0]?.settled ===
          true,
        `settled ${status}`,
      );
      expect(received).toHaveLength(1);
    }
  });

  it('gives up after the maximum delivery attempts', async () => {
    expect((await subscribe({ maxDeliveryAttempts: 2 })).status).toBe(200);
    statuses = [500, 500, 500];
    await publish([event('gone')]);
    await waitFor(async () => (await report()).published[0]?.deliveries[0]?.settled === true, 'settled');
    expect((await report()).published[0]!.deliveries[0]).toMatchObject({ attempts: 2, delivered: false });
  });
});
