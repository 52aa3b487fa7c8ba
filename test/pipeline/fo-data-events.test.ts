import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import {
  decodeFoEventMessage,
  FoEventQueueMessage,
  parseFoEventChange,
} from '../../shared/domain/fo-events/event-message';
import { AppStack, startAppStack } from '../support/app-stack';
import {
  freshShopify,
  plantWebhookSecrets,
  postRaw,
  shopifyHeaders,
  WEBHOOK_SOURCES,
} from '../support/webhooks';

/**
 * F&O data events in (issue 29, slice 1) on the real host, Azurite and the emulator: an operator's
 * change to a linked shop customer in D365 raises a CustomersV3 data event that the emulator posts
 * to the app's endpoint with the function key as `?code=` (Dataverse's WebhookKey); the app queues
 * it once however often F&O repeats it; events it cannot use are acknowledged and queue nothing.
 */
const FUNCTION_KEY = 'fo-events-function-key-0123456789abcdef';
const GRID_SYSTEM_KEY = 'fo-events-grid-system-key-0123456789abcdef';
let stack: AppStack;
let foQueue: QueueClient;
let links: TableClient;
let foTable: TableClient;

const endpoint = (code?: string) =>
  `${stack.url}/api/d365/data-events${code === undefined ? '' : `?code=${encodeURIComponent(code)}`}`;

async function queued(): Promise<(FoEventQueueMessage & { ttlSeconds: number })[]> {
  const peeked = await foQueue.peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems.map((item) => ({
    ...decodeFoEventMessage(Buffer.from(item.messageText, 'base64').toString('utf8'))!,
    ttlSeconds: (item.expiresOn.getTime() - item.insertedOn.getTime()) / 1000,
  }));
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 45_000;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await read();
  }
  return last;
}

type Raised = { eventId: string; cause: string; deliveries: { lastResult: string; settled: boolean }[] };
const dataEvents = () =>
  stack.emulatorApi<{ raised: Raised[]; pending: number }>('GET', '/_emulator/data-events');

/** A shop customer created through Shopify's webhook, linked once its create succeeded. */
async function linkedShopCustomer(): Promise<{ legalEntity: string; account: string }> {
  const body = freshShopify();
  const answer = await postRaw(`${stack.url}/api/webhooks/shopify`, body, shopifyHeaders(body));
  expect(answer.status).toBe(202);
  const rows = await waitFor(
    'the link',
    async () => {
      const found: Record<string, unknown>[] = [];
      // The link's home row (`ref-…`); its account's row only points at it.
      for await (const row of links.listEntities()) if (row.partitionKey?.startsWith('ref-')) found.push(row);
      return found.filter((row) => typeof row.customerAccount === 'string' && row.customerAccount !== '');
    },
    (found) => found.length === 1,
  );
  return { legalEntity: String(rows[0]!.legalEntity), account: String(rows[0]!.customerAccount) };
}

const eventBody = (overrides: Record<string, unknown>) =>
  JSON.stringify({
    BusinessEventId: 'CustomersV3_Update',
    BusinessEventLegalEntity: 'USRT',
    ControlNumber: 1,
    EventId: '6F1C1D0E-0000-4000-8000-00000000AB01',
    EventTime: `/Date(${Date.now()})/`,
    MajorVersion: 0,
    MinorVersion: 0,
    dataAreaId: 'usrt',
    CustomerAccount: 'US-999999',
    ...overrides,
  });

