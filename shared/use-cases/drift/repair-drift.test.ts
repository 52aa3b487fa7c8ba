import { silentLog } from '../../ports';
import type { ShopClient, ShopCustomer, ShopCustomerPage, TelemetryMetric } from '../../ports';
import { UNIT_SHOPIFY_SOURCE } from '../../../test/support/unit-shop-source';
import { transient } from '../../domain/failure';
import { memoryStatusStore } from '../../../test/support/memory-status-store';
import { memoryCustomerLinks } from '../../../test/support/memory-customer-links';
import { testKeyCorrelation } from '../../../test/support/correlation-key';
import { memoryWatermarks } from '../../../test/support/memory-watermarks';
import { DriftRepairDeps, DriftRepairSettings, repairDrift } from './repair-drift';

const SOURCE = UNIT_SHOPIFY_SOURCE;

const START = Date.parse('2026-12-07T12:00:00Z');
const minutesAgo = (minutes: number): string => new Date(START - minutes * 60_000).toISOString();

const customer = (i: number, extra: Partial<ShopCustomer> = {}): ShopCustomer => ({
  id: String(7000 + i),
  email: `c${i}@example.com`,
  firstName: 'C',
  lastName: String(i),
  phone: null,
  updatedAt: minutesAgo(60),
  account: null,
  verifiedEmail: true,
  ...extra,
});

function app(shop: ShopCustomer[], settings: Partial<DriftRepairSettings> = {}) {
  const statusStore = memoryStatusStore();
  const links = memoryCustomerLinks();
  const watermarks = memoryWatermarks();
  const queued: unknown[] = [];
  const metrics: TelemetryMetric[] = [];
  const calls: { cursor?: string; updatedSince?: string; updatedBefore?: string }[] = [];
  let now = START;
  let shopFails: Error | undefined;
  const client: ShopClient = {
    kind: 'shopify',
    getCustomer: async () => undefined,
    // The shop's stable order (ID) and its `updated_at` window, two at a time.
    listCustomers: async (page): Promise<ShopCustomerPage> => {
      calls.push({ cursor: page.cursor, updatedSince: page.updatedSince, updatedBefore: page.updatedBefore });
      if (shopFails) throw shopFails;
      const matching = shop.filter(
        (c) =>
          (!page.updatedSince || Date.parse(c.updatedAt) >= Date.parse(page.updatedSince)) &&
          (!page.updatedBefore || Date.parse(c.updatedAt) < Date.parse(page.updatedBefore)),
      );
      const from = Number(page.cursor ?? 0);
      const to = from + page.limit;
      return {
        customers: matching.slice(from, to),
        ...(to < matching.length && { nextCursor: String(to) }),
      };
    },
    updateCustomer: async () => ({ kind: 'written', changed: true }),
    writeAccount: async () => ({ kind: 'written', changed: true }),
  };
  const telemetry = { trackEvent: () => {}, trackMetric: (m: TelemetryMetric) => void metrics.push(m) };
  const deps = (runId = 'run-1'): DriftRepairDeps => ({
    watermarks,
    shopClients: { forSource: (name) => (name === 'shop' ? client : undefined) },
    links,
    webhookSources: [SOURCE],
    accept: {
      statusStore,
      queue: { send: async (message) => void queued.push(message) },
      telemetry,
      log: silentLog,
      target: 'custom-service',
      defaultCustomerGroup: '30',
      ...testKeyCorrelation(),
      links,
    },
    customerQueueDepth: async () => 0,
    settings: {
      intervalSeconds: 300,
      maxCustomers: 1000,
      pageSize: 2,
      settleSeconds: 900,
      lookbackSeconds: 24 * 3600,
      maxBacklog: 100,
      leaseSeconds: 120,
      ...settings,
    },
    telemetry,
    log: silentLog,
    runId,
    now: () => new Date(now),
  });
  return {
    deps,
    watermarks,
    links,
    statusStore,
    queued,
    metrics,
    calls,
    run: (runId?: string) => repairDrift(deps(runId)),
    advance: (seconds: number) => void (now += seconds * 1000),
    failShop: (error: Error | undefined) => void (shopFails = error),
  };
}

