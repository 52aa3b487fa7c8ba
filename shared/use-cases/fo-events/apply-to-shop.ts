import { decodeFoEventMessage, FoEventChange as FoEventMessage } from '../../domain/fo-events/event-message';
import type { ConflictPolicy } from '../../domain/customer-update';
import { decodePrimaryAddress, toShopAddress } from '../../domain/fo-events/primary-address';
import {
  resolveShopConflicts,
  ShopConflictResolution,
  shopConflicts,
} from '../../domain/fo-events/shop-conflicts';
import {
  FieldStamps,
  newStampSalt,
  planShopUpdate,
  ShopChanges,
  ShopField,
} from '../../domain/fo-events/shop-fields';
import type {
  CustomerLinks,
  FoApplyState,
  FoEventLedger,
  FoApplyStates,
  Log,
  ShopClient,
  ShopClients,
  ShopCustomerChanges,
  Telemetry,
} from '../../ports';
import { fieldsWeSent, recordWrittenToShop } from './echo-guard';

/**
 * The shop update of one D365 change (issue 29, queue FO_EVENTS_QUEUE_NAME): the changed names,
 * e-mail, phone and primary address of a linked customer go to its shop (Shopify `customerUpdate`
 * and `customerAddressUpdate`, BigCommerce `PUT /v3/customers` and `PUT /v3/customers/addresses`,
 * paced by the shop client's fleet-wide budget).
 *
 * - The message names the event; its change is read from the event's row (gone: erased or past
 *   retention, nothing is written).
 * - In order per customer: field stamps (shop-fields.ts) let an older event (late, reordered,
 *   repeated) write nothing over a newer one.
 * - Only fields that changed: against the value last written, or, for a field never written, against
 *   the shop's own value (one read of the shop customer whenever something would be written).
 * - Conflicts visible: a field the shop changed too (its value is neither the last agreed one nor
 *   D365's) is decided by UPDATE_CONFLICT_POLICY, field by field, and reported (`FoConflict`).
 * - Exactly once across the fleet: the stamps and the changes are saved with the row's ETag and a
 *   lease *before* the shop call; another instance waits (the message comes back) until the lease
 *   ends or the update is done; a redelivery of the same event after a crash sends the same changes
 *   again (idempotent: the same values); an expired lease of another event is taken over with its changes.
 */
export type ApplyResult =
  | { kind: 'applied'; fields: ShopField[] }
  | { kind: 'unchanged' }
  | {
      kind: 'not-applied';
      reason: 'invalid-message' | 'gone' | 'no-shop-client' | 'not-found' | 'rejected';
    };

export class ShopUpdateBusyError extends Error {
  constructor(readonly eventId: string) {
    super('Another instance is updating this shop customer: the message comes back later.');
    this.name = 'ShopUpdateBusyError';
  }
}

export interface ApplyToShopDeps {
  /** The events' rows: a message names its event, whose change is read from there. */
  ledger: Pick<FoEventLedger, 'get'>;
  states: FoApplyStates;
  links: Pick<CustomerLinks, 'get' | 'save'>;
  shopClients: ShopClients;
  telemetry: Telemetry;
  log: Log;
  now: () => Date;
  leaseSeconds: number;
  /** UPDATE_CONFLICT_POLICY: a field both sides changed (shop-conflicts.ts). */
  conflictPolicy: ConflictPolicy;
}

const MAX_RACES = 5;

/** The shop's form of the changes: the address's D365 fields become the shop's address. */
function forShop(changes: ShopChanges): ShopCustomerChanges {
  const { address, ...scalars } = changes;
  const fields = address === undefined ? undefined : decodePrimaryAddress(address);
  const shopAddress = fields && toShopAddress(fields);
  return { ...scalars, ...(shopAddress && { address: shopAddress }) };
}

interface Checked {
  changes: ShopChanges;
  conflict?: { fields: ShopField[]; resolution: ShopConflictResolution };
}

/**
 * The changes checked against the shop's customer (one read): a never-written field whose value the
 * shop already holds is dropped (no write, no echo); a field the shop changed too is a conflict, and
 * UPDATE_CONFLICT_POLICY decides it (shop-conflicts.ts). Undefined: the shop customer is gone.
 */
