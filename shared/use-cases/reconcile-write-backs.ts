import { errorName } from '../domain/failure';
import { parseWriteBackDetail, writeBackMessage, WriteBackDetail } from '../domain/write-back';
import type { StatusRecord } from '../domain/status';
import { Log, StatusConflictError, StatusStore, WriteBackQueue } from '../ports';

export interface ReconcileWriteBackDeps {
  statusStore: StatusStore;
  writeBackQueue?: WriteBackQueue;
  log: Log;
  reconcileAfterSeconds: number;
  batchSize?: number;
}

/** Grace after a write-back's lease ends before the reconciler sends it again (clock skew). */
const LEASE_GRACE_SECONDS = 5;

/** Whether a pending write-back has lost its message (or its writer) and needs one again. */
export function writeBackStranded(detail: WriteBackDetail, now: number, graceMs: number): boolean {
  if (detail.leaseUntil !== undefined)
    return Date.parse(detail.leaseUntil) + LEASE_GRACE_SECONDS * 1000 < now;
  const due = detail.nextAttemptAt ?? detail.since;
  return Date.parse(due) + graceMs < now;
}

/**
 * Shop write-backs left `pending` without a message: the create's instance died between its
 * `succeeded` and the queue write, or the writer died holding the lease. Each gets its message
 * again, once: the record is touched first (conditional on its ETag, so one reconciler of the fleet
 * wins) with its next attempt due now and no lease.
 */
export async function reconcileWriteBacks(
  deps: ReconcileWriteBackDeps,
  now: number,
): Promise<{ requeued: number }> {
  if (!deps.writeBackQueue) return { requeued: 0 };
  const graceMs = deps.reconcileAfterSeconds * 1000;
  const pending = await deps.statusStore.findWriteBacks('pending', deps.batchSize ?? 200);
  let requeued = 0;
  for (const record of pending) {
    const detail = parseWriteBackDetail(record.writeBackDetail);
    if (!writeBackStranded(detail, now, graceMs)) continue;
    try {
      await resend(record, detail, now, deps);
      requeued += 1;
    } catch (error) {
      if (!(error instanceof StatusConflictError))
        deps.log.error('shop.write_back.reconcile_failed', {
          correlationId: record.correlationId,
          reason: errorName(error),
        });
    }
  }
  return { requeued };
}

async function resend(
  record: StatusRecord,
  detail: WriteBackDetail,
  now: number,
  deps: ReconcileWriteBackDeps,
): Promise<void> {
  const { leaseUntil: _lease, ...rest } = detail;
  await deps.statusStore.update(record, {
    writeBackDetail: JSON.stringify({ ...rest, nextAttemptAt: new Date(now).toISOString() }),
  });
  await deps.writeBackQueue!.send(writeBackMessage(record.correlationId));
  deps.log.warn('shop.write_back.reconciled', { correlationId: record.correlationId });
}
