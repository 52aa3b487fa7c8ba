// The worker's state machine (~500 lines): claim, gate slot, identity claim, lookup, fence and create
// share one lease and one record; the decisions are pure functions in shared/domain/worker-decisions.ts.
import { RetryPolicy } from '../domain/retry-policy';
import { decideDelivery, decideOnLookup, decideRetry } from '../domain/worker-decisions';
import { CustomerRequest, parseCustomerRequest } from '../domain/customer-contract';
import { Failure, ProcessingError } from '../domain/failure';
import { decodeQueueMessage, QueueMessage } from '../domain/queue-message';
import { clock, later, secondsUntil } from './clock';
import { resolveSourceCustomer, ResolveDeps } from './resolve-source-customer';
import { errorName } from './accept-customer';
import { sourceReferenceOf } from '../domain/webhooks/source-reference';
import { announceEnding } from './deliver-callback';
import { FAILURE_CODES, FailureCode, isTerminal, Outcome, StatusRecord } from '../domain/status';
import { linkVerificationFor } from '../domain/ownership';
import { customerIdentityKey } from '../domain/customer-identity';
import { decideRecoveryMatch } from '../domain/recovery-match';
import type { MatchedOn, NameAndPhoneMatch, RecoveryMatch } from '../domain/recovery-match';
import { lookUpByNameAndPhone, recoveryLookup } from './recovery-lookup';
import { landFurtherAddresses, LandAddressesDeps } from './land-further-addresses';
import {
  CallbackOutbox,
  CustomerLinks,
  CustomerQueue,
  D365Client,
  D365Gate,
  GateSlot,
  IdentityClaim,
  IdentityClaims,
  Log,
  StatusConflictError,
  StatusStore,
  Telemetry,
  D365GateUnavailableError,
} from '../ports';

export interface ProcessDeps
  extends
    Pick<ResolveDeps, 'sourceCustomers' | 'webhookSources'>,
    Pick<LandAddressesDeps, 'postalAddresses' | 'furtherAddressesOf'> {
  statusStore: StatusStore;
  d365: D365Client;
  gate: D365Gate;
  /**
   * Duplicate lookups that take a gate slot of their own (one per batch: batched-email-lookup.ts).
   * With it the worker looks a customer up before it takes the slot for the create, so a slot is
   * held only while a call runs; without it, lookup and create share one slot.
   */
  gatedLookup?: Pick<D365Client, 'findCustomersByEmail'>;
  /** Where retries are scheduled (the customer queue itself, with a visibility delay). */
  queue: CustomerQueue;
  /** Where a request that ran out of retries leaves its message for replay. */
  poisonQueue: CustomerQueue;
  telemetry: Telemetry;
  log: Log;
  /** Where result callbacks wait for delivery (absent: no callbacks). */
  callbackOutbox?: CallbackOutbox;
  /** The customer links (issue 17): a create that succeeds links the caller's customer to its account. */
  links?: CustomerLinks;
  target: StatusRecord['target'];
  defaultCustomerGroup: string;
  duplicatePolicy: 'link' | 'reject' | 'create';
  retry: RetryPolicy;
  leaseSeconds: number;
  /** How long one D365 call may take (D365_TIMEOUT_MS): the fence only sends a create with that much lease left. */
  callTimeoutMs: number;
  /** Per-customer claims (link/reject): one request at a time looks up and creates one identity. */
  identityClaims: IdentityClaims;
  /** How long an invocation may wait for a gate slot or a throttling pause before rescheduling instead. */
  maxInlineWaitMs?: number;
  /**
   * How long D365 may take to show a customer it created (a commit still running behind a gateway
   * timeout): a lookup after an uncertain create only concludes "not there" this long after the
   * create was sent; one after a 2xx without an account looks again for `ACCOUNT_LOOKUP_ROUNDS` times it.
   */
  settleSeconds?: number;
  now?: () => Date;
  random?: () => number;
}

export type ProcessResult =
  | { kind: 'succeeded'; customerAccount: string; outcome: Outcome }
  | { kind: 'failed'; code: FailureCode }
  /** D365 confirmed the create without an account and it could not be found: for an operator. */
  | { kind: 'needs-review' }
  /** A transient failure: the next attempt is queued for later. */
  | { kind: 'retrying'; delaySeconds: number }
  /** Someone else holds the request, or D365 asked us to wait: the message was queued again for later. */
  | { kind: 'deferred'; delaySeconds: number }
  /** The request had already ended: acknowledged without calling D365. */
  | { kind: 'already-finished' }
  | { kind: 'discarded' };

