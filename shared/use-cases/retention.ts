import {
  BackfillUploads,
  CustomerLinks,
  FoEventLedger,
  Log,
  StatusConflictError,
  StatusStore,
} from '../ports';
import { errorName } from '../domain/failure';

/**
 * Retention (a timer function): status records — and with them the stored requests and the
 * Idempotency-Keys they stand for — are deleted once older than `retentionDays`. Poison messages
 * expire on their own (their time to live is the same retention).
 */
/** The time `retentionDays` before now (ISO): what was last written before it goes. */
const cutoffFor = (deps: { retentionDays: number; now?: () => Date }): string =>
  new Date((deps.now?.() ?? new Date()).getTime() - deps.retentionDays * 86_400_000).toISOString();

/**
 * Deletes what `find` returns, `batch` at a time, until a batch comes back short. A delete that
 * conflicts (the item changed meanwhile) leaves it in place; other errors go to `failed`. A full
 * batch of which nothing could be deleted or settled would come back the same: it stops there and
 * the next run (the timer's next hour) tries again.
 */
async function deleteInBatches<T>(
  find: (limit: number) => Promise<T[]>,
  remove: (item: T) => Promise<void>,
  failed: (item: T, error: unknown) => void,
  batch: number,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const expired = await find(batch);
    let progressed = false;
    for (const item of expired) {
      try {
        await remove(item);
        deleted += 1;
        progressed = true;
      } catch (error) {
        if (error instanceof StatusConflictError)
          progressed = true; // changed meanwhile: it stays
        else failed(item, error);
      }
    }
    if (expired.length < batch || !progressed) return deleted;
  }
}

export async function purgeExpiredRecords(
  deps: { statusStore: StatusStore; log: Log; retentionDays: number; now?: () => Date },
  batch = 500,
): Promise<number> {
  const cutoff = cutoffFor(deps);
  const deleted = await deleteInBatches(
    (limit) => deps.statusStore.findCreatedBefore(cutoff, limit),
    (record) => deps.statusStore.delete(record),
    (record, error) =>
      deps.log.error('retention.delete_failed', {
        correlationId: record.correlationId,
        reason: errorName(error),
      }),
    batch,
  );
  if (deleted > 0) deps.log.info('retention.purged', { reason: `${deleted} records older than ${cutoff}` });
  return deleted;
}

/**
 * Holding less (issue 27): a `failed` or `needs_review` request keeps the customer it was sent for
 * `retentionDays` after it ended (an operator may replay or review it), then the payload goes and
 * the record keeps only its facts (status, codes, times, hashes) until records are purged. The write
 * is conditional: a request replayed meanwhile keeps its payload.
 */
export async function dropEndedPayloads(
  deps: { statusStore: StatusStore; log: Log; retentionDays: number; now?: () => Date },
  batch = 500,
): Promise<number> {
  const cutoff = cutoffFor(deps);
  const dropped = await deleteInBatches(
    (limit) => deps.statusStore.findEndedWithPayload(cutoff, limit),
    async (record) => {
      await deps.statusStore.update(record, { payload: undefined, originalPayload: undefined });
    },
    (record, error) =>
      deps.log.error('retention.payload_drop_failed', {
        correlationId: record.correlationId,
        reason: errorName(error),
      }),
    batch,
  );
  if (dropped > 0)
    deps.log.info('retention.payloads_dropped', { reason: `${dropped} requests ended before ${cutoff}` });
  return dropped;
}

/**
 * Retention of the customer links (LINK_RETENTION_DAYS): a link — which D365 account a source's
 * customer is, with digests of what we last sent — is deleted once its last change
 * is older than `retentionDays`; a link only reserved (its create never completed) too. The delete
 * is conditional on the link's ETag, so one changed meanwhile (an update applied) stays. Afterwards
 * an update of that customer is `404 unknown-customer`, and its next create links it again.
 */
export async function purgeExpiredLinks(
  deps: { links: CustomerLinks; log: Log; retentionDays: number; now?: () => Date },
  batch = 500,
): Promise<number> {
  const cutoff = cutoffFor(deps);
  const deleted = await deleteInBatches(
    (limit) => deps.links.findChangedBefore(cutoff, limit),
    (link) => deps.links.delete(link),
    (link, error) =>
      deps.log.error('retention.link_delete_failed', {
        correlationId: link.createCorrelationId,
        reason: errorName(error),
      }),
    batch,
  );
  if (deleted > 0)
    deps.log.info('retention.links_purged', { reason: `${deleted} links unchanged since ${cutoff}` });
  return deleted;
}

/**
 * F&O data events (issue 29, FO_EVENTS_RETENTION_DAYS): an event's row — the change it brought,
 * personal data — is deleted once it came more than `retentionDays` ago; its message has expired by
 * then (the same time to live). The customers' state rows (field stamps) stay.
 */
export async function purgeExpiredFoEvents(
  deps: { ledger: FoEventLedger; log: Log; retentionDays: number; now?: () => Date },
  batch = 500,
): Promise<number> {
  const cutoff = cutoffFor(deps);
  let deleted = 0;
  for (;;) {
    const gone = await deps.ledger.deleteReceivedBefore(cutoff, batch);
    deleted += gone;
    if (gone < batch) break;
  }
  if (deleted > 0)
    deps.log.info('retention.fo_events_purged', { reason: `${deleted} events before ${cutoff}` });
  return deleted;
}

/**
 * Uploaded exports' pages (issue 30, the CSV backfill's rows: personal data). A page goes once its
 * job has read it, and every page of a job that failed goes then; what is left of a job that never
 * ended (its messages lost, its host gone) goes `retentionDays` (FAILED_REQUEST_RETENTION_DAYS, as a
 * failed request's payload) after the upload. A job still running then fails at that page.
 */
export async function purgeExpiredUploads(
  deps: {
    uploads: Pick<BackfillUploads, 'deleteUploadedBefore'>;
    log: Log;
    retentionDays: number;
    now?: () => Date;
  },
  batch = 500,
): Promise<number> {
  const cutoff = cutoffFor(deps);
  let deleted = 0;
  for (;;) {
    const gone = await deps.uploads.deleteUploadedBefore(cutoff, batch);
    deleted += gone;
    if (gone < batch) break;
  }
  if (deleted > 0)
    deps.log.info('retention.uploads_purged', { reason: `${deleted} uploaded pages before ${cutoff}` });
  return deleted;
}
