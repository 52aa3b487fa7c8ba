import { ProcessingError } from '../../domain/failure';
import { mayRevealAccounts } from '../../domain/ownership';
import type { StatusRecord } from '../../domain/status';
import {
  decideWriteBack,
  decideWriteBackRetry,
  decodeWriteBackMessage,
  parseWriteBackDetail,
  shopAccountValue,
  WRITE_BACK_ERRORS,
  WriteBackDetail,
  WriteBackErrorCode,
  writeBackMessage,
  WriteBackState,
} from '../../domain/write-back';
import type { RetryPolicy } from '../../domain/retry-policy';
import {
  CallbackOutbox,
  Log,
  ShopAccessError,
  ShopClient,
  ShopClients,
  ShopWriteResult,
  StatusConflictError,
  StatusStore,
  Telemetry,
  WriteBackQueue,
} from '../../ports';
import { announceWriteBack } from '../deliver-callback';
import { clock, later } from '../clock';

/**
 * The shop write-back step (issue 28; states in shared/domain/write-back.ts): one delivery of the
 * write-back queue's message. The record's ETag fences it across the fleet like the create: the
 * attempt is claimed with a lease (`pending`, `leaseUntil`) before the shop is called, so two
 * instances never write at once; a redelivery after `written`/`failed` does nothing. The write is
 * an upsert of one value (the shop client skips a value the shop already holds), so an attempt
 * retried after a lost answer writes nothing twice. The create's own status never changes here.
 */
export interface WriteBackDeps {
  statusStore: StatusStore;
  shopClients: ShopClients;
  queue: WriteBackQueue;
  retry: RetryPolicy;
  /** How long one attempt may hold the write-back (the shop's wait and calls fit well inside it). */
  leaseSeconds: number;
  callbackOutbox?: CallbackOutbox;
  telemetry: Telemetry;
  log: Log;
  now?: () => Date;
  random?: () => number;
}

export type WriteBackResult =
  | { kind: 'written'; changed: boolean }
  | { kind: 'failed'; code: WriteBackErrorCode }
  | { kind: 'retrying'; delaySeconds: number }
  /** Held by another invocation, or not due: the message went back for later. */
  | { kind: 'deferred'; delaySeconds: number }
  /** Already written or failed, or no record / nothing to write: acknowledged. */
  | { kind: 'done' }
  | { kind: 'discarded' };

/**
 * Whether a create's record gets a write-back: a shop's customer whose source has a shop client,
 * and whose account the shop may learn (not a link pending verification: domain/ownership.ts).
 */
export function wantsWriteBack(
  record: Pick<StatusRecord, 'kind' | 'source' | 'sourceCustomerId' | 'identity' | 'outcome' | 'errorCode'>,
  shopClients: ShopClients | undefined,
): boolean {
  if (record.kind === 'update' || !record.source || !record.sourceCustomerId || !shopClients) return false;
  // A shop customer's numeric ID only: a Shopify company location (`CompanyLocation:{id}`, issue 32)
  // has no customer metafield to write the account to.
  if (!/^\d+$/.test(record.sourceCustomerId)) return false;
  if (!mayRevealAccounts(record)) return false;
  return shopClients.forSource(record.source) !== undefined;
}

/** The fields that make a write-back `pending` (written with the create's `succeeded`). */
export const pendingWriteBack = (deps: {
  now?: () => Date;
}): Pick<StatusRecord, 'writeBack' | 'writeBackDetail'> => ({
  writeBack: 'pending',
  writeBackDetail: JSON.stringify({
    attempts: 0,
    since: clock(deps).toISOString(),
  } satisfies WriteBackDetail),
});

