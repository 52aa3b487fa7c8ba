import { ShopAccessError } from '../../ports';
import type { CustomerLink } from '../../ports';
import type { BackfillMessage } from '../../domain/backfill';
import type { ShopClient, ShopCustomer, ShopCustomerPage } from '../../ports';
import { silentLog } from '../../ports';
import { memoryBackfillJobs } from '../../../test/support/memory-backfill-jobs';
import { UNIT_SHOPIFY_SOURCE } from '../../../test/support/unit-shop-source';
import { memoryStatusStore } from '../../../test/support/memory-status-store';
import { memoryCustomerLinks } from '../../../test/support/memory-customer-links';
import { transient } from '../../domain/failure';
import { processBackfillPage, BackfillPageDeps } from './backfill-page';
import { startBackfill } from './start-backfill';
import { testKeyCorrelation } from '../../../test/support/correlation-key';

const SOURCE = UNIT_SHOPIFY_SOURCE;

const customer = (i: number, extra: Partial<ShopCustomer> = {}): ShopCustomer => ({
  id: String(7000 + i),
  email: `c${i}@example.com`,
  firstName: 'C',
  lastName: String(i),
  phone: null,
  updatedAt: '2026-12-01T00:00:00Z',
  account: null,
  verifiedEmail: true,
  ...extra,
});

/** Outside a dry run, no lookups are counted. */
const NO_LOOKUPS = { wouldCreate: 0, wouldLinkByEmail: 0, wouldLinkByNameAndPhone: 0, wouldReview: 0 };

type GateState = { slots: number; held: number; pausedUntil: number };

function app(pages: ShopCustomer[][], options: { backlog?: number; gate?: GateState } = {}) {
  const statusStore = memoryStatusStore();
  const links = memoryCustomerLinks();
  const jobs = memoryBackfillJobs();
  const sent: { message: BackfillMessage; delaySeconds?: number }[] = [];
  const queued: unknown[] = [];
  const listed: (string | undefined)[] = [];
  let fail: Error | undefined;
  const client: ShopClient = {
    kind: 'shopify',
    getCustomer: async () => undefined,
    listCustomers: async ({ cursor }): Promise<ShopCustomerPage> => {
      listed.push(cursor);
      if (fail) throw fail;
      const index = Number(cursor ?? 0);
      return {
        customers: pages[index] ?? [],
        ...(index + 1 < pages.length && { nextCursor: String(index + 1) }),
      };
    },
    updateCustomer: async () => ({ kind: 'written', changed: true }),
    writeAccount: async () => ({ kind: 'written', changed: true }),
  };
  const deps: BackfillPageDeps = {
    backfillJobs: jobs,
    backfillQueue: { send: async (message, o) => void sent.push({ message, delaySeconds: o?.delaySeconds }) },
    shopClients: { forSource: (name) => (name === 'shop' ? client : undefined) },
    links,
    webhookSources: [SOURCE],
    accept: {
      statusStore,
      queue: { send: async (message) => void queued.push(message) },
      telemetry: { trackEvent: () => {}, trackMetric: () => {} },
      log: silentLog,
      target: 'custom-service',
      defaultCustomerGroup: '30',
      ...testKeyCorrelation(),
      links,
    },
    customerQueueDepth: async () => options.backlog ?? 0,
    pageSize: 2,
    maxBacklog: 10,
    ...(options.gate && {
      gate: { room: { read: async () => ({ instances: 1, ...options.gate! }) }, reserveSlots: 1 },
    }),
    retry: { baseSeconds: 2, maxDelaySeconds: 300, maxAttempts: 3, maxTotalSeconds: 3600 },
    telemetry: { trackEvent: () => {}, trackMetric: () => {} },
    log: silentLog,
  };
  const start = async (dryRun = false) => {
    const started = await startBackfill({ source: 'shop', dryRun }, 'master-key', {
      backfillJobs: jobs,
      backfillQueue: deps.backfillQueue,
      shopClients: deps.shopClients,
      log: silentLog,
    });
    if (started.kind !== 'started') throw new Error(started.kind);
    return started.job.jobId;
  };
  /** Delivers queued page messages until none is left (each once, as the queue would). */
  const drain = async () => {
    for (let next = sent.shift(); next; next = sent.shift()) await processBackfillPage(next.message, deps);
  };
  return {
    deps,
    jobs,
    sent,
    queued,
    listed,
    links,
    statusStore,
    start,
    drain,
    failWith: (e?: Error) => (fail = e),
  };
}

