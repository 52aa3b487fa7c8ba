/** Storage ports: the options bag, status records, the queues and the job tables. */
import type { BackfillJob, BackfillMessage } from '../domain/backfill';
import type { DriftWatermark } from '../domain/drift-repair';
import type { FoEventChange, FoEventQueueMessage } from '../domain/fo-events/event-message';
import type { FieldStamps, ShopChanges } from '../domain/fo-events/shop-fields';
import type { SubjectQuery } from '../domain/privacy/subject-query';
import type { QueueMessage } from '../domain/queue-message';
import type { Status, StatusRecord } from '../domain/status';
import type { WriteBackMessage, WriteBackState } from '../domain/write-back';
import type { ShopCustomer } from './shops';

/**
 * The options bag every call to an outside service takes (the Azure SDK's shape): a signal the
 * caller may abort it with, and how long it may take (default: the adapter's setting for that
 * service, D365_TIMEOUT_MS, KEY_VAULT_TIMEOUT_MS, ENTRA_TIMEOUT_MS or BIGCOMMERCE_TIMEOUT_MS).
 */
export interface CallOptions {
  abortSignal?: AbortSignal;
  timeoutMs?: number;
}

/** The status records, one per correlation ID, with optimistic concurrency on every change. */
export interface StatusStore {
  /** Inserts a new record; throws `StatusConflictError` when one with the same ID exists. */
  create(record: Omit<StatusRecord, 'etag'>): Promise<StatusRecord>;
  get(correlationId: string): Promise<StatusRecord | undefined>;
  /**
   * Applies `changes` to `current` only if the stored record still has `current.etag`;
   * throws `StatusConflictError` when another writer changed it first.
   */
  update(
    current: StatusRecord,
    changes: Partial<Omit<StatusRecord, 'correlationId' | 'etag'>>,
  ): Promise<StatusRecord>;
  /** Deletes the record if it still has the given ETag. */
  delete(record: StatusRecord): Promise<void>;
  /** Records in one of `statuses` last changed before `updatedBefore` (ISO), at most `limit`. */
  /** `processing` / `submitting` records whose lease ended before `leaseBefore` (ISO): their invocation died. */
  findLeaseExpired(leaseBefore: string, limit: number): Promise<StatusRecord[]>;
  findStale(statuses: readonly Status[], updatedBefore: string, limit: number): Promise<StatusRecord[]>;
  /** Records created before `createdBefore` (ISO), at most `limit` (retention). */
  findCreatedBefore(createdBefore: string, limit: number): Promise<StatusRecord[]>;
  /** `failed` / `needs_review` records that still hold a payload and ended before `endedBefore` (ISO), at most `limit`. */
  findEndedWithPayload(endedBefore: string, limit: number): Promise<StatusRecord[]>;
  /**
   * Privacy (issue 27): customer requests' records the query covers that still hold something of the
   * customer (domain/privacy/subject-query.ts `recordMatches`), at most `limit`. An erased record no
   * longer matches, so asking again after erasing a batch gives the next one.
   */
  findHolding(query: SubjectQuery, limit: number): Promise<StatusRecord[]>;
  /** Privacy requests (kinds `erase`, `export`) not ended yet, at most `limit` (the open-requests metric). */
  findOpenPrivacyRequests(limit: number): Promise<StatusRecord[]>;
  /** Records whose shop write-back is in `state` (the reconciler's `pending`), at most `limit`. */
  findWriteBacks(state: WriteBackState, limit: number): Promise<StatusRecord[]>;
}

export class StatusConflictError extends Error {
  constructor(readonly correlationId: string) {
    super(`The status record ${correlationId} was changed by another writer.`);
    this.name = 'StatusConflictError';
  }
}

/** A message as the queue took it: what deletes it while it is still held back (issue 33). */
export interface QueuedReceipt {
  messageId: string;
  popReceipt: string;
}

/** Where accepted requests wait for the worker. */
export interface CustomerQueue {
  /** Queues the message; the storage queue answers with its receipt (fakes may answer nothing). */
  send(message: QueueMessage, options?: { delaySeconds?: number }): Promise<QueuedReceipt | void>;
  /** Deletes a message by its receipt (a `Prefer: wait` request's held-back message, once it ended). */
  discard?(receipt: QueuedReceipt): Promise<void>;
}

/** Where shop write-backs wait for their step (WRITE_BACK_QUEUE_NAME; issue 28). */
export interface WriteBackQueue {
  send(message: WriteBackMessage, options?: { delaySeconds?: number }): Promise<void>;
}

/**
 * F&O data events (issue 29): each event ID is taken once (FO_EVENTS_TABLE_NAME) with its change
 * (personal data: held here only), then a message naming it waits on FO_EVENTS_QUEUE_NAME for the
 * shop update. Erasure and retention delete the rows.
 */
