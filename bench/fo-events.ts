import { loadavg } from 'node:os';
import { QueueClient } from '@azure/storage-queue';
import { FleetStack, startFleetStack } from '../dev/local-stack/fleet-stack';
import { emulatorVault } from '../dev/local-stack/emulator-clients';
import { waitForQuiet } from './cpu';
import { BenchOptions } from './options';
import { sleep } from './http-client';

/**
 * Issue 29: D365 changes to the shop. N customers made in an emulated Shopify shop are created and
 * linked in D365 through its webhook (one host, its own Azurite and emulator, `--fo-events-customers`),
 * and their account written back. Then F&O data events are switched on (no faults) and an operator
 * changes both names of every one of them in D365 (`PATCH /_emulator/customers/…`, one after the
 * other). Measured: from the first operator change to the last shop write (the emulated shop records
 * when each Admin API write fired its `customers/update`): machine-bound, a figure of this machine;
 * and the counts, which are not: shop writes and fields written (= N × 2), echoes back to D365
 * (PATCHes after the shop's `customers/update` of our write: 0), echoes back to the shop (writes
 * beyond one per customer: 0).
 */
export interface FoEventsResult {
  customers: number;
  changedFields: number;
  hosts: number;
  loadAverage: number[];
  /** First operator change → last shop write (ms), and the time to make the N changes. */
  lastShopWriteMs: number;
  operatorChangesMs: number;
  /** Each changed customer's first operator change → its shop write (ms). */
  perCustomerMs: { p50: number; p95: number; max: number };
  shopWrites: number;
  fieldsWritten: number;
  /** Writes beyond one per customer (an event written twice, or our own write's echo written back). */
  echoesToShop: number;
  /** D365 PATCHes after the changes (the shop's `customers/update` of our writes sent back). */
  echoesToD365: number;
  dataEvents: number;
  machineBound: true;
}

const SHOP = 'bench-fo.myshopify.com';
const SHOP_TOKEN = 'shpat_bench_fo_0001';
const SHOP_SECRET = 'shpss_bench_fo_0123456789abcdef01234567';
const SOURCE = 'bench-fo';
const FUNCTION_KEY = 'bench-fo-function-key-0123456789abcdef';

type ShopReport = {
  customers: { id: string; first_name: string; last_name: string }[];
  deliveries: {
    pending: number;
    value: { topic: string; cause: string; customerId: string; createdAt: string }[];
  };
};
type D365Row = { account: string; legalEntity: string; fields: Record<string, unknown> };

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`fo-events: timed out waiting for ${what}`);
    await sleep(250);
  }
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

async function setUp(stack: FleetStack): Promise<void> {
  const vault = emulatorVault(stack.emulator.url);
  await vault.setSecret('webhook-bench-fo', SHOP_SECRET);
  await vault.setSecret('shopify-admin-bench-fo', SHOP_TOKEN);
  await stack.emulatorApi('PUT', `/_emulator/shopify/shops/${SHOP}`, {
    plan: 'advanced',
    apps: [
      {
        token: SHOP_TOKEN,
        clientSecret: SHOP_SECRET,
        webhooks: ['customers/create', 'customers/update'].map((topic) => ({
          topic,
          address: `${stack.url(0)}/api/webhooks/shopify`,
        })),
      },
    ],
  });
}

