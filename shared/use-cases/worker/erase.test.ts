import { ANONYMISED_PLACEHOLDERS } from '../../adapters/d365/d365-entity-fields';
import { parsePrivacyState } from '../../domain/privacy';
import { holdsCustomerData } from '../../domain/privacy/subject-query';
import { sampleCustomer } from '../../../test/fixtures/sample-customers';
import { memoryErasureMarks } from '../../../test/support/memory-erasure-marks';
import { memoryFoEventLedger } from '../../../test/support/memory-fo-events';
import type { FoEventChange } from '../../domain/fo-events/event-message';
import { createdForUpdate, updateSetup } from '../../../test/support/update-app';
import { acceptCustomer } from '../accept-customer';
import { acceptPrivacyRequest } from '../accept-privacy-request';
import { processQueuedRequest } from './dispatch';
import type { WorkerDeps } from './deps';
import { ShopAccessError, ShopClient, ShopCustomer, ShopForgetResult } from '../../ports';

/**
 * Erasure in the worker (issue 27; erase.ts): it waits for the customer's requests in flight, so a
 * create that races its redact ends with the customer created once and nothing of it left; under
 * `anonymise` the D365 customer gets the placeholders through one PATCH; an erased source customer
 * is not taken in again. Storage and D365 in memory (test/support/update-app.ts).
 */
function setup(anonymise: boolean, forget?: (customerId: string) => Promise<ShopForgetResult>) {
  const app = updateSetup();
  // The POS source as a shop with a write-back (issue 28): only forgetAccount matters here.
  const shop = { kind: 'shopify', forgetAccount: forget } as unknown as ShopClient;
  const marks = memoryErasureMarks();
  const foEvents = memoryFoEventLedger();
  let clock = Date.parse('2026-12-01T10:00:00Z');
  const now = () => new Date(clock);
  const deps: WorkerDeps = {
    ...app.deps,
    now,
    privacy: { erasureMarks: marks, foEvents, anonymiseIn: () => anonymise, settleSeconds: 1 },
    ...(forget && { shopClients: { forSource: (source) => (source === 'pos' ? shop : undefined) } }),
  };
  /** Runs queued messages in order, time moving on two minutes between deliveries (delays pass). */
  async function drain(limit = 100): Promise<number> {
    let runs = 0;
    while (app.sent.length > 0 && runs < limit) {
      const message = app.sent.shift()!;
      await processQueuedRequest(message, deps);
      clock += 120_000;
      runs += 1;
    }
    expect(app.sent).toHaveLength(0);
    return runs;
  }
  const erase = async () => {
    const accepted = await acceptPrivacyRequest(
      {
        kind: 'erase',
        origin: { via: 'api', caller: 'operator' },
        subject: { scope: 'customer', source: 'pos', sourceCustomerId: 'C-1' },
        dedupe: { parts: ['test', String(clock)], windowed: false },
      },
      deps,
    );
    if (accepted.kind !== 'accepted') throw new Error(accepted.kind);
    return accepted.record.correlationId;
  };
  const advance = () => (clock += 120_000);
  /** The intake's deps: the worker's, with the erasure marks it checks. */
  const intake = { ...deps, erasureMarks: marks };
  return { app, deps, intake, marks, foEvents, drain, erase, advance };
}

const holding = (app: ReturnType<typeof updateSetup>) =>
  [...app.statusStore.records.values()].filter((r) => r.kind !== 'erase' && holdsCustomerData(r));

