import { CustomerRequest } from '../../domain/customer-contract';
import { claimKeyOf, matchKeyOf } from '../../domain/customer-match';
import { errorName, ProcessingError } from '../../domain/failure';
import type { MatchedOn } from '../../domain/recovery-match';
import type { SourceReference } from '../../domain/webhooks/source-reference';
import { clock, later, secondsUntil } from '../clock';
import { CreateHold, releaseHold, releaseIdentityNow, takeCreateSlot } from './create-hold';
import { finishCreate } from './created';
import { callSeconds, Claimed, ProcessResult, settleSecondsOf, Stop, WorkerDeps } from './deps';
import { endAfterError, giveBack, isPermanent, retryAfter } from './endings';
import { lookUpBeforeCreate } from './lookup';
import { recoveryLookup } from './recovery';
import { resolveSourceCustomer } from './resolve-source';
import { StatusConflictError } from '../../ports';

/** A create as the dispatch decoded it: the customer, or a shop's reference to read it from. */
export type CreateMessage = { request: CustomerRequest } | { reference: SourceReference };

/**
 * A claimed create: `processing` → (lookup) → `submitting` (the fence) → `succeeded`, or an ending on
 * the way. Whatever it holds (gate slot, customer claim) is given up when it ends; the customer
 * claim stays (until it expires) once a create of unknown outcome was sent.
 */
export async function runCreate(
  work: Claimed,
  create: CreateMessage,
  deps: WorkerDeps,
): Promise<ProcessResult> {
  // Claimed with its slot (claimAtFence): already `submitting`, the create may exist from here on.
  const hold: CreateHold = work.slot ? { slot: work.slot, keepIdentity: true } : { keepIdentity: false };
  try {
    return await createSteps(work, create, hold, deps);
  } catch (error) {
    // A lost lease: the invocation that took the request over may rely on the claim. A permanent
    // failure: nobody will create this customer for this request.
    if (error instanceof StatusConflictError) hold.keepIdentity = true;
    else if (isPermanent(error)) hold.keepIdentity = false;
    return await endAfterError(error, work.record, work.message, deps);
  } finally {
    await releaseHold(hold);
  }
}

async function createSteps(
  work: Claimed,
  create: CreateMessage,
  hold: CreateHold,
  deps: WorkerDeps,
): Promise<ProcessResult> {
  const customer = await customerOf(work, create, deps);
  const lookUp = work.mayExist || deps.duplicatePolicy !== 'create';
  // Batched lookups take a slot of their own: the create's slot is taken after them.
  const slotFirst = deps.gatedLookup === undefined || !lookUp;
  // Each step ends the request (a result) or lets the next one run (undefined).
  const stop =
    (slotFirst ? await takeCreateSlot(work, hold, deps) : undefined) ??
    (deps.duplicatePolicy !== 'create' ? await claimIdentity(work, hold, customer, deps) : undefined) ??
    (lookUp ? await lookUpBeforeCreate(work, hold, customer, deps) : undefined) ??
    (await takeCreateSlot(work, hold, deps)) ?? // no-op when the slot is already held
    (work.slot ? undefined : await fence(work, hold, deps)); // processing → submitting
  if (stop) return stop;
  const sent = await sendCreate(work, hold, customer, deps);
  if (sent.customerAccount === undefined) return awaitAccount(work, deps);
  hold.keepIdentity = false;
  releaseIdentityNow(hold); // beside the outcome's writes, not after them
  // The slot is given up: further addresses (if any) take one of their own.
  return finishCreate(work, sent.customerAccount, 'created', deps, { matchedOn: sent.recoveredOn });
}

/** The customer to create: the message's, or (a webhook that only named it) read from the shop once. */
async function customerOf(work: Claimed, create: CreateMessage, deps: WorkerDeps): Promise<CustomerRequest> {
  if ('request' in create) return create.request;
  const resolved = await resolveSourceCustomer(create.reference, work.record, deps);
  work.record = resolved.record;
  return resolved.request;
}

/**
 * Lookup and create of one customer identity (link/reject): one request at a time, on any instance.
 * The identity is the duplicate policy's key (shared/domain/customer-match.ts): the e-mail, or for a
 * customer without one its last name and phone (a household: `claimKeyOf`; its first name too when
 * it has no last name).
 */