export interface ProcessOptions {
  /** How often a claim that conflicts is tried again, each time on a fresh read (default 3). */
  claimAttempts?: number;
  /**
   * The record as the intake just wrote it (`Prefer: wait`, processed in the same invocation): used
   * instead of reading it back. Its ETag makes the claim conditional as a read's would, so a record
   * that changed meanwhile only costs a conflict and a fresh read.
   */
  accepted?: StatusRecord;
}

export type CommonDeps = Pick<ProcessDeps, 'statusStore' | 'telemetry' | 'log' | 'now' | 'callbackOutbox'>;

/** Ends a request as `failed` (unless it already ended) and reports it. */
export async function recordFailure(
  record: StatusRecord,
  code: FailureCode,
  message: string,
  deps: CommonDeps,
): Promise<StatusRecord> {
  if (isTerminal(record.status)) return record;
  await announceEnding(record, 'failed', deps); // the callback outbox first: see deliver-callback.ts
  const failed = await deps.statusStore.update(record, {
    status: 'failed',
    errorCode: code,
    errorMessage: message,
    leaseUntil: undefined,
    nextAttemptAt: undefined,
    updatedAt: clock(deps).toISOString(),
  });
  const { correlationId, legalEntity } = record;
  deps.log.warn('customer.failed', {
    correlationId,
    legalEntity,
    code,
    reason: message,
    attempt: record.attempts,
  });
  deps.telemetry.trackEvent({
    name: 'CustomerFailed',
    properties: { correlationId, legalEntity, reason: code, attempts: String(record.attempts) },
  });
  return failed;
}

/** The failure message of a rejected duplicate: names the existing accounts (never the e-mail). */
export function duplicateMessage(accounts: readonly string[]): string {
  const which =
    accounts.length === 1 ? `account ${accounts[0]}` : `${accounts.length} accounts: ${accounts.join(', ')}`;
  return `${FAILURE_CODES.duplicate.replace(/\.$/, '')}: ${which}.`;
}

async function recordSuccess(
  record: StatusRecord,
  customerAccount: string,
  outcome: Outcome,
  d365Ms: number,
  deps: ProcessDeps,
  found: { existingAccounts?: string; matchedOn?: MatchedOn; slot?: GateSlot } = {},
): Promise<ProcessResult> {
  const { existingAccounts, matchedOn } = found;
  // The addresses CustomersV3 could not hold, under this request's lease (land-further-addresses.ts).
  const landing = await landFurtherAddresses(record, customerAccount, deps, found.slot);
  record = landing.record;
  await linkCreated(record, customerAccount, outcome, deps);
  await announceEnding(record, 'succeeded', deps); // the callback outbox first: see deliver-callback.ts
  await deps.statusStore.update(record, {
    status: 'succeeded',
    customerAccount,
    outcome,
    existingAccounts,
    matchedOn,
    ...(landing.addresses && { addresses: JSON.stringify(landing.addresses) }),
    lastError: undefined,
    leaseUntil: undefined,
    nextAttemptAt: undefined,
    payload: undefined,
    updatedAt: clock(deps).toISOString(),
  });
  const { correlationId, legalEntity, attempts } = record;
  const endToEndMs = clock(deps).getTime() - Date.parse(record.queuedAt ?? record.createdAt);
  deps.log.info('customer.succeeded', {
    correlationId,
    legalEntity,
    customerAccount,
    outcome,
    attempt: attempts,
  });
  deps.telemetry.trackEvent({
    name: 'CustomerSucceeded',
    properties: { correlationId, legalEntity, outcome, target: deps.target, attempts: String(attempts) },
    measurements: { endToEndMs, d365Ms },
  });
  return { kind: 'succeeded', customerAccount, outcome };
}

/**
 * Links the caller's customer to its account (before the record says `succeeded`, so an update
 * never finds a finished create without its link). The source is the webhook source or the
 * caller (`api` with function keys); the baseline of later updates is the create's request.
 */