describe('erasure in the worker', () => {
  it('a redact that races its customer\u2019s create: created once in D365, nothing personal left', async () => {
    const { app, deps, intake, drain, erase, advance } = setup(false);
    const create = await acceptCustomer(sampleCustomer('full'), intake, {
      origin: { source: 'pos', sourceCustomerId: 'C-1' },
    });
    expect(create.kind).toBe('accepted');
    // The redact is delivered before the create is processed: its message comes first.
    const createMessage = app.sent.pop()!;
    const id = await erase();
    await processQueuedRequest(app.sent.shift()!, deps);
    advance();
    const waiting = app.statusStore.records.get(id)!;
    expect(waiting.status).toBe('retrying');
    expect(waiting.lastError).toMatch(/in flight/);
    app.sent.push(createMessage);
    await drain(); // time moves on first: the message given back is delayed
    expect(app.d365.customers.size).toBe(1);
    const done = app.statusStore.records.get(id)!;
    expect(done.status).toBe('succeeded');
    const state = parsePrivacyState(done.payload)!;
    expect(state.erased).toMatchObject({ statusRecords: 1, customerLinks: 1 });
    expect(state.d365).toEqual([expect.objectContaining({ action: 'reported', legalEntity: 'USRT' })]);
    expect(state.subject.sourceCustomerId).toBeUndefined();
    expect(holding(app)).toEqual([]);
    expect(
      await app.links.findForSubject({ references: [{ source: 'pos', sourceCustomerId: 'C-1' }] }, 10),
    ).toEqual([]);
  });

  it('anonymise: one PATCH gives the D365 customer the placeholders, then our copies go', async () => {
    const { app, drain, erase } = setup(true);
    await createdForUpdate(app);
    const [account] = [...app.d365.customers.keys()];
    const id = await erase();
    await drain();
    expect(app.d365.patches).toHaveLength(1);
    const fields = app.d365.customers.get(account!)!.fields;
    expect(fields).toMatchObject({
      PersonFirstName: ANONYMISED_PLACEHOLDERS.firstName,
      PersonLastName: ANONYMISED_PLACEHOLDERS.lastName,
      PrimaryContactEmail: '',
    });
    const state = parsePrivacyState(app.statusStore.records.get(id)!.payload)!;
    expect(state.d365).toEqual([
      expect.objectContaining({ action: 'anonymise', status: 'succeeded', customerAccount: account }),
    ]);
    expect(holding(app)).toEqual([]);
  });

  it('F&O data events held of the customer\u2019s D365 account go (their changes, its state row); another customer\u2019s stay', async () => {
    const { app, foEvents, drain, erase } = setup(false);
    await createdForUpdate(app);
    const [account] = [...app.d365.customers.keys()];
    const change = (eventId: string, customerAccount: string): FoEventChange => ({
      v: 1,
      eventId,
      controlNumber: 1,
      eventTime: '2026-12-01T09:00:00.000Z',
      operation: 'Update',
      legalEntity: 'USRT',
      customerAccount,
      source: 'shop-a',
      sourceCustomerId: '42',
      record: { PersonFirstName: 'Jane' },
      receivedAt: '2026-12-01T09:00:01.000Z',
    });
    for (const [id, holder] of [
      ['e-1', account!],
      ['e-2', account!],
      ['e-3', 'US-OTHER'],
    ] as const)
      await foEvents.claim(id, '2026-12-01T09:00:01.000Z', change(id, holder));
    foEvents.states.add(`USRT\n${account}`).add('USRT\nUS-OTHER');
    const id = await erase();
    await drain();
    const state = parsePrivacyState(app.statusStore.records.get(id)!.payload)!;
    expect(state.erased.foEvents).toBe(3); // two events' rows and the state row
    expect([...foEvents.rows.keys()]).toEqual(['e-3']);
    expect([...foEvents.states]).toEqual(['USRT\nUS-OTHER']);
    expect(await foEvents.get('e-1')).toBeUndefined();
  });

  it('an uploaded export\u2019s rows of the customer (CSV backfill pages not read yet) go; the other rows stay', async () => {
    const { app, deps, drain, erase } = setup(false);
    await createdForUpdate(app);
    const row = (id: string, email: string): ShopCustomer => ({
      id,
      email,
      firstName: 'Row',
      lastName: id,
      phone: null,
      updatedAt: '2026-12-01T09:00:00.000Z',
      account: null,
    });
    // Job sources: `pos` (the erased customer's source) and another shop, where `C-1` is someone else.
    const sources: Record<string, string> = { 'job-pos': 'pos', 'job-other': 'shop-b' };
    const pages = new Map<string, ShopCustomer[]>([
      [
        'job-pos/0',
        [row('C-1', 'row.one@example.com'), row('C-2', 'ABC1234@gmail.com '), row('C-3', 'c3@example.com')],
      ],
      ['job-other/0', [row('C-1', 'someone.else@example.com')]],
    ]);
    deps.privacy!.backfillUploads = {
      async forgetCustomers(picks) {
        let gone = 0;
        for (const [key, customers] of pages) {
          const kept = customers.filter((c) => !picks(c, sources[key.split('/')[0]!]));
          gone += customers.length - kept.length;
          pages.set(key, kept);
        }
        return gone;
      },
    };
    const id = await erase();
    await drain();
    const state = parsePrivacyState(app.statusStore.records.get(id)!.payload)!;
    // By its shop customer ID under its own source, and (another row) by its e-mail key.
    expect(state.erased.backfillUploads).toBe(2);
    expect(pages.get('job-pos/0')!.map((c) => c.id)).toEqual(['C-3']);
    expect(pages.get('job-other/0')!.map((c) => c.id)).toEqual(['C-1']);
  });

  it('an erased source customer is not taken in again until the mark is lifted', async () => {
    const { app, intake, drain, erase, marks } = setup(false);
    await createdForUpdate(app);
    await erase();
    await drain();
    const again = await acceptCustomer(sampleCustomer('full'), intake, {
      origin: { source: 'pos', sourceCustomerId: 'C-1' },
    });
    expect(again).toEqual({ kind: 'erased' });
    const other = await acceptCustomer(sampleCustomer('full'), intake, {
      origin: { source: 'pos', sourceCustomerId: 'C-2' },
    });
    expect(other.kind).toBe('accepted');
    for (const key of [...marks.marks.keys()]) await marks.release(key);
    const released = await acceptCustomer(sampleCustomer('full'), intake, {
      origin: { source: 'pos', sourceCustomerId: 'C-1' },
    });
    expect(released.kind).toBe('accepted');
  });
  it('a batch cut short (the instance killed inside it): the successor counts what it had erased, the counts stay exact', async () => {
    const { app, deps, drain, erase, advance } = setup(false);
    await createdForUpdate(app);
    const create = [...app.statusStore.records.values()].find((r) => r.kind === undefined)!;
    // A second request of the customer still holding it (a failed one keeps its payload).
    const { etag: _etag, ...fields } = create;
    await app.statusStore.create({ ...fields, correlationId: 'failed-1', status: 'failed' });
    const update = deps.statusStore.update.bind(deps.statusStore);
    let erasures = 0;
    deps.statusStore.update = async (record, changes) => {
      if (changes.erasedAt !== undefined && (erasures += 1) === 2) throw new Error('the instance died');
      return update(record, changes);
    };
    app.sent.length = 0; // the create's message, already worked
    const id = await erase();
    const message = app.sent.shift()!;
    await expect(processQueuedRequest(message, deps)).rejects.toThrow('the instance died');
    expect(parsePrivacyState(app.statusStore.records.get(id)!.payload)!.batch?.records).toHaveLength(2);
    // The host delivers the message again once it is visible (the lease has ended by then).
    advance();
    app.sent.push(message);
    await drain();
    const done = app.statusStore.records.get(id)!;
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBeGreaterThan(1);
    const state = parsePrivacyState(done.payload)!;
    expect(state.erased).toMatchObject({ statusRecords: 2, customerLinks: 1 });
    expect(state.batch).toBeUndefined();
    expect(holding(app)).toEqual([]);
  });

  it('removes the account we wrote into the shop\u2019s customer (once), before its link goes', async () => {
    const forgotten: string[] = [];
    const { app, drain, erase } = setup(false, async (customerId) => {
      forgotten.push(customerId);
      return { kind: 'forgotten' };
    });
    await createdForUpdate(app);
    const id = await erase();
    await drain();
    expect(forgotten).toEqual(['C-1']);
    const state = parsePrivacyState(app.statusStore.records.get(id)!.payload)!;
    expect(state.erased).toMatchObject({ shopAccounts: 1, customerLinks: 1 });
    expect(state.shopsUnreached).toEqual([]);
  });

  it('a shop that refuses our token is named for the merchant; our own copies still go', async () => {
    const { app, drain, erase } = setup(false, () => Promise.reject(new ShopAccessError('pos', 'revoked')));
    await createdForUpdate(app);
    const id = await erase();
    await drain();
    const done = app.statusStore.records.get(id)!;
    expect(done.status).toBe('succeeded');
    const state = parsePrivacyState(done.payload)!;
    expect(state.shopsUnreached).toEqual(['pos']);
    expect(state.erased.shopAccounts).toBeUndefined();
    expect(holding(app)).toEqual([]);
  });

  it('waits for a pending write-back of the customer\u2019s account (it may still reach the shop), then forgets it', async () => {
    const calls: string[] = [];
    const { app, deps, drain, erase, advance } = setup(false, async (customerId) => {
      calls.push(customerId);
      return { kind: 'forgotten' };
    });
    await createdForUpdate(app);
    const create = [...app.statusStore.records.values()].find((r) => r.kind === undefined)!;
    await app.statusStore.update(create, { writeBack: 'pending' });
    app.sent.length = 0; // the create's message, already worked
    const id = await erase();
    await processQueuedRequest(app.sent.shift()!, deps);
    advance();
    const waiting = app.statusStore.records.get(id)!;
    expect(waiting.lastError).toMatch(/in flight/);
    expect(calls).toEqual([]);
    const pending = app.statusStore.records.get(create.correlationId)!;
    await app.statusStore.update(pending, { writeBack: 'written' });
    await drain();
    expect(calls).toEqual(['C-1']);
    expect(app.statusStore.records.get(id)!.status).toBe('succeeded');
  });
});