export async function runFoEvents(
  options: BenchOptions,
  log: (line: string) => void,
): Promise<FoEventsResult> {
  const n = options.foEventsCustomers;
  const fieldsWrittenLines: string[] = [];
  const stack = await startFleetStack({
    hosts: 1,
    onLine: (_host, line) => {
      if (line.includes('fo_event.applied ')) fieldsWrittenLines.push(line);
    },
    settings: { DEV_FUNCTION_KEY: FUNCTION_KEY },
    emulatorSettings: (url) => ({
      WEBHOOK_SOURCES: JSON.stringify([
        {
          kind: 'shopify',
          name: SOURCE,
          shopDomain: SHOP,
          secretName: 'webhook-bench-fo',
          adminApiTokenSecretName: 'shopify-admin-bench-fo',
          adminApiUrl: `${url}/shopify/${SHOP}`,
          legalEntity: 'USRT',
          currency: 'USD',
        },
      ]),
    }),
  });
  try {
    await setUp(stack);
    const shop = () => stack.emulatorApi<ShopReport>('GET', `/_emulator/shopify/shops/${SHOP}`);
    const apiWrites = async () => (await shop()).deliveries.value.filter((d) => d.cause === 'api');
    const patches = async () =>
      (
        await stack.emulatorApi<{ value: { method: string }[] }>('GET', '/_emulator/requests?service=d365')
      ).value.filter((r) => r.method === 'PATCH').length;
    const queue = new QueueClient(
      String(stack.env.AzureWebJobsStorage),
      String(stack.env.FO_EVENTS_QUEUE_NAME),
    );
    await queue.createIfNotExists();
    log(`fo-events: ${n} shop customers, created and linked in D365`);
    const made: string[] = [];
    for (let i = 0; i < n; i += 1)
      made.push(
        (
          await stack.emulatorApi<{ id: string }>('POST', `/_emulator/shopify/shops/${SHOP}/customers`, {
            first_name: 'Bench',
            last_name: `Fo${i}`,
            email: `bench.fo.${i}@example.com`,
          })
        ).id,
      );
    await until(
      'the write-backs',
      async () => {
        const written = new Set((await apiWrites()).map((d) => d.customerId));
        const report = await shop();
        return made.every((id) => written.has(id)) && report.deliveries.pending === 0 ? true : undefined;
      },
      600_000,
    );
    const baseline = (await apiWrites()).length;
    const patchesBefore = await patches();
    const rows = (await stack.emulatorApi<{ value: D365Row[] }>('GET', '/_emulator/customers')).value;
    await stack.emulatorApi('PUT', '/_emulator/data-events', {
      endpoint: `${stack.url(0)}/api/d365/data-events?code=${FUNCTION_KEY}`,
    });
    await waitForQuiet(log);
    log(`fo-events: an operator changes both names of ${rows.length} customers in D365`);
    const changedAt: number[] = [];
    const started = Date.now();
    for (const [i, row] of rows.entries()) {
      changedAt[i] = Date.now();
      await stack.emulatorApi('PATCH', `/_emulator/customers/${row.legalEntity}/${row.account}`, {
        PersonFirstName: `Changed${i}`,
        PersonLastName: `Operator${i}`,
      });
    }
    const operatorChangesMs = Date.now() - started;
    await until(
      'every change in the shop',
      async () => {
        const report = await shop();
        return report.customers.filter((c) => c.first_name.startsWith('Changed')).length === n
          ? true
          : undefined;
      },
      600_000,
    );
    // Settled: no data event, queued change or shop webhook on its way; then echoes would have shown.
    await until(
      'settled',
      async () => {
        const events = await stack.emulatorApi<{ pending: number }>('GET', '/_emulator/data-events');
        const depth = (await queue.getProperties()).approximateMessagesCount ?? 0;
        return events.pending === 0 && depth === 0 && (await shop()).deliveries.pending === 0
          ? true
          : undefined;
      },
      300_000,
    );
    await sleep(5000);
    const writes = (await apiWrites()).slice(baseline);
    // The shop customer's new first name says which change it was (`Changed<i>`: the i-th row).
    const nameOf = new Map((await shop()).customers.map((c) => [c.id, c.first_name]));
    const latencies = writes
      .map(
        (w) => Date.parse(w.createdAt) - (changedAt[Number(nameOf.get(w.customerId)?.slice(7))] ?? started),
      )
      .sort((a, b) => a - b);
    const last = Math.max(...writes.map((w) => Date.parse(w.createdAt)));
    const fieldsWritten = fieldsWrittenLines.reduce(
      (sum, line) => sum + (/reason=([\w,]+)/.exec(line)?.[1]?.split(',').length ?? 0),
      0,
    );
    const result: FoEventsResult = {
      customers: n,
      changedFields: 2,
      hosts: 1,
      loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
      lastShopWriteMs: last - started,
      operatorChangesMs,
      perCustomerMs: {
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        max: latencies.at(-1) ?? 0,
      },
      shopWrites: writes.length,
      fieldsWritten,
      echoesToShop: writes.length - n,
      echoesToD365: (await patches()) - patchesBefore,
      dataEvents: (await stack.emulatorApi<{ raised: unknown[] }>('GET', '/_emulator/data-events')).raised
        .length,
      machineBound: true,
    };
    log(
      `fo-events: last shop write ${result.lastShopWriteMs} ms after the first change; ${result.shopWrites} writes, ${fieldsWritten} fields, echoes to the shop ${result.echoesToShop}, to D365 ${result.echoesToD365}`,
    );
    return result;
  } finally {
    await stack.stop();
  }
}
