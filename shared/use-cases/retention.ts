import { Log, StatusConflictError, StatusStore } from '../ports';
import { errorName } from './accept-customer';

/**
 * Retention (a timer function): status records — and with them the stored requests and the
 * Idempotency-Keys they stand for — are deleted once older than `retentionDays`. Poison messages
 * expire on their own (their time to live is the same retention).
 */
export async function purgeExpiredRecords(
  deps: { statusStore: StatusStore; log: Log; retentionDays: number; now?: () => Date },
  batch = 500,
): Promise<number> {
  const cutoff = new Date(
    (deps.now?.() ?? new Date()).getTime() - deps.retentionDays * 86_400_000,
  ).toISOString();
  let deleted = 0;
  for (;;) {
    const expired = await deps.statusStore.findCreatedBefore(cutoff, batch);
    for (const record of expired) {
      try {
        await deps.statusStore.delete(record);
        deleted += 1;
      } catch (error) {
        if (!(error instanceof StatusConflictError)) {
          deps.log.error('retention.delete_failed', {
            correlationId: record.correlationId,
            reason: errorName(error),
          });
        }
      }
    }
    if (expired.length < batch) break;
  }
  if (deleted > 0) deps.log.info('retention.purged', { reason: `${deleted} records older than ${cutoff}` });
  return deleted;
}