/** Queues the write-back's message (the reconciler sends it again if this is lost). */
export async function queueWriteBack(
  correlationId: string,
  deps: { writeBackQueue?: WriteBackQueue; log: Log },
  delaySeconds?: number,
): Promise<void> {
  try {
    await deps.writeBackQueue?.send(writeBackMessage(correlationId), { delaySeconds });
  } catch (error) {
    deps.log.warn('shop.write_back.queue_failed', { correlationId, reason: (error as Error).name });
  }
}

const MAX_CLAIM_TRIES = 3;

export async function processWriteBack(input: unknown, deps: WriteBackDeps): Promise<WriteBackResult> {
  const message = decodeWriteBackMessage(input);
  if (!message) {
    deps.log.error('shop.write_back.message_invalid');
    return { kind: 'discarded' };
  }
  for (let tries = 1; ; tries++) {
    const record = await deps.statusStore.get(message.correlationId);
    const client = record?.source ? deps.shopClients.forSource(record.source) : undefined;
    if (!record || !client || !record.customerAccount || !record.sourceCustomerId) return { kind: 'done' };
    // A link pending verification reveals no account, not even to its own shop (domain/ownership.ts).
    if (!mayRevealAccounts(record)) return { kind: 'done' };
    const detail = parseWriteBackDetail(record.writeBackDetail);
    const decision = decideWriteBack(record.writeBack, detail, clock(deps).getTime());
    if (decision.kind === 'ended') return { kind: 'done' };
    if (decision.kind === 'later') {
      await deps.queue.send(message, { delaySeconds: decision.delaySeconds });
      return { kind: 'deferred', delaySeconds: decision.delaySeconds };
    }
    const claimed = await save(
      record,
      'pending',
      {
        ...detail,
        attempts: decision.attempt,
        leaseUntil: later(deps, deps.leaseSeconds),
        nextAttemptAt: undefined,
      },
      deps,
    ).catch((error: unknown) => {
      if (error instanceof StatusConflictError) return undefined;
      throw error;
    });
    if (claimed) return writeClaimed(claimed, client, deps);
    if (tries >= MAX_CLAIM_TRIES) {
      await deps.queue.send(message, { delaySeconds: 1 });
      return { kind: 'deferred', delaySeconds: 1 };
    }
  }
}

function save(
  record: StatusRecord,
  state: WriteBackState,
  detail: WriteBackDetail,
  deps: Pick<WriteBackDeps, 'statusStore'>,
): Promise<StatusRecord> {
  return deps.statusStore.update(record, { writeBack: state, writeBackDetail: JSON.stringify(detail) });
}

/** The claimed attempt: the shop call, then its ending on the record. */
async function writeClaimed(
  record: StatusRecord,
  client: ShopClient,
  deps: WriteBackDeps,
): Promise<WriteBackResult> {
  const account = shopAccountValue(record.legalEntity, record.customerAccount!);
  const started = Date.now();
  let answer: ShopWriteResult;
  try {
    answer = await client.writeAccount(record.sourceCustomerId!, account, {
      abortSignal: AbortSignal.timeout(Math.max(1000, (deps.leaseSeconds - 5) * 1000)),
      log: deps.log,
    });
  } catch (error) {
    return endAfterShopError(error, record, deps);
  }
  const shopMs = Date.now() - started;
  try {
    switch (answer.kind) {
      case 'written':
        return await endWritten(record, answer.changed, shopMs, deps);
      case 'not_found':
        return await endFailed(
          record,
          'shop_customer_not_found',
          WRITE_BACK_ERRORS.shop_customer_not_found,
          deps,
        );
      case 'rejected':
        return await endFailed(record, 'rejected', `${WRITE_BACK_ERRORS.rejected} (${answer.reason})`, deps);
    }
  } catch (error) {
    return lostLease(error, record, deps);
  }
}

/** Another invocation moved the write-back on while we wrote (our lease ran out): its ending stands. */
function lostLease(error: unknown, record: StatusRecord, deps: WriteBackDeps): WriteBackResult {
  if (!(error instanceof StatusConflictError)) throw error;
  deps.log.warn('shop.write_back.lease_lost', { correlationId: record.correlationId });
  return { kind: 'done' };
}

