import { errorName } from './accept-customer';
import { CustomerRequest, parseCustomerRequest } from './customer-contract';
import { D365Client } from './d365-client';
import { asProcessingError, ProcessingError } from './failure';
import { Log } from './log';
import { decodeQueueMessage, QueueMessage } from './queue-message';
import { FAILURE_CODES, FailureCode, isTerminal, StatusRecord } from './status';
import { StatusConflictError, StatusStore } from './status-store';
import { Telemetry } from './telemetry';

export interface ProcessDeps {
  statusStore: StatusStore;
  d365: D365Client;
  telemetry: Telemetry;
  log: Log;
  target: StatusRecord['target'];
  defaultCustomerGroup: string;
  now?: () => Date;
}

export type ProcessResult =
  | { kind: 'succeeded'; customerAccount: string }
  | { kind: 'failed'; code: FailureCode }
  /** The request had already ended: acknowledged without calling D365. */
  | { kind: 'already-finished' }
  | { kind: 'discarded' };

const nowIso = (deps: { now?: () => Date }): string => (deps.now?.() ?? new Date()).toISOString();

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
      updatedAt: nowIso(deps),
      payload: JSON.stringify(request),
    });
  } catch (error) {
    if (error instanceof StatusConflictError) return (await deps.statusStore.get(message.correlationId))!;
    throw error;
  }
}

/** Ends a request as `failed` (unless it already ended) and reports it. */
export async function recordFailure(
  record: StatusRecord,
  code: FailureCode,
  message: string,
  deps: Pick<ProcessDeps, 'statusStore' | 'telemetry' | 'log' | 'now'>,
): Promise<void> {
  if (isTerminal(record.status)) return;
  await deps.statusStore.update(record, {
    status: 'failed',
    errorCode: code,
    errorMessage: message,
    updatedAt: nowIso(deps),
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
}

/**
 * The queue worker's use-case: claims the request through the state machine, creates the customer
 * in D365 and records the outcome. Permanent failures end the request as `failed`; transient ones
 * are recorded as `lastError` and rethrown so the queue delivers the message again.
 */
export async function processCustomerMessage(input: unknown, deps: ProcessDeps): Promise<ProcessResult> {
  const decoded = decodeQueueMessage(input);
  if (!decoded.ok) {
    deps.log.error('customer.message.invalid', { correlationId: decoded.correlationId });
    const record = decoded.correlationId ? await deps.statusStore.get(decoded.correlationId) : undefined;
    if (record) await recordFailure(record, 'invalid_message', FAILURE_CODES.invalid_message, deps);
    return { kind: 'discarded' };
  }
  const { message } = decoded;
  const { correlationId } = message;
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
  const request = parsed.value;

  let record = await loadRecord(message, request, deps);
  if (isTerminal(record.status)) {
    deps.log.info('customer.redelivered_after_end', { correlationId, status: record.status });
    return { kind: 'already-finished' };
  }

  const legalEntity = record.legalEntity;
  const attempt = record.attempts + 1;
  try {
    record = await deps.statusStore.update(record, {
      status: 'processing',
      attempts: attempt,
      updatedAt: nowIso(deps),
    });
  } catch (error) {
    if (error instanceof StatusConflictError) {
      // Another worker changed it in between; the message comes back and is looked at again.
      throw new ProcessingError({ kind: 'transient', reason: 'status record changed concurrently' });
    }
    throw error;
  }
  deps.log.info('customer.processing', { correlationId, legalEntity, attempt });

  const started = Date.now();
  try {
    record = await deps.statusStore.update(record, { status: 'submitting', updatedAt: nowIso(deps) });
    const { customerAccount } = await deps.d365.createCustomer(request);
    const d365Ms = Date.now() - started;
    await deps.statusStore.update(record, {
      status: 'succeeded',
      customerAccount,
      outcome: 'created',
      lastError: undefined,
      payload: undefined,
      updatedAt: nowIso(deps),
    });
    const endToEndMs = Date.now() - Date.parse(record.createdAt);
    deps.log.info('customer.succeeded', {
      correlationId,
      legalEntity,
      customerAccount,
      attempt,
      durationMs: d365Ms,
    });
    deps.telemetry.trackEvent({
      name: 'CustomerSucceeded',
      properties: {
        correlationId,
        legalEntity,
        outcome: 'created',
        target: deps.target,
        attempts: String(attempt),
      },
      measurements: { endToEndMs, d365Ms },
    });
    return { kind: 'succeeded', customerAccount };
  } catch (error) {
    const failure = asProcessingError(error, 'status store').failure;
    if (!(error instanceof ProcessingError)) {
      deps.log.error('customer.step_failed', { correlationId, reason: errorName(error) });
    }
    if (failure.kind === 'permanent') {
      await recordFailure(record, failure.code, failure.message, deps);
      return { kind: 'failed', code: failure.code };
    }
    deps.log.warn('customer.transient_failure', {
      correlationId,
      legalEntity,
      attempt,
      reason: failure.reason,
      retryAfterSeconds: failure.retryAfterSeconds,
    });
    if (failure.reason.includes('429')) {
      deps.telemetry.trackEvent({
        name: 'D365Throttled',
        properties: { correlationId, legalEntity },
        measurements: { retryAfterSeconds: failure.retryAfterSeconds ?? 0 },
      });
    }
    await deps.statusStore
      .update(record, { lastError: failure.reason, updatedAt: nowIso(deps) })
      .catch((updateError: unknown) =>
        deps.log.error('customer.status_update_failed', { correlationId, reason: errorName(updateError) }),
      );
    throw error instanceof ProcessingError ? error : new ProcessingError(failure);
  }
}

/**
 * The poison-queue use-case: the host gave up on a message after `maxDequeueCount` deliveries.
 * The request ends as `failed` (retries exhausted); the message stays in the poison queue for replay.
 */
export async function recordPoisonMessage(
  input: unknown,
  deps: Pick<ProcessDeps, 'statusStore' | 'telemetry' | 'log' | 'now'>,
): Promise<void> {
  const decoded = decodeQueueMessage(input);
  const correlationId = decoded.ok ? decoded.message.correlationId : decoded.correlationId;
  if (!correlationId) {
    deps.log.error('customer.poison.unreadable');
    return;
  }
  deps.telemetry.trackEvent({ name: 'CustomerPoisoned', properties: { correlationId } });
  const record = await deps.statusStore.get(correlationId);
  if (!record) {
    deps.log.error('customer.poison.no_record', { correlationId });
    return;
  }
  const last = record.lastError ? ` Last error: ${record.lastError}.` : '';
  await recordFailure(record, 'retries_exhausted', `${FAILURE_CODES.retries_exhausted}${last}`, deps);
}
