import { CustomerLinks, Log, StatusConflictError, StatusStore } from '../ports';
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

/**
 * Retention of the customer links (LINK_RETENTION_DAYS): a link — which D365 account a source's
 * customer is, and the customer as we last sent it (personal data) — is deleted once its last change
 * is older than `retentionDays`; a link only reserved (its create never completed) too. The delete
 * is conditional on the link's ETag, so one changed meanwhile (an update applied) stays. Afterwards
 * an update of that customer is `404 unknown-customer`, and its next create links it again.
 */
export async function purgeExpiredLinks(
  deps: { links: CustomerLinks; log: Log; retentionDays: number; now?: () => Date },
  batch = 500,
): Promise<number> {
  const cutoff = new Date(
    (deps.now?.() ?? new Date()).getTime() - deps.retentionDays * 86_400_000,
  ).toISOString();
  let deleted = 0;
  for (;;) {
    const expired = await deps.links.findChangedBefore(cutoff, batch);
    let progressed = false;
    for (const link of expired) {
      try {
        await deps.links.delete(link);
        deleted += 1;
        progressed = true;
      } catch (error) {
        if (error instanceof StatusConflictError)
          progressed = true; // changed meanwhile: it stays
        else
          deps.log.error('retention.link_delete_failed', {
            correlationId: link.createCorrelationId,
            reason: errorName(error),
          });
      }
    }
    // A full batch that could not be deleted at all would come back the same: try again next hour.
    if (expired.length < batch || !progressed) break;
  }
  if (deleted > 0)
    deps.log.info('retention.links_purged', { reason: `${deleted} links unchanged since ${cutoff}` });
  return deleted;
}