async function againstShop(
  changes: ShopChanges,
  before: FieldStamps,
  client: ShopClient,
  customerId: string,
  policy: ConflictPolicy,
  salt: string | undefined,
): Promise<Checked | undefined> {
  const current = await client.getCustomer(customerId);
  if (!current) return undefined;
  const kept: ShopChanges = { ...changes };
  for (const field of Object.keys(changes) as ShopField[]) {
    // The address is not compared here: a never-written address is written once.
    const held = field === 'address' ? undefined : current[field];
    if (before[field] || typeof held !== 'string') continue;
    if (held.trim() === kept[field]) delete kept[field];
  }
  const fields = shopConflicts(kept, before, { ...current, address: undefined }, salt);
  if (fields.length === 0) return { changes: kept };
  const resolved = resolveShopConflicts(kept, fields, policy);
  return { changes: resolved.changes, conflict: { fields, resolution: resolved.resolution } };
}

async function claim(
  message: FoEventMessage,
  client: ShopClient,
  deps: ApplyToShopDeps,
): Promise<
  | { changes: ShopChanges; state: FoApplyState; etag: string; conflict?: Checked['conflict'] }
  | Unchanged
  | 'not-found'
> {
  const { legalEntity, customerAccount } = message;
  for (let race = 0; race < MAX_RACES; race += 1) {
    const { state, etag } = await deps.states.get(legalEntity, customerAccount);
    const now = deps.now();
    const held = state.inFlight;
    const live = held && new Date(held.leaseUntil).getTime() > now.getTime();
    if (held && live && held.eventId !== message.eventId) throw new ShopUpdateBusyError(message.eventId);
    // A new customer's row gets its salt; a row stamped before salts keeps unsalted digests.
    const salt = state.salt ?? (Object.keys(state.stamps).length === 0 ? newStampSalt() : undefined);
    const plan = planShopUpdate(message.record, message.controlNumber, state.stamps, salt);
    // Our own PATCH's echo: the values we sent to D365 came from the shop; they are not written back.
    for (const field of await fieldsWeSent(deps.links, legalEntity, customerAccount, plan.changes)) {
      delete plan.changes[field];
      deps.telemetry.trackEvent({
        name: 'FoEchoSkipped',
        properties: { source: message.source, legalEntity, reason: field },
      });
    }
    let changes: ShopChanges = { ...(held?.changes ?? {}), ...plan.changes };
    let conflict: Checked['conflict'];
    if (Object.keys(plan.changes).length > 0) {
      // A field of an expired shop update carried over has the stamp of its own unwritten value.
      const agreed = withoutFields(state.stamps, held?.changes);
      const checked = await againstShop(
        changes,
        agreed,
        client,
        message.sourceCustomerId,
        deps.conflictPolicy,
        salt,
      );
      if (!checked) return 'not-found';
      ({ changes, conflict } = checked);
    }
    const inFlight =
      Object.keys(changes).length > 0
        ? {
            eventId: message.eventId,
            changes,
            leaseUntil: new Date(now.getTime() + deps.leaseSeconds * 1000).toISOString(),
          }
        : undefined;
    const next: FoApplyState = { ...(salt && { salt }), stamps: plan.stamps, ...(inFlight && { inFlight }) };
    const saved = await deps.states.save(legalEntity, customerAccount, next, etag);
    if (saved === false) continue;
    if (!inFlight) return { kind: 'unchanged', conflict };
    return { changes, state: next, etag: saved, conflict };
  }
  throw new ShopUpdateBusyError(message.eventId);
}

/** The stamps without those of `changes`' fields. */
function withoutFields(stamps: FieldStamps, changes: ShopChanges | undefined): FieldStamps {
  const kept: FieldStamps = { ...stamps };
  for (const field of Object.keys(changes ?? {}) as ShopField[]) delete kept[field];
  return kept;
}

type Unchanged = { kind: 'unchanged'; conflict?: Checked['conflict'] };

