import { Failure, ProcessingError } from '../../domain/failure';
import type { QueueMessage } from '../../domain/queue-message';
import type { PrivacyState } from '../../domain/privacy';
import { FAILURE_CODES, FailureCode, isTerminal, Outcome, StatusRecord } from '../../domain/status';
import { decideRetry } from '../../domain/worker-decisions';
import { StatusConflictError } from '../../ports';
import { clock, later } from '../clock';
import { announceEnding } from '../deliver-callback';
import type { ProcessResult, SuccessField, WorkerDeps } from './deps';

/**
 * How a claimed request ends, the same for creates and updates. Every ending writes the callback
 * outbox first (deliver-callback.ts), then the record, then a log line and a telemetry event.
 *
 * Terminal: `recordSucceeded`, `recordFailure`, `recordNeedsReview`. Back on the queue, four ways,
 * each sending the message again with a visibility delay:
 * - `defer`: before the claim (another invocation holds the request, the fleet is paused): the
 *   record is not touched.
 * - `giveBack`: claimed but never tried (no gate slot in time, another request holds the customer):
 *   `retrying`, and the attempt is handed back.
 * - `retryAfter`: a transient failure: `retrying`, the attempt counted, until the retry policy says
 *   the request has used up its attempts or its time; then
 * - `poison`: the message goes to the poison queue and the request ends `failed` (`needs_review`
 *   when D365 confirmed the customer).
 */
export type EndingDeps = Pick<
  WorkerDeps,
  'statusStore' | 'telemetry' | 'log' | 'now' | 'callbackOutbox' | 'target'
>;

export interface Success {
  customerAccount: string;
  outcome: Outcome;
  /** What else the record keeps (a create's matches and further addresses). */
  fields?: Partial<Pick<StatusRecord, SuccessField>>;
  /** How long D365's part took, from the claim (creates). */
  d365Ms?: number;
}

/** Ends a request as `succeeded` with its account and outcome. */
export async function recordSucceeded(
  record: StatusRecord,
  success: Success,
  deps: EndingDeps,
): Promise<ProcessResult> {
  const { customerAccount, outcome } = success;
  await announceEnding(record, 'succeeded', deps);
  await deps.statusStore.update(record, {
    status: 'succeeded',
    customerAccount,
    outcome,
    ...success.fields,
    lastError: undefined,
    leaseUntil: undefined,
    nextAttemptAt: undefined,
    payload: undefined,
    originalPayload: undefined,
    updatedAt: clock(deps).toISOString(),
  });
  const { correlationId, legalEntity, attempts } = record;
  const update = record.kind === 'update';
  deps.log.info(update ? 'customer.updated' : 'customer.succeeded', {
    correlationId,
    legalEntity,
    customerAccount,
    outcome,
    attempt: attempts,
  });
  const endToEndMs = clock(deps).getTime() - Date.parse(record.queuedAt ?? record.createdAt);
  deps.telemetry.trackEvent({
    name: 'CustomerSucceeded',
    // Updates go through CustomersV3 on both targets.
    properties: {
      correlationId,
      legalEntity,
      outcome,
      target: update ? 'odata' : deps.target,
      attempts: String(attempts),
    },
    measurements: { endToEndMs, ...(success.d365Ms !== undefined && { d365Ms: success.d365Ms }) },
  });
  return { kind: 'succeeded', customerAccount, outcome };
}

/**
 * Ends a privacy request (issue 27) as `succeeded` with its final state: the proof (counts per store,
 * the D365 outcome), without the identifiers an erasure gathered. The callback, if any, goes first.
 */
