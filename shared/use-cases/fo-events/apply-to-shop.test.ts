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
import { valueDigest } from '../../domain/fo-events/shop-fields';
import type { ConflictPolicy } from '../../domain/customer-update';
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

function setup(shop: Partial<ShopCustomer> = {}, conflictPolicy: ConflictPolicy = 'review') {
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
    conflictPolicy,
  };
  return {
    deps,
    updates,
    states,
    ledger,
    held,
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

  it.each([
    ['d365', 'd365-kept', { kind: 'applied', fields: ['firstName', 'lastName'] }, 'Janet'],
    ['ours', 'shop-kept', { kind: 'applied', fields: ['lastName'] }, 'Jo'],
    ['review', 'review', { kind: 'applied', fields: ['lastName'] }, 'Jo'],
  ] as const)(
    'a field changed on both sides: policy %s resolves it field by field (%s) and FoConflict names it, never its values',
    async (policy, resolution, result, shopFirstName) => {
      const { deps, updates, held } = setup({}, policy);
      const events: { name: string; properties: Record<string, unknown> }[] = [];
      deps.telemetry = { trackEvent: (e) => void events.push(e), trackMetric() {} };
      // Both sides agree on Jane Doe (stamped), then the shop changes the first name to Jo while D365
      // changes it to Janet and the last name to Dough.
      expect(await applyToShop(message(10, 'Jane'), deps)).toEqual({ kind: 'unchanged' });
      held.firstName = 'Jo';
      const both = { ...message(11, 'Janet'), record: { PersonFirstName: 'Janet', PersonLastName: 'Dough' } };
      expect(await applyToShop(both, deps)).toEqual(result);
      expect(held).toMatchObject({ firstName: shopFirstName, lastName: 'Dough' });
      expect(updates).toHaveLength(1);
      const conflicts = events.filter((e) => e.name === 'FoConflict');
      expect(conflicts).toEqual([
        {
          name: 'FoConflict',
          properties: { source: 'shop-a', legalEntity: 'USRT', outcome: resolution, reason: 'firstName' },
        },
      ]);
      expect(JSON.stringify(events)).not.toMatch(/Janet|Jo"|Dough/);
    },
  );

  it('no conflict when only D365 changed a field, or the shop already holds D365\u2019s value', async () => {
    const { deps, held } = setup();
    const events: string[] = [];
    deps.telemetry = { trackEvent: (e) => void events.push(e.name), trackMetric() {} };
    await applyToShop(message(10, 'Jane'), deps);
    expect(await applyToShop(message(11, 'Janet'), deps)).toEqual({ kind: 'applied', fields: ['firstName'] });
    held.firstName = 'Jill';
    await applyToShop(message(12, 'Jill'), deps); // the shop's change, come back through D365
    expect(events).not.toContain('FoConflict');
  });

  it('stamps hold salted digests (per customer), and a row stamped before salts keeps working unsalted', async () => {
    const { deps, updates, states } = setup();
    await applyToShop(message(12, 'Janet'), deps);
    const { salt, stamps } = states.row!.state;
    expect(salt).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(stamps.firstName).toEqual({ n: 12, d: valueDigest('Janet', salt) });
    expect(stamps.firstName!.d).not.toBe(valueDigest('Janet'));
    expect(stamps.email!.d).not.toBe(valueDigest('jane@example.com'));

    const legacy = setup();
    legacy.states.row = { state: { stamps: { firstName: { n: 5, d: valueDigest('Jane') } } }, etag: 'old' };
    expect(await applyToShop(message(6, 'Jane'), legacy.deps)).toEqual({ kind: 'unchanged' });
    expect(await applyToShop(message(7, 'Janet'), legacy.deps)).toEqual({
      kind: 'applied',
      fields: ['firstName'],
    });
    expect(legacy.states.row!.state.salt).toBeUndefined();
    expect(legacy.updates).toEqual([{ firstName: 'Janet' }]);
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
    // The shop holds "Jay": its change that we PATCHed into D365.
    const { deps, updates } = setup({ firstName: 'Jay' });
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

  it("writes the address in the shop's form, the echo's digests already recorded when the shop is called", async () => {
    const { deps } = setup();
    let link = {
      source: 'shop-a',
      sourceCustomerId: '42',
      legalEntity: 'USRT',
      customerAccount: 'US-000001',
      createCorrelationId: 'c',
      createdAt: '',
      fieldStamps: '{}',
      etag: '1',
      sentDigests: serialiseDigests(digestFields({ PersonFirstName: 'Jane' }, undefined)),
    } as CustomerLink;
    deps.links = {
      get: async () => link,
      save: async (current, changes) =>
        (link = { ...current, ...changes, etag: String(Number(current.etag) + 1) }),
    };
    // The shop's echo can be handled before its call returns: what it finds in the link then counts.
    const atCall: boolean[] = [];
    const sent: unknown[] = [];
    const client = deps.shopClients.forSource('shop-a', 'read')!;
    client.updateCustomer = async (_id, changes) => {
      sent.push(changes);
      const digests = parseDigests(link.sentDigests)!;
      atCall.push(
        isAsSent(digests, 'AddressStreet', '500 Pine St, Suite 2') &&
          isAsSent(digests, 'AddressLocationRoles', 'Invoice;Delivery') &&
          isAsSent(digests, 'AddressCountryRegionId', 'USA'),
      );
      return { kind: 'written', changed: true };
    };
    const event = {
      ...message(30, 'Jane'),
      record: {
        PersonFirstName: 'Jane',
        AddressStreet: '500 Pine St\nSuite 2',
        AddressCity: 'Seattle',
        AddressState: 'WA',
        AddressZipCode: '98101',
        AddressCountryRegionId: 'usa',
      },
    };
    expect(await applyToShop(event, deps)).toEqual({ kind: 'applied', fields: ['address'] });
    expect(sent).toEqual([
      {
        address: {
          street1: '500 Pine St',
          street2: 'Suite 2',
          city: 'Seattle',
          state: 'WA',
          postalCode: '98101',
          countryAlpha2: 'US',
        },
      },
    ]);
    expect(atCall).toEqual([true]);
    // The same address again (a later event): nothing written.
    expect(await applyToShop({ ...event, eventId: 'e-31', controlNumber: 31 }, deps)).toEqual({
      kind: 'unchanged',
    });
    expect(sent).toHaveLength(1);
  });
});
