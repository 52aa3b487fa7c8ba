import { silentLog } from '../../ports';
import type {
  D365Gate,
  FoApplyState,
  FoApplyStates,
  GateAcquireOptions,
  ShopClient,
  ShopCustomer,
  ShopCustomerPage,
  TelemetryEvent,
  TelemetryMetric,
} from '../../ports';
import { UNIT_SHOPIFY_SOURCE } from '../../../test/support/unit-shop-source';
import {
  digestFields,
  isAsSent,
  parseDigests,
  serialiseDigests,
} from '../../domain/customer-update/sent-digests';
import { memoryCustomerLinks } from '../../../test/support/memory-customer-links';
import { memoryWatermarks } from '../../../test/support/memory-watermarks';
import { applyToShop } from './apply-to-shop';
import { runSafetyNet, SafetyNetDeps, SafetyNetSettings } from './safety-net';

const SOURCE = UNIT_SHOPIFY_SOURCE;
const START = Date.parse('2026-12-07T12:00:00Z');
const account = (i: number) => `US-${String(i).padStart(6, '0')}`;

function memoryStates(): FoApplyStates & { rows: Map<string, { state: FoApplyState; etag: string }> } {
  const rows = new Map<string, { state: FoApplyState; etag: string }>();
  let version = 0;
  return {
    rows,
    async get(le, acct) {
      const row = rows.get(`${le}|${acct}`);
      return row ? { state: structuredClone(row.state), etag: row.etag } : { state: { stamps: {} } };
    },
    async save(le, acct, state, etag) {
      if (rows.get(`${le}|${acct}`)?.etag !== etag) return false;
      const row = { state: structuredClone(state), etag: String(++version) };
      rows.set(`${le}|${acct}`, row);
      return row.etag;
    },
  };
}

/**
 * `count` linked shop customers whose D365 customers hold the same names, e-mails and phones (as
 * their creates sent them), a shop that counts its writes and pages two at a time, a gate that
 * counts its slots.
 */
async function setup(count: number, settings: Partial<SafetyNetSettings> = {}) {
  const shop: ShopCustomer[] = [];
  const d365 = new Map<string, Record<string, unknown>>();
  const links = memoryCustomerLinks();
  for (let i = 1; i <= count; i += 1) {
    const fields = {
      PersonFirstName: `First${i}`,
      PersonLastName: `Last${i}`,
      PrimaryContactEmail: `c${i}@example.com`,
    };
    d365.set(account(i), { dataAreaId: 'usrt', CustomerAccount: account(i), ...fields });
    shop.push({
      id: String(9000 + i),
      email: fields.PrimaryContactEmail,
      firstName: fields.PersonFirstName,
      lastName: fields.PersonLastName,
      phone: null,
      updatedAt: new Date(START).toISOString(),
      account: `USRT/${account(i)}`,
    });
    await links.complete(
      {
        source: 'shop',
        sourceCustomerId: String(9000 + i),
        legalEntity: 'USRT',
        customerAccount: account(i),
        createCorrelationId: `c-${i}`,
        createdAt: new Date(START).toISOString(),
        fieldStamps: '{}',
        sentDigests: serialiseDigests(digestFields(fields, undefined)),
      },
      new Date(START).toISOString(),
    );
  }
  const writes: { id: string; changes: Record<string, unknown> }[] = [];
  const byId = (id: string) => shop.find((c) => c.id === id);
  const client: ShopClient = {
    kind: 'shopify',
    getCustomer: async (id) => byId(id) && { ...byId(id)! },
    listCustomers: async (page): Promise<ShopCustomerPage> => {
      const from = Number(page.cursor ?? 0);
      const to = from + page.limit;
      return {
        customers: shop.slice(from, to).map((c) => ({ ...c })),
        ...(to < shop.length && { nextCursor: String(to) }),
      };
    },
    updateCustomer: async (id, changes) => {
      writes.push({ id, changes });
      Object.assign(byId(id)!, changes);
      return { kind: 'written', changed: true };
    },
    writeAccount: async () => ({ kind: 'written', changed: true }),
  };
  const gateCalls: (GateAcquireOptions | undefined)[] = [];
  let gateBusy = false;
  const gate: D365Gate = {
    acquire: async (_maxWaitMs: number, options?: GateAcquireOptions) => {
      gateCalls.push(options);
      if (gateBusy) return { retryAt: START + 60_000, reason: 'busy' };
      return { run: <T>(call: () => Promise<T>) => call(), release: async () => undefined };
    },
    pause: () => undefined,
  } as unknown as D365Gate;
  const metrics: TelemetryMetric[] = [];
  const events: TelemetryEvent[] = [];
  const telemetry = {
    trackEvent: (e: TelemetryEvent) => void events.push(e),
    trackMetric: (m: TelemetryMetric) => void metrics.push(m),
  };
  let now = START;
  const states = memoryStates();
  const watermarks = memoryWatermarks();
  const shopClients = { forSource: (name: string) => (name === 'shop' ? client : undefined) };
  const apply = {
    // The safety net's changes are no queue messages: no event row is read.
    ledger: { get: async () => undefined },
    conflictPolicy: 'review' as const,
    states,
    links,
    shopClients,
    telemetry,
    log: silentLog,
    now: () => new Date(now),
    leaseSeconds: 60,
  };
  const deps = (runId = 'run-1'): SafetyNetDeps => ({
    watermarks,
    runId,
    now: () => new Date(now),
    shopClients,
    links,
    webhookSources: [SOURCE],
    d365: {
      getCustomer: async (_le, acct) => {
        const fields = d365.get(acct);
        return fields && { etag: 'W/"1"', fields: { ...fields } };
      },
    },
    gate,
    apply,
    settings: {
      intervalSeconds: 300,
      maxCustomers: 1000,
      pageSize: 2,
      leaseSeconds: 120,
      gateWaitMs: 1000,
      ...settings,
    },
    telemetry,
    log: silentLog,
  });
  return {
    shop,
    d365,
    links,
    writes,
    metrics,
    events,
    gateCalls,
    apply,
    deps,
    byId,
    setGateBusy: (value: boolean) => (gateBusy = value),
    advance: (seconds: number) => (now += seconds * 1000),
  };
}