export async function recordPrivacyCompleted(
  record: StatusRecord,
  state: PrivacyState,
  deps: EndingDeps,
): Promise<ProcessResult> {
  await announceEnding(record, 'succeeded', deps);
  await deps.statusStore.update(record, {
    status: 'succeeded',
    payload: JSON.stringify(state),
    lastError: undefined,
    leaseUntil: undefined,
    nextAttemptAt: undefined,
    updatedAt: clock(deps).toISOString(),
  });
  const { correlationId } = record;
  const counts = state.kind === 'erase' ? state.erased : state.found;
  const items = Object.values(counts).reduce((sum, n) => sum + n, 0);
  deps.log.info('privacy.completed', { correlationId, topic: state.kind, reason: JSON.stringify(counts) });
  const days = (clock(deps).getTime() - Date.parse(state.receivedAt)) / 86_400_000;
  deps.telemetry.trackEvent({
    name: 'PrivacyRequestCompleted',
    properties: {
      correlationId,
      topic: state.kind,
      ...(state.origin.source && { source: state.origin.source }),
    },
    measurements: { items, days },
  });
  return { kind: 'completed' };
}

/** Ends a request as `failed` (unless it already ended) and reports it. */
export async function recordFailure(
  record: StatusRecord,
  code: FailureCode,
  message: string,
  deps: Omit<EndingDeps, 'target'>,
): Promise<StatusRecord> {
  if (isTerminal(record.status)) return record;
  await announceEnding(record, 'failed', deps);
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

/** `recordFailure` as the ending of a step: the code's own message unless one is given. */
export async function fail(
  record: StatusRecord,
  code: FailureCode,
  deps: EndingDeps,
  message: string = FAILURE_CODES[code],
): Promise<ProcessResult> {
  await recordFailure(record, code, message, deps);
  return { kind: 'failed', code };
}

export interface Review {
  code: Extract<FailureCode, 'account_not_found' | 'update_conflict' | 'possible_duplicate'>;
  message: string;
  fields?: Partial<Pick<StatusRecord, 'existingAccounts' | 'matchedOn'>>;
}

/** Ends a request as `needs_review`: an operator looks in D365 (it never becomes another create). */
export async function recordNeedsReview(
  record: StatusRecord,
  review: Review,
  deps: EndingDeps,
): Promise<ProcessResult> {
  await announceEnding(record, 'needs_review', deps);
  await deps.statusStore.update(record, {
    status: 'needs_review',
    errorCode: review.code,
    errorMessage: review.message,
    ...review.fields,
    leaseUntil: undefined,
    nextAttemptAt: undefined,
    updatedAt: clock(deps).toISOString(),
  });
  const { correlationId, legalEntity, attempts } = record;
  deps.log.warn('customer.needs_review', {
    correlationId,
    legalEntity,
    code: review.code,
    attempt: attempts,
  });
  deps.telemetry.trackEvent({
    name: 'CustomerFailed',
    properties: { correlationId, legalEntity, reason: review.code, attempts: String(attempts) },
  });
  return { kind: 'needs-review' };
}

/** Puts the message back for later, before anything was claimed: the record stays as it is. */
export async function defer(
  message: QueueMessage,
  delaySeconds: number,
  deps: Pick<WorkerDeps, 'queue'>,
): Promise<number> {
  const delay = Math.max(1, Math.ceil(delaySeconds));
  await deps.queue.send(message, { delaySeconds: delay });
  return delay;
}

/** `retrying` for a request whose message was sent back; a conflict means another invocation moved it on. */
async function markRetrying(
  record: StatusRecord,
  changes: Partial<StatusRecord>,
  deps: Pick<WorkerDeps, 'statusStore'>,
): Promise<void> {
  await deps.statusStore
    .update(record, { status: 'retrying', leaseUntil: undefined, ...changes })
    .catch((error: unknown) => {
      if (!(error instanceof StatusConflictError)) throw error;
    });
}

/**
 * Gives the attempt back and queues the request for later: it waited for a gate slot, a throttling
 * pause or another request of the same customer, and never called D365 for it.
 */
export async function giveBack(
  record: StatusRecord,
  message: QueueMessage,
  delaySeconds: number,
  reason: string,
  deps: Pick<WorkerDeps, 'queue' | 'statusStore' | 'log' | 'now'>,
): Promise<ProcessResult> {
  const delay = await defer(message, delaySeconds, deps);
  const updatedAt = clock(deps).toISOString();
  await markRetrying(
    record,
    { attempts: Math.max(0, record.attempts - 1), nextAttemptAt: later(deps, delay), updatedAt },
    deps,
  );
  deps.log.info('customer.deferred', {
    correlationId: record.correlationId,
    reason,
    retryAfterSeconds: delay,
  });
  return { kind: 'deferred', delaySeconds: delay };
}

type Transient = Extract<Failure, { kind: 'transient' }>;

/** After a transient failure: the next attempt (Retry-After, else back-off with full jitter), or `poison`. */
export async function retryAfter(
  record: StatusRecord,
  message: QueueMessage,
  failure: Transient,
  deps: WorkerDeps,
): Promise<ProcessResult> {
  const { correlationId, legalEntity } = record;
  if (failure.throttled) {
    const retryAfterSeconds = failure.retryAfterSeconds ?? 1;
    await deps.gate.pause(retryAfterSeconds);
    deps.telemetry.trackEvent({
      name: 'D365Throttled',
      properties: { correlationId, legalEntity },
      measurements: { retryAfterSeconds },
    });
  }
  const next = decideRetry(record, failure, {
    now: clock(deps).getTime(),
    policy: deps.retry,
    random: deps.random,
  });
  if (next.kind === 'exhausted') return poison({ ...record, lastError: failure.reason }, message, deps);
  // The next attempt's message first: if we die before the record says `retrying`, the lease
  // runs out and the message still comes.
  const { delaySeconds } = next;
  await deps.queue.send(message, { delaySeconds });
  const updatedAt = clock(deps).toISOString();
  await markRetrying(
    record,
    { lastError: failure.reason, nextAttemptAt: later(deps, delaySeconds), updatedAt },
    deps,
  );
  const { attempts } = record;
  deps.log.warn('customer.retry_scheduled', {
    correlationId,
    legalEntity,
    attempt: attempts,
    reason: failure.reason,
    retryAfterSeconds: delaySeconds,
  });
  deps.telemetry.trackEvent({
    name: 'CustomerRetryScheduled',
    properties: { correlationId, legalEntity, reason: failure.reason, attempts: String(attempts) },
    measurements: { delayMs: delaySeconds * 1000 },
  });
  return { kind: 'retrying', delaySeconds };
}

/** The request ran out of attempts or time: `failed`, and its message kept in the poison queue. */
async function poison(record: StatusRecord, message: QueueMessage, deps: WorkerDeps): Promise<ProcessResult> {
  await deps.poisonQueue.send(message);
  const { correlationId, legalEntity } = record;
  deps.telemetry.trackEvent({ name: 'CustomerPoisoned', properties: { correlationId, legalEntity } });
  // D365 confirmed this customer: running out of lookups is not a failure to create it.
  if (record.acceptedWithoutAccountAt !== undefined)
    return recordNeedsReview(
      record,
      { code: 'account_not_found', message: FAILURE_CODES.account_not_found },
      deps,
    );
  const last = record.lastError ? ` Last error: ${record.lastError}.` : '';
  return fail(record, 'retries_exhausted', deps, `${FAILURE_CODES.retries_exhausted}${last}`);
}

/**
 * The ending for an error a step threw: a lost lease (another invocation owns the request now),
 * a permanent failure (`failed`) or a transient one (`retryAfter`). Anything else is rethrown: the
 * host redelivers the message (storage unreachable).
 */
export async function endAfterError(
  error: unknown,
  record: StatusRecord,
  message: QueueMessage,
  deps: WorkerDeps,
): Promise<ProcessResult> {
  if (error instanceof StatusConflictError) {
    const { correlationId, legalEntity, attempts } = record;
    deps.log.warn('customer.lease_lost', { correlationId, legalEntity, attempt: attempts });
    return { kind: 'discarded' };
  }
  if (!(error instanceof ProcessingError)) throw error;
  const { failure } = error;
  if (failure.kind === 'permanent') return fail(record, failure.code, deps, failure.message);
  return retryAfter(record, message, failure, deps);
}

/** Whether an error ends the request for good (a permanent failure). */
export const isPermanent = (error: unknown): boolean =>
  error instanceof ProcessingError && error.failure.kind === 'permanent';