async function linkCreated(
  record: StatusRecord,
  customerAccount: string,
  outcome: Outcome,
  deps: ProcessDeps,
): Promise<void> {
  if (!deps.links || record.kind === 'update' || record.payload === undefined) return;
  const verification = linkVerificationFor(outcome, record.identity); // the ownership policy
  const request = JSON.parse(record.payload) as { Customer?: unknown };
  if (typeof request.Customer !== 'object' || request.Customer === null) return;
  await deps.links.complete(
    {
      source: record.source ?? record.caller ?? 'api',
      ...(record.sourceCustomerId !== undefined && { sourceCustomerId: record.sourceCustomerId }),
      legalEntity: record.legalEntity,
      customerAccount,
      createCorrelationId: record.correlationId,
      createdAt: record.createdAt,
      ...(verification !== undefined && { verification }),
      baseline: record.payload,
      fieldStamps: '{}',
    },
    clock(deps).toISOString(),
  );
}

/** Reads the record for a message; re-creates it from the message if it is missing. */
async function loadRecord(
  message: QueueMessage,
  request: CustomerRequest,
  deps: ProcessDeps,
): Promise<StatusRecord> {
  const existing = await deps.statusStore.get(message.correlationId);
  if (existing) return existing;
  try {
    return await deps.statusStore.create({
      correlationId: message.correlationId,
      status: 'queued',
      legalEntity: request.Customer.LegalEntity,
      target: deps.target,
      attempts: 0,
      createdAt: message.acceptedAt,
      queuedAt: message.acceptedAt,
      updatedAt: clock(deps).toISOString(),
      payload: JSON.stringify(request),
    });
  } catch (error) {
    if (!(error instanceof StatusConflictError)) throw error;
    const record = await deps.statusStore.get(message.correlationId);
    if (!record) throw error;
    return record;
  }
}

/**
 * Whether this delivery of a request (a create or an update) is to be worked on now: the claim's
 * attempt, or the answer for a delivery that is not (already ended, held elsewhere, an early copy,
 * the fleet paused for longer than an invocation may wait: then the message goes back for later).
 */
export async function decideOrDefer(
  record: StatusRecord,
  message: QueueMessage,
  deps: ProcessDeps,
): Promise<{ attempt: number; mayExist: boolean } | { result: ProcessResult }> {
  const { correlationId } = record;
  const decision = decideDelivery(record, {
    now: clock(deps).getTime(),
    gatePausedUntil: deps.gate.pausedUntil(),
    realNow: Date.now(),
    maxInlineWaitMs: deps.maxInlineWaitMs ?? DEFAULT_MAX_INLINE_WAIT_MS,
  });
  switch (decision.kind) {
    case 'claim':
      return decision;
    case 'already-finished':
      deps.log.info('customer.redelivered_after_end', { correlationId, status: record.status });
      return { result: { kind: 'already-finished' } };
    case 'held-elsewhere': {
      // Another invocation holds it (e.g. the intake answering with Prefer: wait); look again later.
      const delaySeconds = await requeue(message, decision.delaySeconds, deps);
      deps.log.info('customer.held_elsewhere', {
        correlationId,
        status: record.status,
        retryAfterSeconds: delaySeconds,
      });
      return { result: { kind: 'deferred', delaySeconds } };
    }
    case 'not-due':
      deps.log.info('customer.not_due', { correlationId, status: record.status });
      return { result: { kind: 'discarded' } };
    case 'throttled': {
      const delaySeconds = await requeue(message, decision.delaySeconds, deps);
      deps.log.info('customer.deferred_by_throttling', { correlationId, retryAfterSeconds: delaySeconds });
      return { result: { kind: 'deferred', delaySeconds } };
    }
  }
}

/** Puts the message back on the queue for later and acknowledges this delivery. */
export async function requeue(
  message: QueueMessage,
  delaySeconds: number,
  deps: ProcessDeps,
): Promise<number> {
  const delay = Math.max(1, Math.ceil(delaySeconds));
  await deps.queue.send(message, { delaySeconds: delay });
  return delay;
}

/** The request ran out of attempts or time: `failed`, and its message kept in the poison queue. */
async function exhaust(
  record: StatusRecord,
  message: QueueMessage,
  deps: ProcessDeps,
): Promise<ProcessResult> {
  await deps.poisonQueue.send(message);
  deps.telemetry.trackEvent({
    name: 'CustomerPoisoned',
    properties: { correlationId: record.correlationId, legalEntity: record.legalEntity },
  });
  // D365 confirmed this customer: running out of lookups is not a failure to create it.
  if (record.acceptedWithoutAccountAt !== undefined) return recordNeedsReview(record, deps);
  const last = record.lastError ? ` Last error: ${record.lastError}.` : '';
  await recordFailure(record, 'retries_exhausted', `${FAILURE_CODES.retries_exhausted}${last}`, deps);
  return { kind: 'failed', code: 'retries_exhausted' };
}

