import type { FoEventMessage } from '../../domain/fo-events/event-message';
import type { FoApplyState, FoApplyStates, ShopClient, ShopCustomer } from '../../ports';
import { silentLog } from '../../ports';
import type { CustomerLink } from '../../ports';
import {
  digestFields,
  isAsSent,
  parseDigests,
  serialiseDigests,
} from '../../domain/customer-update/sent-digests';
import { memoryFoEventLedger } from '../../../test/support/memory-fo-events';
import { pointerTo } from '../../domain/fo-events/event-message';
import { applyToShop, ApplyToShopDeps, ShopUpdateBusyError } from './apply-to-shop';

const message = (n: number, first: string, eventId = `e-${n}`): FoEventMessage => ({
  v: 1,
  eventId,
  controlNumber: n,
  eventTime: '2026-12-07T10:00:00.000Z',
  operation: 'Update',
  legalEntity: 'USRT',
  customerAccount: 'US-000001',
  source: 'shop-a',
  sourceCustomerId: '42',
  record: { PersonFirstName: first, PersonLastName: 'Doe', PrimaryContactEmail: 'jane@example.com' },
  receivedAt: '2026-12-07T10:00:01.000Z',
});

function memoryStates(): FoApplyStates & { row?: { state: FoApplyState; etag: string } } {
  let version = 0;
  const store: FoApplyStates & { row?: { state: FoApplyState; etag: string } } = {
    async get() {
      return store.row
        ? { state: structuredClone(store.row.state), etag: store.row.etag }
        : { state: { stamps: {} } };
    },
    async save(_le, _account, state, etag) {
      if ((store.row?.etag ?? undefined) !== etag) return false;
      version += 1;
      store.row = { state: structuredClone(state), etag: String(version) };
      return store.row.etag;
    },
  };
  return store;
}

function setup(shop: Partial<ShopCustomer> = {}) {
  const updates: Record<string, string>[] = [];
  let fail = false;
  const held: ShopCustomer = {
    id: '42',
    email: 'jane@example.com',
    firstName: 'Jane',
    lastName: 'Doe',
    phone: null,
    updatedAt: '',
    account: null,
    ...shop,
  };
  const client = {
    kind: 'shopify',
    getCustomer: async () => held,
    updateCustomer: async (_id: string, changes: Record<string, string>) => {
      if (fail) throw new Error('shop down');
      updates.push(changes);
      Object.assign(held, changes);
      return { kind: 'written', changed: true };
    },
  } as unknown as ShopClient;
  const states = memoryStates();
  let now = new Date('2026-12-07T10:00:00Z');
  const ledger = memoryFoEventLedger();
  const deps: ApplyToShopDeps = {
    ledger,
    states,
    links: { get: async () => undefined, save: async () => undefined as never },
    shopClients: { forSource: (source) => (source === 'shop-a' ? client : undefined) },
    telemetry: { trackEvent() {}, trackMetric() {} },
    log: silentLog,
    now: () => now,
    leaseSeconds: 60,
  };
  return {
    deps,
    updates,
    states,
    ledger,
    failShop: (value: boolean) => (fail = value),
    advance: (s: number) => (now = new Date(now.getTime() + s * 1000)),
  };
}

