// The worker's state machine in one file (~360 lines): claim, lookup, create and the outcome share
// one lease and one record; the fleet issue (#10) reworks these transitions (fencing), and splits the
// decision from its side effects then.
import { backoffSeconds, RetryPolicy } from '../domain/retry-policy';
import { CustomerRequest, parseCustomerRequest } from '../domain/customer-contract';
import { Failure, ProcessingError } from '../domain/failure';
import { decodeQueueMessage, QueueMessage } from '../domain/queue-message';
import { clock, later, secondsUntil } from './clock';
import { resolveSourceCustomer, ResolveDeps } from './resolve-source-customer';
import { sourceReferenceOf } from '../domain/webhooks/source-reference';
import { FAILURE_CODES, FailureCode, isTerminal, Outcome, StatusRecord } from '../domain/status';
import {
  CustomerQueue,
  D365Client,
  D365Gate,
  Log,
  StatusConflictError,
  StatusStore,
  Telemetry,
} from '../ports';

export interface ProcessDeps extends Pick<ResolveDeps, 'sourceCustomers' | 'webhookSources'> {
  statusStore: StatusStore;
  d365: D365Client;
  gate: D365Gate;
  /** Where retries are scheduled (the customer queue itself, with a visibility delay). */
  queue: CustomerQueue;
  /** Where a request that ran out of retries leaves its message for replay. */
  poisonQueue: CustomerQueue;
  telemetry: Telemetry;
  log: Log;
  target: StatusRecord['target'];
  defaultCustomerGroup: string;
  duplicatePolicy: 'link' | 'reject' | 'create';
  retry: RetryPolicy;
  leaseSeconds: number;
  /** How long an invocation may wait for D365's throttling pause before rescheduling instead. */
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

export type CommonDeps = Pick<ProcessDeps, 'statusStore' | 'telemetry' | 'log' | 'now'>;

/** Ends a request as `failed` (unless it already ended) and reports it. */
export async function recordFailure(
  record: StatusRecord,
  code: FailureCode,
  message: string,
  deps: CommonDeps,
): Promise<StatusRecord> {
  if (isTerminal(record.status)) return record;
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
  existingAccounts?: string,
): Promise<ProcessResult> {
  await deps.statusStore.update(record, {
    status: 'succeeded',
    customerAccount,
    outcome,
    existingAccounts,
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

/** Puts the message back on the queue for later and acknowledges this delivery. */
async function requeue(message: QueueMessage, delaySeconds: number, deps: ProcessDeps): Promise<number> {
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
async function scheduleRetry(
  record: StatusRecord,
  message: QueueMessage,
  failure: Extract<Failure, { kind: 'transient' }>,
  deps: ProcessDeps,
): Promise<ProcessResult> {
  const { correlationId, legalEntity } = record;
  if (failure.throttled) {
    deps.gate.pause(failure.retryAfterSeconds ?? 1);
    deps.telemetry.trackEvent({
      name: 'D365Throttled',
      properties: { correlationId, legalEntity },
      measurements: { retryAfterSeconds: failure.retryAfterSeconds ?? 1 },
    });
  }
  const withError = { ...record, lastError: failure.reason };
  const delay = failure.retryAfterSeconds ?? backoffSeconds(record.attempts, deps.retry, deps.random);
  const elapsed = (clock(deps).getTime() - Date.parse(record.queuedAt ?? record.createdAt)) / 1000;
  if (record.attempts >= deps.retry.maxAttempts || elapsed + delay > deps.retry.maxTotalSeconds) {
    return exhaust(withError, message, deps);
  }
  // The next attempt's message first: if we die before the record says `retrying`, the lease
  // runs out and the message still comes.
  const delaySeconds = Math.max(0, Math.ceil(delay));
  await deps.queue.send(message, { delaySeconds });
  await deps.statusStore
    .update(record, {
      status: 'retrying',
      // A create call that failed without a clear answer may have created the customer.
      ...(failure.uncertain &&
        record.status === 'submitting' && { submittedAt: record.submittedAt ?? clock(deps).toISOString() }),
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

/** How many settle periods a customer confirmed without an account is looked for before `needs_review`. */
export const ACCOUNT_LOOKUP_ROUNDS = 3;

const DEFAULT_SETTLE_SECONDS = 10;

/** D365 confirmed the create but the customer cannot be found: an operator looks in D365. */
async function recordNeedsReview(record: StatusRecord, deps: CommonDeps): Promise<ProcessResult> {
  await deps.statusStore.update(record, {
    status: 'needs_review',
    errorCode: 'account_not_found',
    errorMessage: FAILURE_CODES.account_not_found,
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

/** Seconds since an ISO time (0 when absent). */
const secondsSince = (deps: CommonDeps, iso: string | undefined): number =>
  iso === undefined ? 0 : (clock(deps).getTime() - Date.parse(iso)) / 1000;

/** Runs a D365 call through the gate; a long throttling pause becomes a transient failure to reschedule. */
async function throughGate<T>(call: () => Promise<T>, deps: ProcessDeps): Promise<T> {
  const result = await deps.gate.run(call, deps.maxInlineWaitMs ?? 5_000);
  if ('value' in result) return result.value;
  throw new ProcessingError({
    kind: 'transient',
    reason: 'D365 is throttling this instance (429)',
    retryAfterSeconds: Math.ceil(secondsUntil(deps, result.deferredUntil)),
    throttled: true,
  });
}

/**
 * The worker's use-case. Claims the request through the state machine (conditional updates and
 * a lease), looks the customer up in D365 when it may already exist (a previous attempt reached
 * `submitting`, or the duplicate policy asks), creates it, and records the outcome. Transient
 * failures schedule the next attempt on the queue with a delay (Retry-After, else back-off with
 * full jitter) and acknowledge this delivery; permanent ones end the request as `failed`.
 */
export async function processCustomerMessage(
  input: unknown,
  deps: ProcessDeps,
  claimAttempts = 3,
): Promise<ProcessResult> {
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

  const found = request
    ? await loadRecord(message, request, deps)
    : await deps.statusStore.get(correlationId);
  if (!found) {
    deps.log.error('customer.message.invalid', { correlationId, reason: 'no record for a source reference' });
    return { kind: 'discarded' };
  }
  let record = found;
  const { legalEntity } = record;
  if (isTerminal(record.status)) {
    deps.log.info('customer.redelivered_after_end', { correlationId, status: record.status });
    return { kind: 'already-finished' };
  }
  const leaseLeft = secondsUntil(deps, record.leaseUntil);
  if ((record.status === 'processing' || record.status === 'submitting') && leaseLeft > 0) {
    // Another invocation holds it (e.g. the intake answering with Prefer: wait); look again later.
    const delaySeconds = await requeue(message, leaseLeft, deps);
    deps.log.info('customer.held_elsewhere', {
      correlationId,
      status: record.status,
      retryAfterSeconds: delaySeconds,
    });
    return { kind: 'deferred', delaySeconds };
  }
  if (record.status === 'retrying' && secondsUntil(deps, record.nextAttemptAt) > 1) {
    // An early copy: the scheduled attempt's own message comes at nextAttemptAt.
    deps.log.info('customer.not_due', { correlationId, status: record.status });
    return { kind: 'discarded' };
  }
  const pause = secondsUntil(deps, deps.gate.pausedUntil());
  if (pause * 1000 > (deps.maxInlineWaitMs ?? 5_000)) {
    const delaySeconds = await requeue(message, pause, deps);
    deps.log.info('customer.deferred_by_throttling', { correlationId, retryAfterSeconds: delaySeconds });
    return { kind: 'deferred', delaySeconds };
  }

  // A request last seen `submitting` (its invocation died mid-call), or whose create call failed
  // without a clear answer, may already exist in D365: look it up before creating.
  const mayExist = record.status === 'submitting' || record.submittedAt !== undefined;
  // When the create was (last) sent: a dead invocation's `submitting` record was last written then.
  const submittedAt = record.submittedAt ?? (record.status === 'submitting' ? record.updatedAt : undefined);
  const attempt = record.attempts + 1;
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
    if (claimAttempts > 1) return processCustomerMessage(input, deps, claimAttempts - 1);
    const delaySeconds = await requeue(message, 1, deps);
    return { kind: 'deferred', delaySeconds };
  }
  deps.log.info('customer.processing', { correlationId, legalEntity, attempt });

  const started = Date.now();
  try {
    if (reference) ({ record, request } = await resolveSourceCustomer(reference, record, deps));
    const customer = request!;
    const email = customer.Customer.EmailAddress;
    if (mayExist || deps.duplicatePolicy !== 'create') {
      const accounts = await throughGate(() => deps.d365.findCustomersByEmail(legalEntity, email), deps);
      const existing = accounts[0];
      if (existing !== undefined) {
        if (accounts.length > 1) {
          // Account numbers are not personal data; the e-mail that matched them is never logged.
          deps.log.warn('customer.several_matches', {
            correlationId,
            legalEntity,
            reason: `${accounts.length} customers have this e-mail: ${accounts.join(', ')}`,
          });
        }
        // Which accounts matched: always for a rejection, for a link or a recovery when it was not one.
        const existingAccounts =
          deps.duplicatePolicy === 'reject' || accounts.length > 1 ? accounts.join(',') : undefined;
        if (mayExist) {
          deps.log.info('customer.recovered', { correlationId, legalEntity, customerAccount: existing });
          return await recordSuccess(
            record,
            existing,
            'created',
            Date.now() - started,
            deps,
            existingAccounts,
          );
        }
        if (deps.duplicatePolicy === 'reject') {
          record = await deps.statusStore.update(record, { existingAccounts });
          await recordFailure(record, 'duplicate', duplicateMessage(accounts), deps);
          return { kind: 'failed', code: 'duplicate' };
        }
        return await recordSuccess(record, existing, 'linked', Date.now() - started, deps, existingAccounts);
      }
      const settle = deps.settleSeconds ?? DEFAULT_SETTLE_SECONDS;
      if (record.acceptedWithoutAccountAt !== undefined) {
        // D365 said it created the customer: look again (it may still be committing), never create.
        if (secondsSince(deps, record.acceptedWithoutAccountAt) >= settle * ACCOUNT_LOOKUP_ROUNDS)
          return await recordNeedsReview(record, deps);
        throw new ProcessingError({
          kind: 'transient',
          reason: 'D365 confirmed the customer without its account; it is not visible yet',
          retryAfterSeconds: settle,
        });
      }
      const unsettled = mayExist ? settle - secondsSince(deps, submittedAt) : 0;
      if (unsettled > 0) {
        // An uncertain create may still be committing: look again before creating a second one.
        throw new ProcessingError({
          kind: 'transient',
          reason: 'waiting for D365 to settle before concluding the customer was not created',
          retryAfterSeconds: Math.ceil(unsettled),
        });
      }
    }
    record = await deps.statusStore.update(record, {
      status: 'submitting',
      updatedAt: clock(deps).toISOString(),
    });
    const { customerAccount } = await throughGate(() => deps.d365.createCustomer(customer), deps);
    if (customerAccount === undefined) {
      // A 2xx without an account: created; find its account after the settle time.
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
    return await recordSuccess(record, customerAccount, 'created', Date.now() - started, deps);
  } catch (error) {
    if (error instanceof StatusConflictError) {
      // Our lease ran out and another invocation moved the request on; it owns it now.
      deps.log.warn('customer.lease_lost', { correlationId, legalEntity, attempt });
      return { kind: 'discarded' };
    }
    if (!(error instanceof ProcessingError)) throw error;
    const { failure } = error;
    if (failure.kind === 'permanent') {
      await recordFailure(record, failure.code, failure.message, deps);
      return { kind: 'failed', code: failure.code };
    }
    return scheduleRetry(record, message, failure, deps);
  }
}