describe('a backfill page', () => {
  it('sends every customer not yet linked through the intake, page by page, and ends done with the counts', async () => {
    const a = app([[customer(1), customer(2, { account: 'USRT/US-1' })], [customer(3)]]);
    const jobId = await a.start();
    await a.drain();
    const job = a.jobs.rows.get(jobId)!;
    expect(job).toMatchObject({ state: 'done', page: 2 });
    expect(job.counts).toEqual({
      ...NO_LOOKUPS,
      found: 3,
      queued: 2,
      replayed: 0,
      skippedLinked: 1,
      unmappable: 0,
    });
    expect(a.queued).toHaveLength(2);
    expect(a.listed).toEqual([undefined, '1']);
    // Each is a shop customer's request, keyed by the source and its ID.
    const sources = [...a.statusStore.records.values()].map((r) => [r.source, r.sourceCustomerId]);
    expect(sources.sort()).toEqual([
      ['shop', '7001'],
      ['shop', '7003'],
    ]);
    // Bulk work: each yields to live requests (fair sharing).
    expect([...a.statusStore.records.values()].map((r) => r.priority)).toEqual(['background', 'background']);
  });

  it("carries a Shopify customer's addresses, the default first, and reads its phone in that country", async () => {
    const home = {
      street1: '1 Main St',
      city: 'Toronto',
      state: 'ON',
      postalCode: 'M5V 2T6',
      countryAlpha2: 'CA',
    };
    const other = {
      street1: '9 Side Rd',
      city: 'Seattle',
      state: 'WA',
      postalCode: '98101',
      countryAlpha2: 'US',
    };
    // The page lists the default first (the Shopify client orders them by `defaultAddress`).
    const a = app([[customer(1, { phone: '416 555 0100', addresses: [home, other] })]]);
    await a.start();
    await a.drain();
    const [record] = [...a.statusStore.records.values()];
    const body = JSON.parse(record!.payload!) as {
      Customer: { ContactNumber?: string; BillingAddress?: { City: string; PrimaryAddress: string }[] };
    };
    expect(body.Customer.ContactNumber).toBe('+14165550100');
    expect(body.Customer.BillingAddress?.map((b) => [b.City, b.PrimaryAddress])).toEqual([
      ['Toronto', 'Yes'],
      ['Seattle', 'No'],
    ]);
  });

  it('a rerun (or a second delivery of a page) sends nothing twice: the intake answers with the first request', async () => {
    const pages = [[customer(1), customer(2)], [customer(3)]];
    const a = app(pages);
    await a.start();
    await a.drain();
    const second = await a.start();
    await a.drain();
    expect(a.queued).toHaveLength(3);
    expect(a.statusStore.records.size).toBe(3);
    expect(a.jobs.rows.get(second)!.counts).toMatchObject({ found: 3, queued: 0, replayed: 3 });
    // A copy of a page the job moved past does nothing.
    await expect(processBackfillPage({ v: 1, jobId: second, page: 0 }, a.deps)).resolves.toEqual({
      kind: 'done',
    });
  });

  it('skips a customer our link table already holds, and counts one the contract cannot take as unmappable', async () => {
    const a = app([[customer(1), customer(2, { email: null })]]);
    // Linked by an earlier create (a webhook), though the shop does not show the account yet.
    a.links.rows.set('ref|shop|7001', {
      source: 'shop',
      sourceCustomerId: '7001',
      legalEntity: 'USRT',
      customerAccount: 'US-9',
    } as unknown as CustomerLink);
    const jobId = await a.start();
    await a.drain();
    expect(a.jobs.rows.get(jobId)!.counts).toEqual({
      ...NO_LOOKUPS,
      found: 2,
      queued: 0,
      replayed: 0,
      skippedLinked: 1,
      unmappable: 1,
    });
    // The unmappable one is recorded (failed, code unmappable) so an operator sees why.
    expect([...a.statusStore.records.values()]).toEqual([
      expect.objectContaining({ sourceCustomerId: '7002', status: 'failed', errorCode: 'unmappable' }),
    ]);
  });

  it("does not send a customer whose webhook's create is under way (it holds the link)", async () => {
    const a = app([[customer(1)]]);
    a.links.rows.set('ref|shop|7001', {
      source: 'shop',
      sourceCustomerId: '7001',
      legalEntity: 'USRT',
      createCorrelationId: '11111111-1111-4111-8111-111111111111',
    } as unknown as CustomerLink);
    const jobId = await a.start();
    await a.drain();
    expect(a.jobs.rows.get(jobId)!.counts).toMatchObject({ found: 1, queued: 0, replayed: 1 });
    expect(a.queued).toEqual([]);
  });

  it('a dry run lists and counts, and sends nothing', async () => {
    const a = app([[customer(1), customer(2, { account: 'USRT/US-2' })]]);
    const jobId = await a.start(true);
    await a.drain();
    expect(a.jobs.rows.get(jobId)!.counts).toMatchObject({ found: 2, queued: 1, skippedLinked: 1 });
    expect(a.queued).toEqual([]);
    expect(a.statusStore.records.size).toBe(0);
  });

  it('a dry run looks each would-be-sent customer up in D365 (in a gate slot): would create, or link by which field', async () => {
    const a = app([
      [
        customer(1),
        customer(2, { email: null, phone: '+14165550102' }),
        customer(3),
        customer(4, { account: 'USRT/US-4' }),
        customer(5, { email: null, phone: '+14165550105' }),
      ],
    ]);
    const slots = { taken: 0, released: 0 };
    const looked: string[] = [];
    a.deps.dryRunLookup = {
      maxWaitMs: 1000,
      gate: {
        acquire: async (_wait, options) => {
          expect(options?.share?.priority).toBe('background');
          slots.taken += 1;
          return {
            run: (call: () => Promise<unknown>) => call(),
            release: async () => void (slots.released += 1),
          } as never;
        },
        pause: () => {},
        pausedUntil: () => 0,
      },
      d365: {
        findCustomersByEmail: async (_entity, email) => {
          looked.push('email');
          return email === 'c1@example.com' ? ['US-1'] : [];
        },
        findCustomersByNameAndPhone: async (_entity, person) => {
          looked.push('name_and_phone');
          // Customer 2's name and phone: one D365 customer without an e-mail; customer 5's: two.
          return person.phone === '+14165550102'
            ? [{ account: 'US-2', hasEmail: false }]
            : [
                { account: 'US-5', hasEmail: false },
                { account: 'US-6', hasEmail: false },
              ];
        },
      },
    };
    const jobId = await a.start(true);
    await a.drain();
    expect(a.jobs.rows.get(jobId)!.counts).toMatchObject({
      found: 5,
      queued: 4,
      skippedLinked: 1,
      wouldCreate: 1,
      wouldLinkByEmail: 1,
      wouldLinkByNameAndPhone: 1,
      wouldReview: 1,
    });
    expect(looked.sort()).toEqual(['email', 'email', 'name_and_phone', 'name_and_phone']);
    expect(slots).toEqual({ taken: 4, released: 4 });
    // Lookups only: nothing stored, nothing sent.
    expect(a.queued).toEqual([]);
    expect(a.statusStore.records.size).toBe(0);
  });

  it('stays below live traffic: a busy customer queue puts the page back for later, unread', async () => {
    const a = app([[customer(1)]], { backlog: 11 });
    const jobId = await a.start();
    const first = a.sent.shift()!;
    await expect(processBackfillPage(first.message, a.deps)).resolves.toEqual({
      kind: 'waiting',
      delaySeconds: 5,
    });
    expect(a.listed).toEqual([]);
    expect(a.sent).toEqual([{ message: first.message, delaySeconds: 5 }]);
    expect(a.jobs.rows.get(jobId)!.page).toBe(0);
  });

  it('stays below live traffic at the D365 gate: no room beyond the live reserve, or a pause, puts the page back unread', async () => {
    const gate = { slots: 4, held: 3, pausedUntil: 0 };
    const a = app([[customer(1)], [customer(2)]], { gate });
    const jobId = await a.start();
    // 3 of 4 slots held: only the 1 left to live requests is free.
    const first = a.sent.shift()!;
    await expect(processBackfillPage(first.message, a.deps)).resolves.toEqual({
      kind: 'waiting',
      delaySeconds: 2,
    });
    expect(a.listed).toEqual([]);
    // A throttling pause: the page waits for its end.
    gate.held = 0;
    gate.pausedUntil = Date.now() + 9_500;
    await expect(processBackfillPage(first.message, a.deps)).resolves.toEqual({
      kind: 'waiting',
      delaySeconds: 10,
    });
    expect(a.listed).toEqual([]);
    // Room beyond the reserve: the pages go on.
    gate.pausedUntil = 0;
    gate.held = 2;
    a.sent.length = 0;
    await processBackfillPage(first.message, a.deps);
    await a.drain();
    expect(a.jobs.rows.get(jobId)).toMatchObject({ state: 'done', counts: { found: 2, queued: 2 } });
  });

  it('a throttled shop retries the same page after its wait; a refused token fails the job', async () => {
    const a = app([[customer(1)]]);
    const jobId = await a.start();
    a.failWith(transient('waiting for the bucket', { retryAfterSeconds: 7, throttled: true }));
    const first = a.sent.shift()!;
    await expect(processBackfillPage(first.message, a.deps)).resolves.toEqual({
      kind: 'waiting',
      delaySeconds: 7,
    });
    expect(a.sent).toEqual([{ message: { v: 1, jobId, page: 0 }, delaySeconds: 7 }]);
    a.failWith(new ShopAccessError('shop', '401'));
    await a.drain();
    expect(a.sent).toEqual([]);
    expect(a.jobs.rows.get(jobId)).toMatchObject({
      state: 'failed',
      error: expect.stringContaining('Admin API'),
    });
  });
});