/** Schedules the next attempt after a transient failure, or gives up when the policy says so. */
export async function scheduleRetry(
  record: StatusRecord,
  message: QueueMessage,
  failure: Extract<Failure, { kind: 'transient' }>,
  deps: ProcessDeps,
): Promise<ProcessResult> {
  const { correlationId, legalEntity } = record;
  if (failure.throttled) {
    await deps.gate.pause(failure.retryAfterSeconds ?? 1);
    deps.telemetry.trackEvent({
      name: 'D365Throttled',
      properties: { correlationId, legalEntity },
      measurements: { retryAfterSeconds: failure.retryAfterSeconds ?? 1 },
    });
  }
  const withError = { ...record, lastError: failure.reason };
  const next = decideRetry(record, failure, {
    now: clock(deps).getTime(),
    policy: deps.retry,
    random: deps.random,
  });
  if (next.kind === 'exhausted') return exhaust(withError, message, deps);
  // The next attempt's message first: if we die before the record says `retrying`, the lease
  // runs out and the message still comes.
  const { delaySeconds } = next;
  await deps.queue.send(message, { delaySeconds });
  await deps.statusStore
    .update(record, {
      status: 'retrying',
      lastError: failure.reason,
      nextAttemptAt: later(deps, delaySeconds),
      leaseUntil: undefined,
      updatedAt: clock(deps).toISOString(),
    })
    .catch((error: unknown) => {
      if (!(error instanceof StatusConflictError)) throw error;
    });
  deps.log.warn('customer.retry_scheduled', {
    correlationId,
    legalEntity,
    attempt: record.attempts,
    reason: failure.reason,
    retryAfterSeconds: delaySeconds,
  });
  deps.telemetry.trackEvent({
    name: 'CustomerRetryScheduled',
    properties: { correlationId, legalEntity, reason: failure.reason, attempts: String(record.attempts) },
    measurements: { delayMs: delaySeconds * 1000 },
  });
  return { kind: 'retrying', delaySeconds };
}

/** Lease beyond a D365 call's timeout that the fence demands, for the writes around the call. */
export const FENCE_MARGIN_SECONDS = 5;
/** Default for `maxInlineWaitMs`: a throttling pause or a full gate this long is waited out in place. */
export const DEFAULT_MAX_INLINE_WAIT_MS = 120_000;

/**
 * Gives the attempt back and queues the request for later: it waited for a gate slot, a throttling
 * pause or another request of the same customer, and never called D365 for it.
 */
export async function giveBack(
  record: StatusRecord,
  message: QueueMessage,
  delaySeconds: number,
  reason: string,
  deps: ProcessDeps,
): Promise<ProcessResult> {
  const delay = Math.max(1, Math.ceil(delaySeconds));
  await deps.queue.send(message, { delaySeconds: delay });
  await deps.statusStore
    .update(record, {
      status: 'retrying',
      attempts: Math.max(0, record.attempts - 1),
      nextAttemptAt: later(deps, delay),
      leaseUntil: undefined,
      updatedAt: clock(deps).toISOString(),
    })
    .catch((error: unknown) => {
      if (!(error instanceof StatusConflictError)) throw error;
    });
  deps.log.info('customer.deferred', {
    correlationId: record.correlationId,
    reason,
    retryAfterSeconds: delay,
  });
  return { kind: 'deferred', delaySeconds: delay };
}

/** How many settle periods a customer confirmed without an account is looked for before `needs_review`. */
export const ACCOUNT_LOOKUP_ROUNDS = 3;

const DEFAULT_SETTLE_SECONDS = 10;

/**
 * D365 confirmed the create but the customer cannot be found, or several customers match its name
 * and phone (`candidates`, recovery-match.ts): an operator looks in D365.
 */
async function recordNeedsReview(
  record: StatusRecord,
  deps: CommonDeps,
  candidates?: readonly string[],
): Promise<ProcessResult> {
  await announceEnding(record, 'needs_review', deps); // the callback outbox first: see deliver-callback.ts
  await deps.statusStore.update(record, {
    status: 'needs_review',
    errorCode: 'account_not_found',
    errorMessage: candidates ? ambiguousMessage(candidates) : FAILURE_CODES.account_not_found,
    ...(candidates && { existingAccounts: candidates.join(','), matchedOn: 'name_and_phone' as const }),
    leaseUntil: undefined,
    nextAttemptAt: undefined,
    updatedAt: clock(deps).toISOString(),
  });
  const { correlationId, legalEntity } = record;
  deps.log.warn('customer.needs_review', { correlationId, legalEntity, attempt: record.attempts });
  deps.telemetry.trackEvent({
    name: 'CustomerFailed',
    properties: {
      correlationId,
      legalEntity,
      reason: 'account_not_found',
      attempts: String(record.attempts),
    },
  });
  return { kind: 'needs-review' };
}

