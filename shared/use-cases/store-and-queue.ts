import { errorName } from '../domain/failure';
import type { QueueMessage } from '../domain/queue-message';
import type { StatusRecord } from '../domain/status';
import type { CustomerQueue, Log, StatusStore } from '../ports';

/**
 * The record and its message written side by side, not one after the other (issue 33: one storage
 * round trip less before a `Prefer: wait` request's work starts). Only for a message held back for
 * the wait (`delaySeconds` > 0) and a record without an Idempotency-Key claim (`queued`, its ID new):
 *
 * - no worker reads the message before the wait is over, by which time the record is written; a
 *   message that still finds no record (its write failed, or storage took longer than the wait) is
 *   looked at again for `RECORD_GRACE_MS` after its acceptance before it is discarded
 *   (dispatch.ts), so a slow write never loses a request;
 * - a record whose message could not be written is removed again, as when they are written in turn
 *   (accept-customer.ts `sendOrRollBack`): no record says `queued` without a message;
 * - a record that could not be written leaves a message that names nothing: the caller is told
 *   `unavailable` (and sends again), and the message is discarded once its grace is over.
 *
 * Resolves with the stored record, or `undefined` (logged) when the request was not accepted.
 */
export async function storeAndQueueAtOnce(
  record: Omit<StatusRecord, 'etag'>,
  message: QueueMessage,
  delaySeconds: number,
  deps: { statusStore: StatusStore; queue: CustomerQueue; log: Log },
): Promise<StatusRecord | undefined> {
  const { correlationId } = record;
  const [stored, sent] = await Promise.allSettled([
    deps.statusStore.create(record),
    deps.queue.send(message, { delaySeconds }),
  ]);
  if (stored.status === 'rejected')
    deps.log.error('customer.accept.store_failed', { correlationId, reason: errorName(stored.reason) });
  if (sent.status === 'rejected')
    deps.log.error('customer.accept.queue_failed', { correlationId, reason: errorName(sent.reason) });
  if (stored.status === 'fulfilled' && sent.status === 'fulfilled') return stored.value;
  if (stored.status === 'fulfilled')
    await deps.statusStore
      .delete(stored.value)
      .catch((error: unknown) =>
        deps.log.error('customer.accept.cleanup_failed', { correlationId, reason: errorName(error) }),
      );
  return undefined;
}

/**
 * How long after its acceptance a message whose record is not there is looked at again rather than
 * discarded: its record and message were written side by side (`storeAndQueueAtOnce`) and the
 * record's write may still be on its way.
 */
export const RECORD_GRACE_MS = 60_000;