beforeAll(async () => {
  stack = await startAppStack({
    settings: {
      WEBHOOK_SOURCES: JSON.stringify(WEBHOOK_SOURCES),
      DEV_FUNCTION_KEY: FUNCTION_KEY,
      // The Event Grid webhook's key, to show that foEventGrid is absent without FO_EVENTS_DELIVERY=eventGrid.
      DEV_SYSTEM_KEYS: JSON.stringify({ eventgrid_extension: GRID_SYSTEM_KEY }),
      // The shop update (its own test) stays off, so the queue keeps what the intake queued.
      'AzureWebJobs.applyFoEvent.Disabled': 'true',
    },
  });
  await plantWebhookSecrets(stack.emulator.url);
  const connection = String(stack.env.AzureWebJobsStorage);
  foQueue = new QueueClient(connection, String(stack.env.FO_EVENTS_QUEUE_NAME));
  await foQueue.createIfNotExists();
  links = TableClient.fromConnectionString(connection, String(stack.env.LINK_TABLE_NAME), {
    allowInsecureConnection: true,
  });
  foTable = TableClient.fromConnectionString(connection, String(stack.env.FO_EVENTS_TABLE_NAME), {
    allowInsecureConnection: true,
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('F&O data events in', () => {
  it("queues an operator's change to a linked shop customer once, though F&O sends it twice", async () => {
    const customer = await linkedShopCustomer();
    await stack.emulatorApi('PUT', '/_emulator/data-events', {
      endpoint: endpoint(FUNCTION_KEY),
      faults: { duplicate: 1 },
    });
    await stack.emulatorApi('PATCH', `/_emulator/customers/${customer.legalEntity}/${customer.account}`, {
      PersonFirstName: 'Janet',
    });
    const events = await waitFor(
      'the deliveries',
      dataEvents,
      (answer) => answer.raised.length === 1 && answer.pending === 0,
    );
    expect(events.raised[0]!.cause).toBe('operator');
    // Both copies were acknowledged (2xx), so F&O retries neither.
    expect(events.raised[0]!.deliveries.map((d) => d.lastResult).sort()).toEqual(['200', '202']);
    const messages = await queued();
    expect(messages).toHaveLength(1);
    const eventId = events.raised[0]!.eventId.toLowerCase();
    // The message names the event and expires (FO_EVENTS_RETENTION_DAYS, 7 by default); nothing personal.
    expect(messages[0]).toEqual({
      v: 2,
      eventId,
      receivedAt: expect.any(String),
      ttlSeconds: 7 * 86_400,
    });
    // The change is in the event's row: the mapped fields of the record only.
    const row = await foTable.getEntity<{ change: string; customer: string }>(eventId, '');
    const change = parseFoEventChange(row.change);
    expect(change).toMatchObject({
      eventId,
      operation: 'Update',
      legalEntity: customer.legalEntity,
      customerAccount: customer.account,
      source: 'test-shopify',
      record: { PersonFirstName: 'Janet' },
    });
    expect(change!.record).not.toHaveProperty('CustomerAccount');
    await stack.emulatorApi('PUT', '/_emulator/data-events', { endpoint: null });
  }, 120_000);

  it('acknowledges events it cannot use (unknown legal entity, no link, endpoint test) and queues nothing', async () => {
    const before = (await queued()).length;
    const headers = { 'content-type': 'application/json' };
    const cases: [string, string][] = [
      [eventBody({ BusinessEventLegalEntity: 'DEMF', dataAreaId: 'demf' }), 'unknown-legal-entity'],
      [eventBody({ EventId: '6F1C1D0E-0000-4000-8000-00000000AB02' }), 'no-link'],
      [JSON.stringify({ BusinessEventId: 'BusinessEventsTestEndpointContract' }), 'endpoint-test'],
    ];
    for (const [body, reason] of cases) {
      const answer = await postRaw(endpoint(FUNCTION_KEY), body, headers);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ status: 'ignored', reason });
    }
    expect(await queued()).toHaveLength(before);
  });

  it('refuses a delivery without the function key (401) and an invalid event (400 with pointers)', async () => {
    const before = (await queued()).length;
    const headers = { 'content-type': 'application/json' };
    expect((await postRaw(endpoint(), eventBody({}), headers)).status).toBe(401);
    expect((await postRaw(endpoint('wrong-key'), eventBody({}), headers)).status).toBe(401);
    const invalid = await postRaw(
      endpoint(FUNCTION_KEY),
      eventBody({ EventId: 'x', ControlNumber: 'y' }),
      headers,
    );
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((invalid.json.errors as { pointer: string }[]).map((e) => e.pointer).sort()).toEqual([
      '/ControlNumber',
      '/EventId',
    ]);
    expect(await queued()).toHaveLength(before);
  });

  it('has no Event Grid function with the default FO_EVENTS_DELIVERY (https): its webhook answers 404', async () => {
    const answer = await postRaw(
      `${stack.url}/runtime/webhooks/eventgrid?functionName=foEventGrid&code=${GRID_SYSTEM_KEY}`,
      '[]',
      { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
    );
    expect(answer.status).toBe(404);
  });
});