async function endWritten(
  record: StatusRecord,
  changed: boolean,
  shopMs: number,
  deps: WriteBackDeps,
): Promise<WriteBackResult> {
  const detail = parseWriteBackDetail(record.writeBackDetail);
  await announceWriteBack(record, 'written', deps);
  const ended = {
    attempts: detail.attempts,
    since: detail.since,
    endedAt: clock(deps).toISOString(),
    changed,
  };
  await save(record, 'written', ended, deps);
  const { correlationId, source, legalEntity } = record;
  const outcome = changed ? 'changed' : 'unchanged';
  deps.log.info('shop.write_back.written', { correlationId, source, outcome, attempt: detail.attempts });
  deps.telemetry.trackEvent({
    name: 'ShopWriteBackWritten',
    properties: { correlationId, legalEntity, source: source!, outcome, attempts: String(detail.attempts) },
    measurements: { shopMs },
  });
  return { kind: 'written', changed };
}

async function endFailed(
  record: StatusRecord,
  code: WriteBackErrorCode,
  message: string,
  deps: WriteBackDeps,
): Promise<WriteBackResult> {
  const detail = parseWriteBackDetail(record.writeBackDetail);
  await announceWriteBack(record, 'failed', deps);
  const ended = {
    attempts: detail.attempts,
    since: detail.since,
    endedAt: clock(deps).toISOString(),
    error: { code, message },
  };
  await save(record, 'failed', ended, deps);
  const { correlationId, source, legalEntity } = record;
  deps.log.warn('shop.write_back.failed', { correlationId, source, code, attempt: detail.attempts });
  deps.telemetry.trackEvent({
    name: 'ShopWriteBackFailed',
    properties: { correlationId, legalEntity, source: source!, reason: code },
  });
  return { kind: 'failed', code };
}

/** A shop call that threw: access refused (failed), transient (retried or exhausted), or unknown (rethrown). */
async function endAfterShopError(
  error: unknown,
  record: StatusRecord,
  deps: WriteBackDeps,
): Promise<WriteBackResult> {
  try {
    if (error instanceof ShopAccessError)
      return await endFailed(
        record,
        'shop_access',
        `${WRITE_BACK_ERRORS.shop_access} ${error.message}`,
        deps,
      );
    if (!(error instanceof ProcessingError) || error.failure.kind !== 'transient') throw error;
    const failure = error.failure;
    const detail = parseWriteBackDetail(record.writeBackDetail);
    const next = decideWriteBackRetry(
      detail,
      { retryAfterSeconds: failure.retryAfterSeconds, budgetWait: failure.throttled === true },
      { now: clock(deps).getTime(), policy: deps.retry, random: deps.random },
    );
    if (next.kind === 'exhausted')
      return await endFailed(
        record,
        'shop_unavailable',
        `${WRITE_BACK_ERRORS.shop_unavailable} Last error: ${failure.reason}.`,
        deps,
      );
    // The message first: if we die before the record says when, the lease runs out and it still comes.
    await deps.queue.send(writeBackMessage(record.correlationId), { delaySeconds: next.delaySeconds });
    const retrying: WriteBackDetail = {
      attempts: next.countsAttempt ? detail.attempts : Math.max(0, detail.attempts - 1),
      since: detail.since,
      nextAttemptAt: later(deps, next.delaySeconds),
      lastError: failure.reason,
    };
    await save(record, 'pending', retrying, deps);
    deps.log.info('shop.write_back.retry_scheduled', {
      correlationId: record.correlationId,
      reason: failure.reason,
      retryAfterSeconds: next.delaySeconds,
      attempt: retrying.attempts,
    });
    return { kind: 'retrying', delaySeconds: next.delaySeconds };
  } catch (ending) {
    return lostLease(ending, record, deps);
  }
}