export interface FoEventLedger {
  /** Records the event as taken, with its change; false when it was taken before (a redelivery). */
  claim(eventId: string, at: string, change?: FoEventChange): Promise<boolean>;
  /** Forgets a claim whose event could not be queued (F&O delivers it again). */
  release(eventId: string): Promise<void>;
  /** The change taken with the event; undefined when its row is gone (erased, past retention). */
  get(eventId: string): Promise<FoEventChange | undefined>;
  /**
   * Privacy (issue 27): deletes what is held of one D365 customer: its events' rows and its
   * D365 → shop state row. How many rows went.
   */
  forgetCustomer(legalEntity: string, customerAccount: string): Promise<number>;
  /** Retention: deletes at most `limit` event rows received before `cutoff` (ISO); how many went. */
  deleteReceivedBefore(cutoff: string, limit: number): Promise<number>;
}
export interface FoEventQueue {
  send(message: FoEventQueueMessage): Promise<void>;
}

/**
 * A linked customer's D365 → shop state (issue 29, in FO_EVENTS_TABLE_NAME): the field stamps and the
 * shop update in flight (its event, changes and lease), changed only with the row's ETag.
 */
export interface FoApplyState {
  /** The customer's stamp salt (shop-fields.ts `valueDigest`); absent on rows stamped before it. */
  salt?: string;
  stamps: FieldStamps;
  inFlight?: { eventId: string; changes: ShopChanges; leaseUntil: string };
}
export interface FoApplyStates {
  get(legalEntity: string, customerAccount: string): Promise<{ state: FoApplyState; etag?: string }>;
  /** Writes the state if the row still has `etag` (absent: if there is none); false when it changed meanwhile. */
  save(
    legalEntity: string,
    customerAccount: string,
    state: FoApplyState,
    etag?: string,
  ): Promise<string | false>;
}

/** The backfill's page messages (BACKFILL_QUEUE_NAME, issue 30). */
export interface BackfillQueue {
  send(message: BackfillMessage, options?: { delaySeconds?: number }): Promise<void>;
}

/** Backfill jobs (BACKFILL_TABLE_NAME): one row per job, written on its ETag. */
export interface BackfillJobs {
  /** Inserts a new job. */
  create(job: Omit<BackfillJob, 'etag'>): Promise<BackfillJob>;
  get(jobId: string): Promise<BackfillJob | undefined>;
  /** Writes `changes` over `job` if the row is still `job.etag`; else `StatusConflictError`. */
  save(job: BackfillJob, changes: Partial<Omit<BackfillJob, 'jobId' | 'etag'>>): Promise<BackfillJob>;
}

/**
 * An uploaded Shopify customer export's rows (issue 30, `read: csv`), by page, in BACKFILL_TABLE_NAME
 * under the job's partition: personal data, each page deleted once the job has moved past it, every
 * page of a job that failed, any page past retention, and an erased customer's rows at once.
 */
export interface BackfillUploads {
  /** Writes the pages, stamped `uploadedAt` (ISO; what retention goes by). */
  putPages(jobId: string, pages: ShopCustomer[][], uploadedAt: string): Promise<void>;
  /** The page's customers; undefined when it is not there (deleted, or never written). */
  getPage(jobId: string, page: number): Promise<ShopCustomer[] | undefined>;
  deletePage(jobId: string, page: number): Promise<void>;
  /** Deletes every page of the job left (one that failed); how many went. */
  deletePages(jobId: string): Promise<number>;
  /** Deletes up to `limit` pages of any job uploaded before `cutoff` (ISO); how many went. */
  deleteUploadedBefore(cutoff: string, limit: number): Promise<number>;
  /**
   * Takes out of every stored page the customers `erase` picks (given the source of the page's job,
   * undefined when its job row is gone), each page rewritten on its ETag and kept (an emptied page
   * is still read, so its job goes on); how many customers went.
   */
  forgetCustomers(erase: (customer: ShopCustomer, source: string | undefined) => boolean): Promise<number>;
}

/** Drift repair's row per shop (issue 30, in BACKFILL_TABLE_NAME): its watermark and pass, written on its ETag. */
export interface DriftWatermarks {
  get(source: string): Promise<DriftWatermark | undefined>;
  /** Inserts the shop's first row; `StatusConflictError` when another instance did first. */
  create(source: string): Promise<DriftWatermark>;
  /** Writes `changes` over `row` if it is still `row.etag` (undefined clears a field); else `StatusConflictError`. */
  save(
    row: DriftWatermark,
    changes: Partial<Omit<DriftWatermark, 'source' | 'etag'>>,
  ): Promise<DriftWatermark>;
}