/** The `needs_review` message when several customers match by name and phone (accounts only, no personal data). */
export function ambiguousMessage(accounts: readonly string[]): string {
  return `No D365 customer has this request's e-mail, and ${accounts.length} customers without an e-mail have its name and phone (${accounts.join(', ')}): an operator decides which one is this request's customer; it is never replayed into another create.`;
}

/** Seconds since an ISO time (0 when absent). */
const secondsSince = (deps: CommonDeps, iso: string | undefined): number =>
  iso === undefined ? 0 : (clock(deps).getTime() - Date.parse(iso)) / 1000;

/**
 * Takes a fleet gate slot for a claimed request, renewing the request's lease while it waits (so
 * queueing never eats the lease); after `maxInlineWaitMs`, or a pause that ends later, gives the
 * attempt back instead. A renewal that conflicts means another invocation took the request over.
 */
export async function takeSlot(
  record: StatusRecord,
  message: QueueMessage,
  deps: ProcessDeps,
  /** Called at every lease renewal while waiting (keeps a customer claim taken before the slot). */
  keepAlive?: () => Promise<unknown>,
): Promise<{ slot: GateSlot; record: StatusRecord } | { result: ProcessResult }> {
  const deadline = Date.now() + (deps.maxInlineWaitMs ?? DEFAULT_MAX_INLINE_WAIT_MS);
  let current = record;
  for (;;) {
    const chunk = Math.max(0, Math.min((deps.leaseSeconds * 1000) / 3, deadline - Date.now()));
    const answer = await deps.gate.acquire(chunk);
    if ('run' in answer) return { slot: answer, record: current };
    if (answer.retryAt > deadline || Date.now() >= deadline) {
      const wait = Math.max(1, (answer.retryAt - Date.now()) / 1000);
      const reason =
        answer.reason === 'paused' ? 'D365 is throttling the fleet (429)' : 'every D365 slot is taken';
      return { result: await giveBack(current, message, wait, reason, deps) };
    }
    current = await deps.statusStore.update(current, {
      leaseUntil: later(deps, deps.leaseSeconds),
      updatedAt: clock(deps).toISOString(),
    });
    await keepAlive?.();
  }
}

/**
 * A lookup is a read: whatever it answers, other than "not allowed", says nothing final about the
 * request. In `slot`, or through `deps.gatedLookup` (which takes a slot of its own) without one.
 */
async function lookUp(
  slot: GateSlot | undefined,
  legalEntity: string,
  email: string,
  deps: ProcessDeps,
): Promise<string[]> {
  try {
    if (!slot) return await deps.gatedLookup!.findCustomersByEmail(legalEntity, email);
    return await slot.run(() => deps.d365.findCustomersByEmail(legalEntity, email));
  } catch (error) {
    if (error instanceof ProcessingError && error.failure.kind === 'permanent') {
      if (error.failure.code === 'business_error')
        throw new ProcessingError({
          kind: 'transient',
          reason: `D365 lookup failed: ${error.failure.message}`,
        });
    }
    throw error;
  }
}

/**
 * The worker's use-case. Claims the request through the state machine (conditional updates and
 * a lease), takes a fleet-wide D365 slot, claims the customer's identity (link/reject), looks the
 * customer up in D365 when it may already exist (a previous attempt reached `submitting`, or the
 * duplicate policy asks), creates it behind the fence, and records the outcome. Transient failures
 * schedule the next attempt on the queue with a delay (Retry-After, else back-off with full jitter)
 * and acknowledge this delivery; permanent ones end the request as `failed`.
 */