/** A customer whose webhook was taken in: its link, completed (linked) or reserved by a record. */
async function seedLink(
  a: ReturnType<typeof app>,
  c: ShopCustomer,
  state: 'linked' | 'queued' | 'failed',
): Promise<void> {
  const correlationId = `00000000-0000-4000-8000-${c.id.padStart(12, '0')}`;
  const link = {
    source: 'shop',
    sourceCustomerId: c.id,
    legalEntity: 'USRT',
    createCorrelationId: correlationId,
    createdAt: minutesAgo(60),
    fieldStamps: '{}',
  };
  if (state === 'linked') {
    await a.links.complete({ ...link, customerAccount: `C-${c.id}` }, minutesAgo(59));
    return;
  }
  await a.links.reserve(link);
  const at = minutesAgo(60);
  await a.statusStore.create({
    correlationId,
    status: state,
    legalEntity: 'USRT',
    target: 'custom-service',
    attempts: 0,
    createdAt: at,
    updatedAt: at,
    source: 'shop',
    sourceCustomerId: c.id,
  });
}

describe('drift repair', () => {
  it('sends the customers without a link or with a failed create, and none that is held', async () => {
    const shop = [customer(1), customer(2, { account: 'USRT/C-2' }), customer(3), customer(4), customer(5)];
    const a = app(shop);
    await seedLink(a, shop[2]!, 'linked');
    await seedLink(a, shop[3]!, 'queued');
    await seedLink(a, shop[4]!, 'failed');

    const [result] = await a.run();

    expect(result).toEqual({
      kind: 'ran',
      source: 'shop',
      passDone: true,
      counts: { listed: 5, linked: 2, inProgress: 1, found: 2, alreadySent: 0, unmappable: 0 },
    });
    expect(a.queued).toHaveLength(2);
    // The first run looks back DRIFT_REPAIR_LOOKBACK_HOURS and leaves the last settle time to webhooks.
    expect(a.calls[0]).toEqual({
      cursor: undefined,
      updatedSince: minutesAgo(24 * 60),
      updatedBefore: minutesAgo(15),
    });
    const row = a.watermarks.rows.get('shop')!;
    expect(row).toMatchObject({ watermark: minutesAgo(15), lastRunAt: new Date(START).toISOString() });
    expect(row.pass).toBeUndefined();
    expect(row.leaseUntil).toBeUndefined();
    expect(a.metrics).toEqual([{ name: 'DriftRepairFound', value: 2, properties: { source: 'shop' } }]);
    // The failed create's link is the new request's now (the intake took it over).
    const link = await a.links.get({ kind: 'reference', source: 'shop', sourceCustomerId: shop[4]!.id });
    expect(link?.createCorrelationId).not.toBe('00000000-0000-4000-8000-000000007005');
  });

  it('runs a shop once per interval, from its watermark, and sends each version once', async () => {
    const shop = [customer(1), customer(2)];
    const a = app(shop);
    await a.run();
    expect(a.queued).toHaveLength(2);
    a.advance(60);
    expect(await a.run()).toEqual([{ kind: 'skipped', source: 'shop', reason: 'interval' }]);

    a.advance(300);
    // Customer 2 changed again (its webhook dropped again); customer 3 is new but too recent.
    shop[1] = { ...shop[1]!, updatedAt: minutesAgo(10) };
    shop.push(customer(3, { updatedAt: minutesAgo(-5) }));
    const [again] = await a.run();
    expect(a.calls.at(-1)).toMatchObject({ updatedSince: minutesAgo(15), updatedBefore: minutesAgo(9) });
    // Customer 2's link is reserved by the first run's request, still queued: under way, not sent twice.
    expect(again).toMatchObject({ kind: 'ran', counts: { listed: 1, inProgress: 1, found: 0 } });
    expect(a.queued).toHaveLength(2);
  });

  it('reads at most DRIFT_REPAIR_MAX_CUSTOMERS per run and continues the pass where it stopped', async () => {
    const shop = Array.from({ length: 7 }, (_, i) => customer(i));
    const a = app(shop, { maxCustomers: 3 });
    const first = await a.run();
    // Whole pages: 2, then 2 more (3 not reached after the first), then the bound.
    expect(first).toEqual([
      expect.objectContaining({
        kind: 'ran',
        passDone: false,
        stopped: 'bound',
        counts: expect.objectContaining({ listed: 4, found: 4 }),
      }),
    ]);
    expect(a.watermarks.rows.get('shop')).toMatchObject({ pass: { cursor: '4' } });
    expect(a.watermarks.rows.get('shop')!.watermark).toBeUndefined();
    a.advance(300);
    const second = await a.run();
    expect(second).toEqual([
      expect.objectContaining({ passDone: true, counts: expect.objectContaining({ listed: 3, found: 3 }) }),
    ]);
    expect(a.calls.map((c) => c.cursor)).toEqual([undefined, '2', '4', '6']);
    // The second run's pass is the first one's window (not a new one from the later time).
    expect(new Set(a.calls.map((c) => c.updatedBefore))).toEqual(new Set([minutesAgo(15)]));
    expect(a.queued).toHaveLength(7);
  });

  it('two instances at once: one runs the shop, the other leaves it (nothing sent twice)', async () => {
    const shop = Array.from({ length: 6 }, (_, i) => customer(i));
    const a = app(shop);
    const results = (await Promise.all([a.run('run-a'), a.run('run-b'), a.run('run-c')])).flat();
    expect(results.filter((r) => r.kind === 'ran')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'skipped')).toHaveLength(2);
    expect(a.queued).toHaveLength(6);
  });

  it('a run that died holding the shop: another takes over after its lease and continues from the cursor', async () => {
    const shop = Array.from({ length: 4 }, (_, i) => customer(i));
    const a = app(shop);
    const row = await a.watermarks.create('shop');
    await a.watermarks.save(row, {
      lastRunAt: minutesAgo(10),
      leaseOwner: 'dead',
      leaseUntil: minutesAgo(-1),
      pass: { from: minutesAgo(120), to: minutesAgo(30), cursor: '2' },
    });
    expect(await a.run()).toEqual([{ kind: 'skipped', source: 'shop', reason: 'leased' }]);
    a.advance(61);
    const [taken] = await a.run();
    expect(taken).toMatchObject({ kind: 'ran', passDone: true, counts: { listed: 2, found: 2 } });
    expect(a.calls.at(-1)).toMatchObject({
      cursor: '2',
      updatedSince: minutesAgo(120),
      updatedBefore: minutesAgo(30),
    });
    expect(a.watermarks.rows.get('shop')!.watermark).toBe(minutesAgo(30));
  });

  it('a throttled or unavailable shop stops the run, keeping the pass; a refused token fails it', async () => {
    const a = app([customer(1)]);
    a.failShop(transient('shop 503'));
    expect(await a.run()).toEqual([
      expect.objectContaining({ kind: 'ran', passDone: false, stopped: 'shop-unavailable' }),
    ]);
    expect(a.watermarks.rows.get('shop')!.leaseUntil).toBeUndefined();
    a.advance(300);
    const { ShopAccessError } = await import('../../ports');
    a.failShop(new ShopAccessError('shop', '401'));
    expect(await a.run()).toEqual([expect.objectContaining({ kind: 'failed' })]);
    expect(a.queued).toHaveLength(0);
  });

  it('does nothing with DRIFT_REPAIR_INTERVAL_SECONDS=0, and stops while the customer queue is busy', async () => {
    const off = app([customer(1)], { intervalSeconds: 0 });
    expect(await off.run()).toEqual([]);
    const busy = app([customer(1)]);
    const deps = busy.deps();
    const [result] = await repairDrift({ ...deps, customerQueueDepth: async () => 101 });
    expect(result).toMatchObject({ kind: 'ran', stopped: 'backlog', counts: { listed: 0 } });
    expect(busy.queued).toHaveLength(0);
  });
});