async function claimIdentity(
  work: Claimed,
  hold: CreateHold,
  customer: CustomerRequest,
  deps: WorkerDeps,
): Promise<Stop> {
  const { correlationId, legalEntity } = work.record;
  const claimed = await deps.identityClaims.claim(
    claimKeyOf(legalEntity, matchKeyOf(customer.Customer)),
    correlationId,
    later(deps, 2 * callSeconds(deps)),
  );
  if (!('held' in claimed)) {
    hold.identity = claimed;
    return undefined;
  }
  const wait = Math.min(Math.max(1, secondsUntil(deps, claimed.until)), 5);
  return giveBack(work.record, work.message, wait, 'another request holds this customer', deps);
}

/**
 * The fence: the last write before the create, conditional on the record's ETag (nobody took the
 * request over), and only with lease (and identity claim) left for the whole call. A claim that
 * already lasts that long is not written again (no other request can take it before then): one
 * Table write less inside the D365 slot. From here on the customer may exist (`submitting`).
 */
async function fence(work: Claimed, hold: CreateHold, deps: WorkerDeps): Promise<Stop> {
  const fenceUntil = later(deps, Math.max(callSeconds(deps), secondsUntil(deps, work.record.leaseUntil)));
  const { identity } = hold;
  if (identity && identity.until < fenceUntil && !(await identity.extend(fenceUntil))) {
    hold.identity = undefined;
    return giveBack(work.record, work.message, 1, 'the customer claim ran out', deps);
  }
  work.record = await deps.statusStore.update(work.record, {
    status: 'submitting',
    submittedAt: work.record.submittedAt ?? clock(deps).toISOString(),
    leaseUntil: fenceUntil,
    updatedAt: clock(deps).toISOString(),
  });
  hold.keepIdentity = true;
  return undefined;
}

/**
 * The create call, in the slot. A business rejection may still have committed (an X++ exception
 * thrown after the insert): under link/reject our claim means an account with this e-mail now is
 * ours. D365's part is done after it: the slot goes to the next call while the outcome is written
 * (a failed give-back only keeps the row until its lease ends).
 */
async function sendCreate(
  work: Claimed,
  hold: CreateHold,
  customer: CustomerRequest,
  deps: WorkerDeps,
): Promise<{ customerAccount?: string; recoveredOn?: MatchedOn }> {
  const slot = hold.slot!;
  let sent: { customerAccount?: string; recoveredOn?: MatchedOn };
  try {
    sent = await slot.run(() => deps.d365.createCustomer(customer));
  } catch (error) {
    const rejected =
      error instanceof ProcessingError &&
      error.failure.kind === 'permanent' &&
      error.failure.code === 'business_error';
    if (!rejected || deps.duplicatePolicy === 'create') throw error;
    const match = await recoveryLookup(slot, deps.d365, customer, { byNameAndPhone: true });
    if (match.kind !== 'found') throw error;
    const { correlationId, legalEntity } = work.record;
    deps.log.info('customer.recovered', {
      correlationId,
      legalEntity,
      customerAccount: match.account,
      reason: `matched on ${match.matchedOn}`,
    });
    sent = { customerAccount: match.account, recoveredOn: match.matchedOn };
  }
  const { correlationId, legalEntity } = work.record;
  hold.releasing = slot
    .release()
    .catch((error: unknown) =>
      deps.log.warn('customer.slot_release_failed', { correlationId, legalEntity, reason: errorName(error) }),
    );
  return sent;
}

/**
 * A 2xx without an account: created; its account is looked up after the settle time (the customer
 * claim stays until it expires, so nobody creates this customer meanwhile).
 */
async function awaitAccount(work: Claimed, deps: WorkerDeps): Promise<ProcessResult> {
  const now = clock(deps).toISOString();
  work.record = await deps.statusStore.update(work.record, {
    acceptedWithoutAccountAt: now,
    submittedAt: work.record.submittedAt ?? now,
    updatedAt: now,
  });
  const reason = 'D365 confirmed the customer without its account; looking it up';
  const failure = { kind: 'transient' as const, reason, retryAfterSeconds: settleSecondsOf(deps) };
  return retryAfter(work.record, work.message, failure, deps);
}
