import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { decodeFoEventMessage, FoEventQueueMessage } from '../../shared/domain/fo-events/event-message';
import { AppStack, startAppStack } from '../support/app-stack';
import {
  freshShopify,
  plantWebhookSecrets,
  postRaw,
  shopifyHeaders,
  WEBHOOK_SOURCES,
} from '../support/webhooks';

/**
 * F&O data events through Azure Event Grid (issue 29, FO_EVENTS_DELIVERY=eventGrid) on the real
 * host, Azurite and the emulator: the Event Grid function `foEventGrid` is called at the extension's
 * webhook with the `eventgrid_extension` system key, as a subscription calls it; the F&O event is
 * the Event Grid event's `data` (JSON text, as F&O publishes it). Same use-case as the HTTPS intake:
 * queued once however often it comes, events it cannot use acknowledged, nothing personal queued.
 */
const SYSTEM_KEY = 'fo-event-grid-system-key-0123456789abcdef';
let stack: AppStack;
let foQueue: QueueClient;
let links: TableClient;

const webhook = (code?: string) =>
  `${stack.url}/runtime/webhooks/eventgrid?functionName=foEventGrid${code === undefined ? '' : `&code=${code}`}`;

async function queued(): Promise<FoEventQueueMessage[]> {
  const peeked = await foQueue.peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems.map((item) =>
    decodeFoEventMessage(Buffer.from(item.messageText, 'base64').toString('utf8'))!,
  );
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

async function linkedShopCustomer(): Promise<{ legalEntity: string; account: string }> {
  const body = freshShopify();
  expect((await postRaw(`${stack.url}/api/webhooks/shopify`, body, shopifyHeaders(body))).status).toBe(202);
  const rows = await waitFor(
    'the link',
    async () => {
      const found: Record<string, unknown>[] = [];
      for await (const row of links.listEntities()) if (row.partitionKey?.startsWith('ref-')) found.push(row);
      return found.filter((row) => typeof row.customerAccount === 'string' && row.customerAccount !== '');
    },
    (found) => found.length === 1,
  );
  return { legalEntity: String(rows[0]!.legalEntity), account: String(rows[0]!.customerAccount) };
}

/** An Event Grid event (Event Grid schema) carrying an F&O data event as F&O publishes it. */
const gridEvent = (businessEvent: Record<string, unknown>) => ({
  id: String(businessEvent.EventId ?? 'x'),
  topic: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.EventGrid/topics/fo-events',
  subject: String(businessEvent.BusinessEventId ?? ''),
  eventType: String(businessEvent.BusinessEventId ?? ''),
  eventTime: new Date().toISOString(),
  data: JSON.stringify(businessEvent),
  dataVersion: '1.0',
  metadataVersion: '1',
});

const businessEvent = (
  customer: { legalEntity: string; account: string },
  overrides: Record<string, unknown> = {},
) => ({
  BusinessEventId: 'CustomersV3_Update',
  BusinessEventLegalEntity: customer.legalEntity,
  ControlNumber: 1,
  EventId: '7A2C1D0E-0000-4000-8000-00000000CD01',
  EventTime: `/Date(${Date.now()})/`,
  MajorVersion: 0,
  MinorVersion: 0,
  dataAreaId: customer.legalEntity.toLowerCase(),
  CustomerAccount: customer.account,
  PersonFirstName: 'Janet',
  ...overrides,
});

/** Delivers events as a subscription does; `code: null` sends no key. */
const notify = (events: unknown[], code: string | null = SYSTEM_KEY) =>
  postRaw(webhook(code ?? undefined), JSON.stringify(events), {
    'content-type': 'application/json',
    'aeg-event-type': 'Notification',
  });

beforeAll(async () => {
  stack = await startAppStack({
    settings: {
      WEBHOOK_SOURCES: JSON.stringify(WEBHOOK_SOURCES),
      FO_EVENTS_DELIVERY: 'eventGrid',
      DEV_SYSTEM_KEYS: JSON.stringify({ eventgrid_extension: SYSTEM_KEY }),
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
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('F&O data events through Event Grid', () => {
  it('answers the subscription validation handshake, and refuses a call without the system key', async () => {
    const validation = await postRaw(
      webhook(SYSTEM_KEY),
      JSON.stringify([
        {
          id: 'v1',
          topic: '/subscriptions/0',
          subject: '',
          eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
          eventTime: new Date().toISOString(),
          data: { validationCode: 'D9F1C6A0-1111-4222-8333-444455556666' },
          dataVersion: '2',
          metadataVersion: '1',
        },
      ]),
      { 'content-type': 'application/json', 'aeg-event-type': 'SubscriptionValidation' },
    );
    expect(validation.status).toBe(200);
    expect(validation.json).toEqual({ validationResponse: 'D9F1C6A0-1111-4222-8333-444455556666' });
    expect((await notify([])).status).toBe(202);
    expect((await notify([], null)).status).toBe(401);
    expect((await notify([], 'wrong-key')).status).toBe(401);
  });

  it("queues a linked shop customer's change once, though the event comes twice in one delivery and once more", async () => {
    const customer = await linkedShopCustomer();
    const event = gridEvent(businessEvent(customer));
    expect((await notify([event, event])).status).toBe(202);
    expect((await notify([event])).status).toBe(202);
    const messages = await queued();
    expect(messages).toHaveLength(1);
    // The message names the event only.
    expect(messages[0]).toEqual({
      v: 2,
      eventId: '7a2c1d0e-0000-4000-8000-00000000cd01',
      receivedAt: expect.any(String),
    });
  }, 120_000);

  it('acknowledges what it cannot use (unknown legal entity, no link, endpoint test, not an event) and queues nothing', async () => {
    const before = (await queued()).length;
    const nobody = { legalEntity: 'USRT', account: 'US-999999' };
    const answer = await notify([
      gridEvent(
        businessEvent(nobody, {
          BusinessEventLegalEntity: 'DEMF',
          dataAreaId: 'demf',
          EventId: '7A2C1D0E-0000-4000-8000-00000000CD02',
        }),
      ),
      gridEvent(businessEvent(nobody, { EventId: '7A2C1D0E-0000-4000-8000-00000000CD03' })),
      gridEvent({ BusinessEventId: 'BusinessEventsTestEndpointContract' }),
      { id: 'broken', eventType: 'x', subject: 'x', eventTime: new Date().toISOString(), data: '{not json' },
    ]);
    expect(answer.status).toBe(202);
    expect(await queued()).toHaveLength(before);
  });
});