describe('applyToShop', () => {
  it('writes only what changed, once, whatever the order and repetition of the events', async () => {
    const { deps, updates } = setup();
    // The shop already holds Jane Doe: the first event (same values) writes nothing.
    expect(await applyToShop(message(10, 'Jane'), deps)).toEqual({ kind: 'unchanged' });
    expect(await applyToShop(message(12, 'Janet'), deps)).toEqual({ kind: 'applied', fields: ['firstName'] });
    // Late (11) and repeated (12) events change nothing.
    expect(await applyToShop(message(11, 'Janine'), deps)).toEqual({ kind: 'unchanged' });
    expect(await applyToShop(message(12, 'Janet'), deps)).toEqual({ kind: 'unchanged' });
    expect(updates).toEqual([{ firstName: 'Janet' }]);
  });

  it("reads the change from the event's row; an erased or expired event writes nothing", async () => {
    const { deps, updates, ledger } = setup();
    const change = message(12, 'Janet');
    await ledger.claim(change.eventId, change.receivedAt, change);
    expect(await applyToShop(pointerTo(change), deps)).toEqual({ kind: 'applied', fields: ['firstName'] });
    const erased = message(13, 'Janine');
    await ledger.claim(erased.eventId, erased.receivedAt, erased);
    expect(await ledger.forgetCustomer('usrt', 'US-000001')).toBe(2);
    expect(await applyToShop(pointerTo(erased), deps)).toEqual({ kind: 'not-applied', reason: 'gone' });
    expect(updates).toEqual([{ firstName: 'Janet' }]);
  });

  it('sends the same changes again when the shop call failed (redelivery of the same event)', async () => {
    const { deps, updates, failShop, states } = setup();
    failShop(true);
    await expect(applyToShop(message(12, 'Janet'), deps)).rejects.toThrow('shop down');
    expect(states.row?.state.inFlight?.changes).toEqual({ firstName: 'Janet' });
    failShop(false);
    expect(await applyToShop(message(12, 'Janet'), deps)).toEqual({ kind: 'applied', fields: ['firstName'] });
    expect(updates).toEqual([{ firstName: 'Janet' }]);
    expect(states.row?.state.inFlight).toBeUndefined();
  });

  it('holds another event while one is in flight, and takes an expired one over with its changes', async () => {
    const { deps, updates, failShop, advance } = setup();
    failShop(true);
    await expect(applyToShop(message(12, 'Janet'), deps)).rejects.toThrow('shop down');
    failShop(false);
    await expect(applyToShop(message(13, 'Janet', 'e-13'), deps)).rejects.toBeInstanceOf(ShopUpdateBusyError);
    advance(61);
    const later = { ...message(13, 'Janet', 'e-13'), record: { PrimaryContactEmail: 'janet@example.com' } };
    expect(await applyToShop(later, deps)).toEqual({ kind: 'applied', fields: ['firstName', 'email'] });
    expect(updates).toEqual([{ firstName: 'Janet', email: 'janet@example.com' }]);
  });

  it('does nothing for a source without a shop client or a message it cannot read', async () => {
    const { deps, updates } = setup();
    expect(await applyToShop({ ...message(1, 'X'), source: 'pos' }, deps)).toMatchObject({
      reason: 'no-shop-client',
    });
    expect(await applyToShop({ nope: true }, deps)).toMatchObject({ reason: 'invalid-message' });
    expect(updates).toEqual([]);
  });

  it("writes no field our own PATCH caused, and records what it wrote so the shop's echo changes nothing in D365", async () => {
    const { deps, updates } = setup();
    let link = {
      source: 'shop-a',
      sourceCustomerId: '42',
      legalEntity: 'USRT',
      customerAccount: 'US-000001',
      createCorrelationId: 'c',
      createdAt: '',
      fieldStamps: '{}',
      etag: '1',
      // We PATCHed D365 with the shop's "Jay" (shop → D365 update).
      sentDigests: serialiseDigests(
        digestFields({ PersonFirstName: 'Jay', PersonLastName: 'Doe' }, undefined),
      ),
    } as CustomerLink;
    deps.links = {
      get: async () => link,
      save: async (current, changes) =>
        (link = { ...current, ...changes, etag: String(Number(current.etag) + 1) }),
    };
    const events: string[] = [];
    deps.telemetry = {
      trackEvent: (e) => void events.push(`${e.name}:${e.properties.reason}`),
      trackMetric() {},
    };
    // D365's event of our own PATCH: "Jay" is not written back to the shop.
    expect(await applyToShop(message(20, 'Jay'), deps)).toEqual({ kind: 'unchanged' });
    expect(events).toContain('FoEchoSkipped:firstName');
    // A real D365 change is written, and the link now says D365 holds it.
    expect(await applyToShop(message(21, 'Jo'), deps)).toEqual({ kind: 'applied', fields: ['firstName'] });
    expect(updates).toEqual([{ firstName: 'Jo' }]);
    expect(isAsSent(parseDigests(link.sentDigests)!, 'PersonFirstName', 'Jo')).toBe(true);
  });
});
