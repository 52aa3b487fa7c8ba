import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { call, d365Token, useEmulator, waitFor } from './support/emulator';

/**
 * F&O data events for CustomersV3 (src/data-events.ts): raised by the app's OData creates and
 * PATCHes and by an operator's change, posted to the configured endpoint with the key in the URL,
 * in the business events' envelope with the entity record; activated per legal entity; the
 * `duplicate`, `drop` and `delayMs` faults make them repeated, missing and late.
 */
const emulator = useEmulator({ randomSeed: 7 });
let token: string;
let server: Server;
let receiverUrl: string;
const received: { url: string; headers: IncomingMessage['headers']; body: Record<string, unknown> }[] = [];

type Raised = { eventId: string; operation: string; cause: string; dropped: boolean; account: string };
const state = async () =>
  (await call<{ raised: Raised[]; pending: number }>(emulator, 'GET', '/_emulator/data-events')).body;
const configure = (settings: Record<string, unknown>) =>
  call(emulator, 'PUT', '/_emulator/data-events', { body: settings });

async function create(legalEntity = 'USRT'): Promise<string> {
  const answer = await call(emulator, 'POST', '/data/CustomersV3', {
    token,
    body: {
      dataAreaId: legalEntity,
      PartyType: 'Person',
      PersonFirstName: 'Dana',
      PersonLastName: 'Scully',
      CustomerGroupId: '30',
      SalesCurrencyCode: 'USD',
    },
  });
  expect(answer.status).toBe(201);
  return String(answer.body.CustomerAccount);
}

beforeAll(async () => {
  token = await d365Token(emulator);
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        url: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/d365/data-events?code=k1`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(async () => {
  received.length = 0;
  await call(emulator, 'POST', '/_emulator/reset');
});

describe('data events', () => {
  it("posts the app's create and PATCH and an operator's change, each with the record as it is then", async () => {
    expect((await configure({ endpoint: receiverUrl, headers: { 'x-extra': 'v' } })).status).toBe(200);
    const account = await create();
    const path = `/data/CustomersV3(dataAreaId='usrt',CustomerAccount='${account}')?cross-company=true`;
    expect((await call(emulator, 'PATCH', path, { token, body: { PersonFirstName: 'Fox' } })).status).toBe(
      204,
    );
    await call(emulator, 'PATCH', `/_emulator/customers/USRT/${account}`, {
      body: { PersonLastName: 'Mulder' },
    });
    await waitFor(() => received.length === 3, 'three deliveries');
    const { raised } = await state();
    expect(raised.map((e) => [e.operation, e.cause])).toEqual([
      ['Create', 'odata'],
      ['Update', 'odata'],
      ['Update', 'operator'],
    ]);
    const bodies = [...received].sort((a, b) => Number(a.body.ControlNumber) - Number(b.body.ControlNumber));
    expect(bodies.map((r) => [r.body.PersonFirstName, r.body.PersonLastName])).toEqual([
      ['Dana', 'Scully'],
      ['Fox', 'Scully'],
      ['Fox', 'Mulder'],
    ]);
    expect(bodies[2]!.body).toMatchObject({
      BusinessEventId: 'CustomersV3_Update',
      BusinessEventLegalEntity: 'USRT',
      EventId: raised[2]!.eventId,
      dataAreaId: 'usrt',
      CustomerAccount: account,
      MajorVersion: 0,
      MinorVersion: 0,
    });
    expect(String(bodies[2]!.body.EventTime)).toMatch(/^\/Date\(\d+\)\/$/);
    expect(bodies[2]!.url).toBe('/api/d365/data-events?code=k1');
    expect(bodies[2]!.headers['x-extra']).toBe('v');
  });

  it('raises nothing in a legal entity the events are not activated in, nor for an operation not activated', async () => {
    await configure({ endpoint: receiverUrl, legalEntities: ['USMF'], operations: ['Update'] });
    await create('USRT');
    await create('USMF');
    expect((await state()).raised).toHaveLength(0);
    expect(received).toHaveLength(0);
  });

  it('repeats every event with duplicate: 1 (same EventId) and sends none with drop: 1', async () => {
    await configure({ endpoint: receiverUrl, faults: { duplicate: 1 } });
    await create();
    await waitFor(() => received.length === 2, 'two deliveries');
    expect(received[0]!.body.EventId).toBe(received[1]!.body.EventId);
    received.length = 0;
    await configure({ endpoint: receiverUrl, faults: { drop: 1 } });
    await create();
    const { raised } = await state();
    expect(raised.at(-1)!.dropped).toBe(true);
    expect(received).toHaveLength(0);
  });

  it('refuses settings it cannot use', async () => {
    expect((await configure({ endpoint: 'ftp://x' })).status).toBe(400);
    expect((await configure({ endpoint: receiverUrl, faults: { drop: 2 } })).status).toBe(400);
  });
});
