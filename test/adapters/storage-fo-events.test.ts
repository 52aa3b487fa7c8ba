import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import {
  storageFoEventQueue,
  tableFoApplyStates,
  tableFoEventLedger,
} from '../../shared/adapters/storage-fo-events';
import { FoEventChange, pointerTo } from '../../shared/domain/fo-events/event-message';

// F&O data events' rows and queue against Azurite (started by the global setup), with the real SDKs:
// an erasure deletes one customer's rows (changes and state) and no other's, retention deletes the
// rows past their time, and a message names the event only and expires.
const connection = process.env.TEST_STORAGE_CONNECTION_STRING!;
const table = TableClient.fromConnectionString(connection, `foevents${randomBytes(4).toString('hex')}`, {
  allowInsecureConnection: true,
});
const queue = new QueueClient(connection, `fo-events-${randomBytes(4).toString('hex')}`);
const ledger = tableFoEventLedger(async () => table);
const states = tableFoApplyStates(async () => table);

const change = (eventId: string, customerAccount: string, receivedAt: string): FoEventChange => ({
  v: 1,
  eventId,
  controlNumber: 1,
  eventTime: receivedAt,
  operation: 'Update',
  legalEntity: 'USRT',
  customerAccount,
  source: 'shop-a',
  sourceCustomerId: '42',
  record: { PersonFirstName: 'Jane', PrimaryContactEmail: 'jane@example.com' },
  receivedAt,
});
const eventIds = async (): Promise<string[]> => {
  const ids: string[] = [];
  for await (const row of table.listEntities()) ids.push(row.partitionKey!);
  return ids.filter((id) => !id.startsWith('cust-')).sort();
};

beforeAll(async () => {
  await table.createTable();
  await queue.create();
});

afterAll(async () => {
  await table.deleteTable();
  await queue.delete();
});

describe('F&O data events in Storage', () => {
  it("an erasure deletes one customer's event rows and state row, and no other customer's", async () => {
    const at = '2026-12-07T10:00:00.000Z';
    for (const [id, account] of [
      ['ev-a1', 'US-A'],
      ['ev-a2', 'US-A'],
      ['ev-b1', 'US-B'],
    ] as const)
      expect(await ledger.claim(id, at, change(id, account, at))).toBe(true);
    expect(await ledger.claim('ev-a1', at, change('ev-a1', 'US-A', at))).toBe(false);
    for (const account of ['US-A', 'US-B'])
      expect(await states.save('USRT', account, { stamps: {} })).toBeTruthy();
    expect(await ledger.get('ev-a1')).toMatchObject({
      customerAccount: 'US-A',
      record: { PersonFirstName: 'Jane' },
    });

    expect(await ledger.forgetCustomer('usrt', 'US-A')).toBe(3);
    expect(await eventIds()).toEqual(['ev-b1']);
    expect(await ledger.get('ev-a1')).toBeUndefined();
    expect((await states.get('USRT', 'US-A')).etag).toBeUndefined();
    expect((await states.get('USRT', 'US-B')).etag).toBeDefined();
    expect(await ledger.forgetCustomer('USRT', 'US-A')).toBe(0);
    await ledger.forgetCustomer('USRT', 'US-B');
  });

  it('retention deletes the event rows received before the cutoff, at most `limit` a call; state rows stay', async () => {
    for (let i = 0; i < 3; i += 1) await ledger.claim(`old-${i}`, '2026-11-01T00:00:00.000Z');
    await ledger.claim('new', '2026-11-30T00:00:00.000Z', change('new', 'US-C', '2026-11-30T00:00:00.000Z'));
    await states.save('USRT', 'US-C', { stamps: {} });
    expect(await ledger.deleteReceivedBefore('2026-11-23T00:00:00.000Z', 2)).toBe(2);
    expect(await ledger.deleteReceivedBefore('2026-11-23T00:00:00.000Z', 2)).toBe(1);
    expect(await eventIds()).toEqual(['new']);
    expect((await states.get('USRT', 'US-C')).etag).toBeDefined();
  });

  it('a queue message names the event only and lives the retention', async () => {
    await storageFoEventQueue(async () => queue, 7 * 86_400).send(
      pointerTo(change('ev-q', 'US-Q', '2026-12-07T10:00:00.000Z')),
    );
    const [item] = (await queue.peekMessages()).peekedMessageItems;
    expect(JSON.parse(Buffer.from(item!.messageText, 'base64').toString('utf8'))).toEqual({
      v: 2,
      eventId: 'ev-q',
      receivedAt: '2026-12-07T10:00:00.000Z',
    });
    expect((item!.expiresOn.getTime() - item!.insertedOn.getTime()) / 1000).toBe(7 * 86_400);
  });
});