export async function processCustomerMessage(
  input: unknown,
  deps: ProcessDeps,
  options: ProcessOptions = {},
): Promise<ProcessResult> {
  const { claimAttempts = 3 } = options;
  const decoded = decodeQueueMessage(input);
  if (!decoded.ok) {
    deps.log.error('customer.message.invalid', { correlationId: decoded.correlationId });
    const record = decoded.correlationId ? await deps.statusStore.get(decoded.correlationId) : undefined;
    if (record) await recordFailure(record, 'invalid_message', FAILURE_CODES.invalid_message, deps);
    return { kind: 'discarded' };
  }
  const { message } = decoded;
  const { correlationId } = message;
  // A webhook that only named the shop's customer: it is read from the shop once claimed (below).
  const reference = sourceReferenceOf(message.request);
  let request: CustomerRequest | undefined;
  if (!reference) {
    const parsed = parseCustomerRequest(message.request, { defaultCustomerGroup: deps.defaultCustomerGroup });
    if (!parsed.ok) {
      deps.log.error('customer.message.invalid', {
        correlationId,
        reason: parsed.errors.map((e) => e.pointer).join(','),
      });
      const record = await deps.statusStore.get(correlationId);
      if (record) await recordFailure(record, 'invalid_message', FAILURE_CODES.invalid_message, deps);
      return { kind: 'discarded' };
    }
    request = parsed.value;
  }

  const accepted = options.accepted?.correlationId === correlationId ? options.accepted : undefined;
  const found =
    accepted ??
    (request ? await loadRecord(message, request, deps) : await deps.statusStore.get(correlationId));
  if (!found) {
    deps.log.error('customer.message.invalid', { correlationId, reason: 'no record for a source reference' });
    return { kind: 'discarded' };
  }
  let record = found;
  const { legalEntity } = record;
  const decision = await decideOrDefer(record, message, deps);
  if ('result' in decision) return decision.result;
  // Claim it; a create may have been sent before (`mayExist`): then look it up first.
  const { attempt, mayExist } = decision;
  // When the create was (last) sent: a dead invocation's `submitting` record was last written then.
  const submittedAt = record.submittedAt ?? (record.status === 'submitting' ? record.updatedAt : undefined);
  try {
    record = await deps.statusStore.update(record, {
      status: 'processing',
      attempts: attempt,
      leaseUntil: later(deps, deps.leaseSeconds),
      nextAttemptAt: undefined,
      queuedAt: record.queuedAt ?? record.createdAt,
      updatedAt: clock(deps).toISOString(),
    });
  } catch (error) {
    if (!(error instanceof StatusConflictError)) throw error;
    // The record changed between our read and our claim: the intake marking it `queued`, or
    // another invocation claiming it. Look again: the checks above tell which (a live lease
    // defers the message until it ends).
    if (claimAttempts > 1) return processCustomerMessage(input, deps, { claimAttempts: claimAttempts - 1 });
    const delaySeconds = await requeue(message, 1, deps);
    return { kind: 'deferred', delaySeconds };
  }
  deps.log.info('customer.processing', { correlationId, legalEntity, attempt });

  let slot: GateSlot | undefined;
  /** The slot's give-back after the create, running while the outcome is written. */
  let releasing: Promise<void> | undefined;
  let identity: IdentityClaim | undefined;
  /** Whether the identity claim stays until it expires (a create of unknown outcome was sent). */
  let keepIdentity = false;
  const started = Date.now();
  try {
    if (reference) ({ record, request } = await resolveSourceCustomer(reference, record, deps));
    const customer = request!;
    const email = customer.Customer.EmailAddress;
    const callSeconds = deps.callTimeoutMs / 1000 + FENCE_MARGIN_SECONDS;
    /** A gate slot for this request, keeping the customer claim (if held) alive while it waits. */
    const takeSlotKeepingClaim = () => {
      const claim = identity;
      return takeSlot(record, message, deps, () =>
        claim ? claim.extend(later(deps, 2 * callSeconds)) : Promise.resolve(),
      );
    };
    const lookUpFirst = deps.gatedLookup !== undefined && (mayExist || deps.duplicatePolicy !== 'create');
    if (!lookUpFirst) {
      const taken = await takeSlot(record, message, deps);
      if ('result' in taken) return taken.result;
      ({ slot, record } = taken);
    }
    if (deps.duplicatePolicy !== 'create') {
      // Lookup and create of one customer identity: one request at a time, on any instance.
      const claimed = await deps.identityClaims.claim(
        customerIdentityKey(legalEntity, email),
        correlationId,
        later(deps, 2 * callSeconds),
      );
      if ('held' in claimed) {
        const wait = Math.min(Math.max(1, secondsUntil(deps, claimed.until)), 5);
        return await giveBack(record, message, wait, 'another request holds this customer', deps);
      }
      identity = claimed;
    }
    if (mayExist || deps.duplicatePolicy !== 'create') {
      let accounts: string[] | undefined;
      const deadline = Date.now() + (deps.maxInlineWaitMs ?? DEFAULT_MAX_INLINE_WAIT_MS);
      while (accounts === undefined) {
        try {
          accounts = await lookUp(slot, legalEntity, email, deps);
        } catch (error) {
          if (!(error instanceof D365GateUnavailableError)) throw error;
          // A full gate (its batch waited its time) is waited out in place, as takeSlot does; a
          // throttling pause too long to wait (or the deadline) gives the attempt back.
          if (error.reason === 'paused' || error.retryAt > deadline || Date.now() >= deadline) {
            const wait = Math.max(1, (error.retryAt - Date.now()) / 1000);
            return await giveBack(record, message, wait, error.message, deps);
          }
          record = await deps.statusStore.update(record, {
            leaseUntil: later(deps, deps.leaseSeconds),
            updatedAt: clock(deps).toISOString(),
          });
          if (identity && !(await identity.extend(later(deps, 2 * callSeconds)))) {
            identity = undefined;
            return await giveBack(record, message, 1, 'the customer claim ran out', deps);
          }
        }
      }
      // A create may have reached D365: the recovery rule (e-mail, then name and phone); else the
      // duplicate policy's lookup, by e-mail only (README, "Recovery lookups").
      const settle = deps.settleSeconds ?? DEFAULT_SETTLE_SECONDS;
      // By name and phone only where "not found" would decide something: D365 confirmed the
      // customer, or the create is settled and would be sent again (an unsettled miss looks again anyway).
      // Measured before the lookup: only a lookup that starts a settle time after the create counts.
      const sinceSubmit = secondsSince(deps, submittedAt);
      const decisive = record.acceptedWithoutAccountAt !== undefined || sinceSubmit >= settle;
      let match: RecoveryMatch | undefined;
      if (mayExist) {
        let byNameAndPhone: NameAndPhoneMatch[] | undefined;
        if (accounts.length === 0 && decisive && customer.Customer.ContactNumber !== undefined) {
          if (!slot) {
            // Looked up without a slot (batched): this read needs one; the create then uses it.
            const taken = await takeSlotKeepingClaim();
            if ('result' in taken) return taken.result;
            ({ slot, record } = taken);
          }
          byNameAndPhone = await lookUpByNameAndPhone(slot, deps.d365, customer);
        }
        match = decideRecoveryMatch(accounts, byNameAndPhone);
        if (match.kind === 'ambiguous') return await recordNeedsReview(record, deps, match.accounts);
        if (match.kind === 'found') accounts = match.existingAccounts?.split(',') ?? [match.account];
      }
      const matchedOn: MatchedOn = match?.kind === 'found' ? match.matchedOn : 'email';
      const found = decideOnLookup(accounts, { mayExist, duplicatePolicy: deps.duplicatePolicy });
      if (accounts.length > 1) {
        // Account numbers are not personal data; the e-mail that matched them is never logged.
        deps.log.warn('customer.several_matches', {
          correlationId,
          legalEntity,
          reason: `${accounts.length} customers have this e-mail: ${accounts.join(', ')}`,
        });
      }
      const elapsedMs = Date.now() - started;
      switch (found.kind) {
        case 'recover':
          deps.log.info('customer.recovered', {
            correlationId,
            legalEntity,
            customerAccount: found.account,
            reason: `matched on ${matchedOn}`,
          });
          return await recordSuccess(record, found.account, 'created', elapsedMs, deps, {
            existingAccounts: found.existingAccounts,
            matchedOn,
            slot,
          });
        case 'reject':
          record = await deps.statusStore.update(record, {
            existingAccounts: found.existingAccounts,
            matchedOn,
          });
          await recordFailure(record, 'duplicate', duplicateMessage(accounts), deps);
          return { kind: 'failed', code: 'duplicate' };
        case 'link':
          return await recordSuccess(record, found.account, 'linked', elapsedMs, deps, {
            existingAccounts: found.existingAccounts,
            matchedOn,
            slot,
          });
        case 'create':
          break;
      }
      if (record.acceptedWithoutAccountAt !== undefined) {
        // D365 said it created the customer: look again (it may still be committing), never create.
        if (secondsSince(deps, record.acceptedWithoutAccountAt) >= settle * ACCOUNT_LOOKUP_ROUNDS)
          return await recordNeedsReview(record, deps);
        keepIdentity = true; // the customer exists: its claim stays until it expires
        throw new ProcessingError({
          kind: 'transient',
          reason: 'D365 confirmed the customer without its account; it is not visible yet',
          retryAfterSeconds: settle,
        });
      }
      const unsettled = mayExist ? settle - sinceSubmit : 0;
      if (unsettled > 0) {
        // An uncertain create may still be committing: look again before creating a second one.
        keepIdentity = true;
        throw new ProcessingError({
          kind: 'transient',
          reason: 'waiting for D365 to settle before concluding the customer was not created',
          retryAfterSeconds: Math.ceil(unsettled),
        });
      }
    }
    if (!slot) {
      // Looked up without a slot (batched): the create's slot now.
      const taken = await takeSlotKeepingClaim();
      if ('result' in taken) return taken.result;
      ({ slot, record } = taken);
    }
    // The fence: the last write before the create, conditional on the record's ETag (nobody took the
    // request over), and only with lease (and identity claim) left for the whole call. A claim that
    // already lasts that long is not written again (no other request can take it before then): one
    // Table write less inside the D365 slot.
    const fenceUntil = later(deps, Math.max(callSeconds, secondsUntil(deps, record.leaseUntil)));
    if (identity && identity.until < fenceUntil && !(await identity.extend(fenceUntil))) {
      identity = undefined;
      return await giveBack(record, message, 1, 'the customer claim ran out', deps);
    }
    record = await deps.statusStore.update(record, {
      status: 'submitting',
      submittedAt: record.submittedAt ?? clock(deps).toISOString(),
      leaseUntil: fenceUntil,
      updatedAt: clock(deps).toISOString(),
    });
    keepIdentity = true;
    let customerAccount: string | undefined;
    const held = slot;
    let recoveredOn: MatchedOn | undefined;
    try {
      ({ customerAccount } = await held.run(() => deps.d365.createCustomer(customer)));
    } catch (error) {
      // A business rejection after the create may still have committed (an X++ exception thrown after
      // the insert); under link/reject our claim means an account with this e-mail now is ours.
      if (
        !(error instanceof ProcessingError) ||
        error.failure.kind !== 'permanent' ||
        error.failure.code !== 'business_error' ||
        deps.duplicatePolicy === 'create'
      )
        throw error;
      const match = await recoveryLookup(held, deps.d365, customer, { byNameAndPhone: true });
      if (match.kind !== 'found') throw error;
      deps.log.info('customer.recovered', {
        correlationId,
        legalEntity,
        customerAccount: match.account,
        reason: `matched on ${match.matchedOn}`,
      });
      customerAccount = match.account;
      recoveredOn = match.matchedOn;
    }
    // D365's part is done: the slot goes to the next call now, while the outcome is written (a
    // failed give-back only keeps the row until its lease ends).
    releasing = held.release().catch((error: unknown) =>
      deps.log.warn('customer.slot_release_failed', {
        correlationId,
        legalEntity,
        reason: errorName(error),
      }),
    );
    if (customerAccount === undefined) {
      // A 2xx without an account: created; find its account after the settle time (the customer
      // claim stays until it expires, so nobody creates this customer meanwhile).
      const now = clock(deps).toISOString();
      record = await deps.statusStore.update(record, {
        acceptedWithoutAccountAt: now,
        submittedAt: record.submittedAt ?? now,
        updatedAt: now,
      });
      throw new ProcessingError({
        kind: 'transient',
        reason: 'D365 confirmed the customer without its account; looking it up',
        retryAfterSeconds: deps.settleSeconds ?? DEFAULT_SETTLE_SECONDS,
      });
    }
    keepIdentity = false;
    // The slot is given up: further addresses (if any) take one of their own.
    return await recordSuccess(record, customerAccount, 'created', Date.now() - started, deps, {
      matchedOn: recoveredOn,
    });
  } catch (error) {
    if (error instanceof StatusConflictError) {
      // Our lease ran out and another invocation moved the request on; it owns it now.
      deps.log.warn('customer.lease_lost', { correlationId, legalEntity, attempt });
      keepIdentity = true;
      return { kind: 'discarded' };
    }
    if (!(error instanceof ProcessingError)) throw error;
    const { failure } = error;
    if (failure.kind === 'permanent') {
      keepIdentity = false;
      await recordFailure(record, failure.code, failure.message, deps);
      return { kind: 'failed', code: failure.code };
    }
    return await scheduleRetry(record, message, failure, deps);
  } finally {
    await (releasing ?? slot?.release());
    if (identity && !keepIdentity) await identity.release();
  }
}
