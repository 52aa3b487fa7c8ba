import { TableClient } from '@azure/data-tables';
import { emulatorVault } from '../../dev/local-stack/emulator-clients';
import { FleetStack, startFleetStack } from '../../dev/local-stack/fleet-stack';
import { compliance, createBody, shopCustomer, valuesOf } from '../support/shopify-privacy';
import { postRaw, shopifyHeaders } from '../support/webhooks';

/**
 * Privacy on a fleet (issue 27, "Done when"): three hosts on one storage account. 21 Shopify
 * customers come in through signed webhooks spread over the hosts; one of them is redacted by 10
 * copies of Shopify's `customers/redact` sent at once to the three hosts — at the same moment as a
 * redelivery of that customer's own create. The copies are one request, worked once; the customer
 * is created once in D365; a scan of every table and queue finds none of its values and every value
 * of the 20 others.
 */
const SHOP = 'privacy-fleet.myshopify.com';
const SECRET = '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';
const HOSTS = 3;
const OTHERS = 20;

let stack: FleetStack;
let links: TableClient;

beforeAll(async () => {
  stack = await startFleetStack({
    hosts: HOSTS,
    settings: { PRIVACY_SETTLE_SECONDS: '2' },
    emulatorSettings: () => ({
      WEBHOOK_SOURCES: JSON.stringify([
        {
          kind: 'shopify',
          name: 'fleet-privacy',
          shopDomain: SHOP,
          secretName: 'webhook-fleet-privacy',
          legalEntity: 'USRT',
          currency: 'USD',
        },
      ]),
    }),
  });
  await emulatorVault(stack.emulator.url).setSecret('webhook-fleet-privacy', SECRET);
  links = TableClient.fromConnectionString(stack.env.AzureWebJobsStorage!, stack.env.LINK_TABLE_NAME!, {
    allowInsecureConnection: true,
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

const send = (host: number, topic: string, body: string) =>
  postRaw(
    `${stack.url(host)}/api/webhooks/shopify`,
    body,
    shopifyHeaders(body, { topic, shop: SHOP, secret: SECRET }),
  );

async function everythingStored(): Promise<string> {
  const parts: string[] = [];
  for (const table of [stack.table, links])
    for await (const row of table.listEntities()) parts.push(JSON.stringify(row));
  for (const queue of [stack.queue]) {
    const peeked = await queue.peekMessages({ numberOfMessages: 32 });
    for (const m of peeked.peekedMessageItems)
      parts.push(Buffer.from(m.messageText, 'base64').toString('utf8'));
  }
  return parts.join('\n');
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: still not done ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('privacy requests on a fleet of three hosts', () => {
  it('ten concurrent redacts racing the customer\u2019s create: one request, the customer created once, nothing of it left, all of 20 others kept', async () => {
    const others = Array.from({ length: OTHERS }, (_, i) => shopCustomer('a', i));
    const gone = shopCustomer('b', 0);
    // The others and the subject's first delivery, spread over the hosts.
    const accepted = await Promise.all(
      [...others, gone].map((c, i) => send(i % HOSTS, 'customers/create', createBody(c))),
    );
    expect(accepted.map((a) => a.status)).toEqual(accepted.map(() => 202));
    // The redact, ten times at once on three hosts, beside a redelivery of the subject's create.
    const redact = compliance('shopify-customers-redact.json', SHOP, gone);
    const [redelivered, ...answers] = await Promise.all([
      send(0, 'customers/create', createBody(gone)),
      ...Array.from({ length: 10 }, (_, i) => send(i % HOSTS, 'customers/redact', redact)),
    ]);
    expect([200, 202]).toContain(redelivered!.status);
    const ids = new Set(answers.map((a) => (a.json as { id: string }).id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    const statusUrl = `${stack.url(1)}/api/privacy/requests/${[...ids][0]}`;
    const done = await until(
      'the erasure',
      async () =>
        (await (await fetch(statusUrl)).json()) as { status: string; erased?: Record<string, number> },
      (answer) => ['succeeded', 'failed', 'needs_review'].includes(answer.status),
    );
    expect(done.status).toBe('succeeded');
    expect(done.erased?.customerLinks).toBe(1);
    // Every create ended (the redelivery too) and nothing more is queued.
    await until(
      'the creates',
      async () => {
        const rows: string[] = [];
        for await (const row of stack.table.listEntities<{ status: string; kind?: string }>())
          if (!row.partitionKey?.startsWith('~') && !row.kind) rows.push(row.status);
        return rows;
      },
      (rows) =>
        rows.length >= OTHERS + 1 && rows.every((s) => ['succeeded', 'failed', 'needs_review'].includes(s)),
    );
    // The subject exists once in D365 (the redact does not undo a create: report is the default).
    const inD365 = (await stack.customers()).filter((c) => JSON.stringify(c.fields).includes(gone.email));
    expect(inD365).toHaveLength(1);
    const stored = await everythingStored();
    const left = [...valuesOf(gone), gone.id].filter((value) => stored.includes(value));
    expect(left).toEqual([]);
    const missing = others.flatMap((c) => [c.id]).filter((value) => !stored.includes(value));
    expect(missing).toEqual([]);
  }, 300_000);
});