/** A conflict made visible: the `FoConflict` event (field names and the resolution, never values). */
function reportConflict(
  message: FoEventMessage,
  conflict: NonNullable<Checked['conflict']>,
  deps: ApplyToShopDeps,
): void {
  const fields = conflict.fields.join(',');
  deps.telemetry.trackEvent({
    name: 'FoConflict',
    properties: {
      source: message.source,
      legalEntity: message.legalEntity,
      outcome: conflict.resolution,
      reason: fields,
    },
  });
  deps.log.warn('fo_event.conflict', {
    legalEntity: message.legalEntity,
    customerAccount: message.customerAccount,
    source: message.source,
    outcome: conflict.resolution,
    reason: fields,
  });
}

/** Clears our in-flight mark (unless another instance took it over meanwhile). */
async function release(message: FoEventMessage, state: FoApplyState, etag: string, deps: ApplyToShopDeps) {
  const { legalEntity, customerAccount } = message;
  const done: FoApplyState = { ...(state.salt && { salt: state.salt }), stamps: state.stamps };
  if ((await deps.states.save(legalEntity, customerAccount, done, etag)) !== false) return;
  const again = await deps.states.get(legalEntity, customerAccount);
  if (again.state.inFlight?.eventId !== message.eventId) return;
  const { inFlight: _taken, ...settled } = again.state;
  await deps.states.save(legalEntity, customerAccount, settled, again.etag);
}

export async function applyToShop(input: unknown, deps: ApplyToShopDeps): Promise<ApplyResult> {
  const decoded = decodeFoEventMessage(input);
  if (!decoded) {
    deps.log.error('fo_event.invalid_message', {});
    return { kind: 'not-applied', reason: 'invalid-message' };
  }
  const message = decoded.v === 2 ? await deps.ledger.get(decoded.eventId) : decoded;
  if (!message) {
    // Its row is gone: the customer was erased, or the event is past FO_EVENTS_RETENTION_DAYS.
    deps.log.info('fo_event.gone', { reason: 'erased or past retention' });
    deps.telemetry.trackEvent({ name: 'FoShopUpdate', properties: { outcome: 'gone' } });
    return { kind: 'not-applied', reason: 'gone' };
  }
  return applyChangeToShop(message, deps);
}

/**
 * The same for a change that is no queue message: the safety net's repair (safety-net.ts), whose
 * `controlNumber` lies between the stamps it read and the next event F&O raises (a fraction).
 */
export async function applyChangeToShop(
  message: FoEventMessage,
  deps: ApplyToShopDeps,
): Promise<ApplyResult> {
  const logFields = {
    legalEntity: message.legalEntity,
    customerAccount: message.customerAccount,
    source: message.source,
  };
  const client = deps.shopClients.forSource(message.source, 'read');
  if (!client) {
    deps.log.warn('fo_event.no_shop_client', logFields);
    return { kind: 'not-applied', reason: 'no-shop-client' };
  }
  const claimed = await claim(message, client, deps);
  if (claimed === 'not-found') return { kind: 'not-applied', reason: 'not-found' };
  if (claimed.conflict) reportConflict(message, claimed.conflict, deps);
  if ('kind' in claimed) {
    deps.log.info('fo_event.unchanged', logFields);
    return { kind: 'unchanged' };
  }
  // D365 holds these values (the event says so): recorded before the shop call, so the shop's
  // `customers/update` echo, which may be handled before the call returns, diffs to nothing.
  await recordWrittenToShop(deps.links, message.legalEntity, message.customerAccount, claimed.changes);
  const result = await client.updateCustomer(message.sourceCustomerId, forShop(claimed.changes), {
    log: deps.log,
  });
  await release(message, claimed.state, claimed.etag, deps);
  const fields = Object.keys(claimed.changes) as ShopField[];
  if (result.kind !== 'written') {
    deps.log.warn('fo_event.shop_refused', { ...logFields, reason: result.kind });
    deps.telemetry.trackEvent({
      name: 'FoShopUpdate',
      properties: { source: message.source, outcome: result.kind, legalEntity: message.legalEntity },
    });
    return { kind: 'not-applied', reason: result.kind === 'not_found' ? 'not-found' : 'rejected' };
  }
  deps.telemetry.trackEvent({
    name: 'FoShopUpdate',
    properties: {
      source: message.source,
      outcome: 'written',
      legalEntity: message.legalEntity,
      reason: fields.join(','),
    },
  });
  deps.log.info('fo_event.applied', { ...logFields, reason: fields.join(',') });
  return { kind: 'applied', fields };
}
