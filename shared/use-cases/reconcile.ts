import { errorName } from '../domain/failure';
import { RetryPolicy } from '../domain/retry-policy';
import { messageFromRecord } from '../domain/queue-message';
import { recordFailure } from './worker/endings';
import { FAILURE_CODES, StatusRecord } from '../domain/status';
import {
  CallbackOutbox,
  CustomerQueue,
  Log,
  StatusConflictError,
  StatusStore,
  Telemetry,
  WriteBackQueue,
} from '../ports';
import { reconcileWriteBacks } from './reconcile-write-backs';

export interface ReconcileDeps {
  statusStore: StatusStore;
  queue: CustomerQueue;
  telemetry: Telemetry;
  log: Log;
  retry: RetryPolicy;
  reconcileAfterSeconds: number;
  /** Where result callbacks wait for delivery (a request the reconciler ends gets one too). */
  callbackOutbox?: CallbackOutbox;
  /** Approximate message counts per queue, reported as the `QueueDepth` metric (poison depth alert). */
  queueDepths?: () => Promise<Record<string, number>>;
  /** Shop write-backs left pending get their message again (issue 28; reconcile-write-backs.ts). */
  writeBackQueue?: WriteBackQueue;
  /** Records looked at per run. */
  batchSize?: number;
  now?: () => Date;
}

export interface ReconcileReport {
  requeued: number;
  failed: number;
  skipped: number;
  /** Shop write-backs sent again. */
  writeBacks?: number;
}

/** Whether a stale, unfinished record has lost its message (or its owner) and needs one again. */
function needsMessage(record: StatusRecord, now: number, graceMs: number): boolean {
  const past = (iso: string | undefined): boolean => iso === undefined || Date.parse(iso) + graceMs < now;
  switch (record.status) {
    case 'accepting':
    case 'queued':
      return true;
    case 'processing':
    case 'submitting':
      return past(record.leaseUntil);
    case 'retrying':
      return past(record.nextAttemptAt);
    default:
      return false;
  }
}

/**
 * The reconciler (a timer function): no accepted request may be stranded. A record left
 * `accepting` or `queued` without progress (a crash between the claim and the queue write), or
 * whose lease or next attempt is long past, gets its message again from the stored payload —
 * safe, because the worker acknowledges a message for a request that is finished or held. A
 * request past its total retry time ends as `failed` once it has been tried; one never tried (a
 * backlog longer than RETRY_MAX_TOTAL_SECONDS) is kept, never failed unseen.
 */
export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  const now = (deps.now?.() ?? new Date()).getTime();
  const graceMs = deps.reconcileAfterSeconds * 1000;
  const stale = await deps.statusStore.findStale(
    ['accepting', 'queued', 'processing', 'submitting', 'retrying'],
    new Date(now - graceMs).toISOString(),
    deps.batchSize ?? 200,
  );
  const report: ReconcileReport = { requeued: 0, failed: 0, skipped: 0 };
  await resumeAbandoned(deps, now, report);
  for (const record of stale) {
    const { correlationId } = record;
    try {
      const age = (now - Date.parse(record.queuedAt ?? record.createdAt)) / 1000;
      // A request never tried yet is behind a backlog, not out of retries: it keeps its message
      // (the 5,000-customer fleet soak failed valid requests here while the fleet drained at D365's pace).
      if (record.attempts > 0 && age > deps.retry.maxTotalSeconds + deps.reconcileAfterSeconds) {
        await recordFailure(record, 'retries_exhausted', FAILURE_CODES.retries_exhausted, deps);
        report.failed += 1;
      } else if (needsMessage(record, now, graceMs) && record.payload) {
        // Claim the record first (conditional), so two reconcilers do not both re-send it.
        const touched = await deps.statusStore.update(record, {
          status: record.status === 'accepting' ? 'queued' : record.status,
          updatedAt: new Date(now).toISOString(),
        });
        await deps.queue.send(messageFromRecord(touched));
        deps.log.warn('customer.reconciled', { correlationId, status: record.status });
        report.requeued += 1;
      } else {
        report.skipped += 1;
      }
    } catch (error) {
      if (!(error instanceof StatusConflictError)) {
        deps.log.error('customer.reconcile_failed', { correlationId, reason: errorName(error) });
      }
      report.skipped += 1;
    }
  }
  const writeBacks = await reconcileWriteBacks(deps, now).catch((error: unknown) => {
    deps.log.error('shop.write_back.reconcile_failed', { reason: errorName(error) });
    return { requeued: 0 };
  });
  if (writeBacks.requeued > 0) report.writeBacks = writeBacks.requeued;
  if (stale.length > 0 || writeBacks.requeued > 0)
    deps.log.info('reconciler.run', { reason: JSON.stringify(report) });
  await reportQueueDepths(deps);
  return report;
}

/** Grace after a lease ends before the reconciler takes the request over (clock skew between instances). */
export const LEASE_GRACE_SECONDS = 5;

/**
 * Requests whose invocation died (a killed instance): `processing` or `submitting` with the lease
 * over. They resume at once, without waiting for RECONCILE_AFTER_SECONDS: the record becomes
 * `retrying` (conditional, so one reconciler of the fleet wins; `submittedAt` stays, so the next
 * attempt looks D365 up before creating) and gets a message again.
 */
async function resumeAbandoned(deps: ReconcileDeps, now: number, report: ReconcileReport): Promise<void> {
  const expired = await deps.statusStore.findLeaseExpired(
    new Date(now - LEASE_GRACE_SECONDS * 1000).toISOString(),
    deps.batchSize ?? 200,
  );
  for (const record of expired) {
    if (!record.payload) continue;
    try {
      const resumed = await deps.statusStore.update(record, {
        status: 'retrying',
        lastError: 'the invocation holding it stopped before it finished (its lease ended)',
        leaseUntil: undefined,
        nextAttemptAt: new Date(now).toISOString(),
        updatedAt: new Date(now).toISOString(),
      });
      await deps.queue.send(messageFromRecord(resumed));
      deps.log.warn('customer.resumed_after_lease', {
        correlationId: record.correlationId,
        status: record.status,
      });
      report.requeued += 1;
    } catch (error) {
      if (!(error instanceof StatusConflictError)) {
        deps.log.error('customer.reconcile_failed', {
          correlationId: record.correlationId,
          reason: errorName(error),
        });
      }
      report.skipped += 1;
    }
  }
}

async function reportQueueDepths(deps: ReconcileDeps): Promise<void> {
  if (!deps.queueDepths) return;
  try {
    for (const [queue, value] of Object.entries(await deps.queueDepths())) {
      deps.telemetry.trackMetric({ name: 'QueueDepth', value, properties: { queue } });
    }
  } catch (error) {
    deps.log.warn('reconciler.queue_depth_failed', { reason: errorName(error) });
  }
}
