import { silentLog } from '../../ports';
import type { ShopBulkStep, ShopClient } from '../../ports';
import type { BackfillMessage } from '../../domain/backfill';
import { memoryBackfillJobs } from '../../../test/support/memory-backfill-jobs';
import { UNIT_SHOPIFY_SOURCE } from '../../../test/support/unit-shop-source';
import { memoryStatusStore } from '../../../test/support/memory-status-store';
import { memoryCustomerLinks } from '../../../test/support/memory-customer-links';
import { testKeyCorrelation } from '../../../test/support/correlation-key';
import { processBackfillPage, BackfillPageDeps } from './backfill-page';
import { startBackfill } from './start-backfill';

/**
 * A backfill read through a bulk operation (`read: "bulk"`, issue 30): while the operation runs the
 * job keeps its page number and saves the operation's cursor, the same page coming back after the
 * wait; pages of its file then count as pages; an operation that ended without data fails the job;
 * a shop without bulk reads is refused at the start.
 */
const SOURCE = UNIT_SHOPIFY_SOURCE;

const customer = (i: number) => ({
  id: String(9000 + i),
  email: `b${i}@example.com`,
  firstName: 'B',
  lastName: String(i),
  phone: null,
  updatedAt: '2026-12-01T00:00:00Z',
  account: null,
});

function app(steps: ShopBulkStep[], bulk = true) {
  const jobs = memoryBackfillJobs();
  const links = memoryCustomerLinks();
  const sent: { message: BackfillMessage; delaySeconds?: number }[] = [];
  const cursors: (string | undefined)[] = [];
  const client: ShopClient = {
    kind: bulk ? 'shopify' : 'bigcommerce',
    getCustomer: async () => undefined,
    listCustomers: async () => ({ customers: [] }),
    ...(bulk && {
      listCustomersInBulk: async ({ cursor }: { cursor?: string }) => {
        cursors.push(cursor);
        return steps.shift() ?? { kind: 'failed', reason: 'no more steps' };
      },
    }),
    updateCustomer: async () => ({ kind: 'written', changed: true }),
    writeAccount: async () => ({ kind: 'written', changed: true }),
  };
  const deps: BackfillPageDeps = {
    backfillJobs: jobs,
    backfillQueue: { send: async (message, o) => void sent.push({ message, delaySeconds: o?.delaySeconds }) },
    shopClients: { forSource: () => client },
    links,
    webhookSources: [SOURCE],
    accept: {
      statusStore: memoryStatusStore(),
      queue: { send: async () => undefined },
      telemetry: { trackEvent: () => {}, trackMetric: () => {} },
      log: silentLog,
      target: 'custom-service',
      defaultCustomerGroup: '30',
      ...testKeyCorrelation(),
      links,
    },
    customerQueueDepth: async () => 0,
    pageSize: 2,
    maxBacklog: 10,
    retry: { baseSeconds: 2, maxDelaySeconds: 300, maxAttempts: 3, maxTotalSeconds: 3600 },
    telemetry: { trackEvent: () => {}, trackMetric: () => {} },
    log: silentLog,
  };
  const start = () =>
    startBackfill({ source: 'shop', read: 'bulk' }, 'master-key', {
      backfillJobs: jobs,
      backfillQueue: deps.backfillQueue,
      shopClients: deps.shopClients,
      log: silentLog,
    });
  const drain = async () => {
    for (let next = sent.shift(); next; next = sent.shift()) await processBackfillPage(next.message, deps);
  };
  return { jobs, sent, cursors, start, drain, deps };
}

describe('a backfill read through a bulk operation', () => {
  it('waits while the operation runs (same page, its cursor saved), then reads its file page by page', async () => {
    const a = app([
      { kind: 'running', cursor: 'bulk:7', retryAfterSeconds: 2 },
      { kind: 'running', cursor: 'bulk:7', retryAfterSeconds: 2 },
      { kind: 'page', page: { customers: [customer(1), customer(2)], nextCursor: 'bulk:7:300', total: 3 } },
      { kind: 'page', page: { customers: [customer(3)], total: 3 } },
    ]);
    const started = await a.start();
    if (started.kind !== 'started') throw new Error(started.kind);
    expect(started.job.read).toBe('bulk');
    const delays: (number | undefined)[] = [];
    for (let next = a.sent.shift(); next; next = a.sent.shift()) {
      delays.push(next.delaySeconds);
      await processBackfillPage(next.message, a.deps);
    }
    // The operation's reads come back after its wait; the file's pages go on at once.
    expect(delays).toEqual([undefined, 2, 2, undefined]);
    expect(a.cursors).toEqual([undefined, 'bulk:7', 'bulk:7', 'bulk:7:300']);
    const job = a.jobs.rows.get(started.job.jobId)!;
    expect(job).toMatchObject({ state: 'done', page: 2, total: 3, read: 'bulk' });
    expect(job.counts).toMatchObject({ found: 3, queued: 3 });
  });

  it('fails the job when the operation ended without data', async () => {
    const a = app([
      { kind: 'running', cursor: 'bulk:8', retryAfterSeconds: 2 },
      { kind: 'failed', reason: 'The bulk operation ended FAILED.' },
    ]);
    const started = await a.start();
    await a.drain();
    if (started.kind !== 'started') throw new Error(started.kind);
    expect(a.jobs.rows.get(started.job.jobId)).toMatchObject({
      state: 'failed',
      error: 'The bulk operation ended FAILED.',
      page: 0,
    });
  });

  it('a second delivery that started another operation loses on the ETag and queues nothing', async () => {
    const a = app([
      { kind: 'running', cursor: 'bulk:9', retryAfterSeconds: 2 },
      { kind: 'running', cursor: 'bulk:10', retryAfterSeconds: 2 },
    ]);
    const started = await a.start();
    if (started.kind !== 'started') throw new Error(started.kind);
    const [first] = a.sent.splice(0);
    // Both copies read the job before either saved.
    const stale = (await a.jobs.get(started.job.jobId))!;
    await processBackfillPage(first!.message, a.deps);
    const get = a.deps.backfillJobs.get;
    a.deps.backfillJobs.get = async () => stale;
    expect(await processBackfillPage(first!.message, a.deps)).toEqual({ kind: 'done' });
    a.deps.backfillJobs.get = get;
    expect(a.jobs.rows.get(started.job.jobId)!.cursor).toBe('bulk:9');
    expect(a.sent).toHaveLength(1);
  });

  it('refuses `read: "bulk"` for a shop without bulk reads', async () => {
    expect(await app([], false).start()).toEqual({ kind: 'bulk-unsupported' });
  });
});