describe('runSafetyNet (F&O safety net, issue 29)', () => {
  it('writes to the shop what D365 changed without an event, once, and reports it by field', async () => {
    const t = await setup(5);
    // Operator changes in D365 whose data events never came: customer 2's first name, 4's e-mail and phone.
    t.d365.get(account(2))!.PersonFirstName = 'Changed2';
    Object.assign(t.d365.get(account(4))!, {
      PrimaryContactEmail: 'new4@example.com',
      PrimaryContactPhone: '+15550104',
    });
    const [result] = await runSafetyNet(t.deps());
    expect(result).toMatchObject({
      kind: 'ran',
      passDone: true,
      counts: {
        listed: 5,
        linked: 5,
        same: 3,
        repaired: 2,
        fieldsRepaired: 3,
        busy: 0,
        shopSide: 0,
        notRepaired: 0,
      },
    });
    expect(t.writes).toEqual([
      { id: '9002', changes: { firstName: 'Changed2' } },
      { id: '9004', changes: { email: 'new4@example.com', phone: '+15550104' } },
    ]);
    expect(
      t.metrics.filter((m) => m.name === 'FoSafetyNetRepaired').map((m) => [m.properties, m.value]),
    ).toEqual([
      [{ source: 'shop', field: 'firstName' }, 1],
      [{ source: 'shop', field: 'email' }, 1],
      [{ source: 'shop', field: 'phone' }, 1],
    ]);
    const run = t.events.find((e) => e.name === 'FoSafetyNetRun');
    expect(run?.measurements).toMatchObject({ listed: 5, repaired: 2, fieldsRepaired: 3 });
    // Every D365 read waited behind live requests: one background slot per linked customer.
    expect(t.gateCalls).toHaveLength(5);
    expect(t.gateCalls.every((o) => o?.share?.priority === 'background')).toBe(true);
    // No echo: the link says D365 holds what the shop now holds, so its customers/update PATCHes nothing.
    const link = await t.links.get({ kind: 'account', legalEntity: 'USRT', customerAccount: account(2) });
    expect(isAsSent(parseDigests(link?.sentDigests)!, 'PersonFirstName', 'Changed2')).toBe(true);
    // The next run finds shop = D365: nothing written again.
    t.advance(301);
    const [again] = await runSafetyNet(t.deps('run-2'));
    expect(again).toMatchObject({ kind: 'ran', counts: { listed: 5, same: 5, repaired: 0 } });
    expect(t.writes).toHaveLength(2);
  });

  it('leaves a field whose D365 value is the one we sent from the shop (the shop changed since)', async () => {
    const t = await setup(2);
    t.byId('9001')!.firstName = 'ShopEdit';
    const [result] = await runSafetyNet(t.deps());
    expect(result).toMatchObject({ counts: { linked: 2, same: 1, shopSide: 1, repaired: 0 } });
    expect(t.writes).toEqual([]);
  });

  it('orders a repair between the events: a later event still writes, an older one does not', async () => {
    const t = await setup(1);
    const event = (n: number, first: string) => ({
      v: 1,
      eventId: `e-${n}`,
      controlNumber: n,
      eventTime: new Date(START).toISOString(),
      operation: 'Update',
      legalEntity: 'USRT',
      customerAccount: account(1),
      source: 'shop',
      sourceCustomerId: '9001',
      record: { PersonFirstName: first },
      receivedAt: new Date(START).toISOString(),
    });
    expect(await applyToShop(event(10, 'Ten'), t.apply)).toMatchObject({ kind: 'applied' });
    // Event 11 (Eleven) was dropped; D365 holds it.
    t.d365.get(account(1))!.PersonFirstName = 'Eleven';
    await runSafetyNet(t.deps());
    expect(t.byId('9001')!.firstName).toBe('Eleven');
    // A repeat of event 10 comes late: older than the repair, it writes nothing.
    expect(await applyToShop(event(10, 'Ten'), t.apply)).toEqual({ kind: 'unchanged' });
    // The next change (event 12) writes.
    expect(await applyToShop(event(12, 'Twelve'), t.apply)).toMatchObject({ kind: 'applied' });
    expect(t.writes.map((w) => w.changes)).toEqual([
      { firstName: 'Ten' },
      { firstName: 'Eleven' },
      { firstName: 'Twelve' },
    ]);
  });

  it('runs a shop once at a time and once per interval across the fleet', async () => {
    const t = await setup(3);
    const first = t.deps('host-1');
    // host-1 holds the lease (a run under way) when host-2's tick comes.
    await first.watermarks.create('shop');
    const row = await first.watermarks.get('shop');
    await first.watermarks.save(row!, {
      leaseOwner: 'host-1',
      leaseUntil: new Date(START + 60_000).toISOString(),
    });
    expect(await runSafetyNet(t.deps('host-2'))).toEqual([
      { kind: 'skipped', source: 'shop', reason: 'leased' },
    ]);
    t.advance(61);
    expect(await runSafetyNet(t.deps('host-2'))).toMatchObject([{ kind: 'ran', passDone: true }]);
    expect(await runSafetyNet(t.deps('host-3'))).toEqual([
      { kind: 'skipped', source: 'shop', reason: 'interval' },
    ]);
    expect(t.gateCalls).toHaveLength(3);
  });

  it('is bounded per run: the pass continues where the last run stopped', async () => {
    const t = await setup(5, { maxCustomers: 2, intervalSeconds: 1 });
    const listed: number[] = [];
    for (let run = 0; run < 3; run += 1) {
      const [result] = await runSafetyNet(t.deps(`run-${run}`));
      if (result?.kind === 'ran') listed.push(result.counts.listed);
      t.advance(2);
    }
    expect(listed).toEqual([2, 2, 1]);
    expect(t.gateCalls).toHaveLength(5);
  });

  it('stops when no D365 slot comes in time (the pass continues at the next run), and is off at 0', async () => {
    const t = await setup(2);
    t.d365.get(account(1))!.PersonFirstName = 'Changed';
    t.setGateBusy(true);
    expect(await runSafetyNet(t.deps())).toMatchObject([
      { kind: 'ran', passDone: false, stopped: 'd365-unavailable', counts: { listed: 1, repaired: 0 } },
    ]);
    expect(t.writes).toEqual([]);
    const off = await setup(2, { intervalSeconds: 0 });
    expect(await runSafetyNet(off.deps())).toEqual([]);
    expect(off.gateCalls).toEqual([]);
  });
});
