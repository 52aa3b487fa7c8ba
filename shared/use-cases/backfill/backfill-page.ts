import {
  BackfillCounts,
  BackfillJob,
  backfillGateWait,
  backfillMessage,
  decodeBackfillMessage,
} from '../../domain/backfill';
import { ProcessingError, transient } from '../../domain/failure';
import type { RetryPolicy } from '../../domain/retry-policy';
import type {
  BackfillJobs,
  BackfillQueue,
  BackfillUploads,
  CustomerLinks,
  GateRoom,
  Log,
  ShopClient,
  ShopClients,
  ShopBulkStep,
  ShopCustomer,
  ShopCustomerPage,
  Telemetry,
} from '../../ports';
import { ShopAccessError, StatusConflictError } from '../../ports';
import type { WebhookSource } from '../../config/webhook-sources';
import type { AcceptDeps } from '../accept-customer';
import { clock } from '../clock';
import { backfillCorrelationId, dryRunOutcome, listedBody, sendCustomer } from './send-customer';
import { DryRunLookupDeps, dryRunMatch } from './dry-run-match';

/**
 * One page of a backfill (issue 30; states in shared/domain/backfill.ts): one delivery of the
 * backfill queue's message. Reads the page from the shop (the shop client paces it within the
 * shop's budget), sends each customer not yet linked through the webhook intake, saves the counts
 * and the next cursor on the job's ETag, then queues the next page. Below live traffic: the next
 * page waits while the customer queue holds more than `maxBacklog` messages, so a live request is
 * never queued behind more than that much backfill, and while the fleet's D365 gate has no room
 * beyond the slots left to live requests (or is paused by throttling).
 */
export interface BackfillPageDeps {
  backfillJobs: BackfillJobs;
  backfillQueue: BackfillQueue;
  /** An uploaded export's pages (`read: csv`); absent: no uploads. */
  uploads?: BackfillUploads;
  shopClients: ShopClients;
  links: CustomerLinks;
  webhookSources: readonly WebhookSource[];
  accept: AcceptDeps;
  /** The customer queue's approximate depth (live and backfilled requests waiting). */
  customerQueueDepth: () => Promise<number>;
  pageSize: number;
  maxBacklog: number;
  /**
   * The fleet's D365 gate as it stands, and the slots left to live requests (REPLAY_RESERVE_SLOTS):
   * a page is sent only while the gate has room beyond them. Absent: not paced by the gate.
   */
  gate?: { room: GateRoom; reserveSlots: number };
  /** A dry run's D365 lookups (would create or link); absent: a dry run counts without them. */
  dryRunLookup?: DryRunLookupDeps;
  retry: RetryPolicy;
  telemetry: Telemetry;
  log: Log;
  now?: () => Date;
}

export type BackfillPageResult =
  | { kind: 'page'; page: number; last: boolean; counts: BackfillCounts }
  /** The customer queue is busy, or the shop asked us to wait: the same page again later. */
  | { kind: 'waiting'; delaySeconds: number }
  | { kind: 'failed'; reason: string }
  /** No such job, not running, or a page it has moved past: acknowledged. */
  | { kind: 'done' }
  | { kind: 'discarded' };

/** How long the next page waits for the customer queue to drain below `maxBacklog`. */
const BACKLOG_WAIT_SECONDS = 5;

export async function processBackfillPage(
  input: unknown,
  deps: BackfillPageDeps,
): Promise<BackfillPageResult> {
  const message = decodeBackfillMessage(input);
  if (!message) {
    deps.log.error('backfill.message_invalid');
    return { kind: 'discarded' };
  }
  const job = await deps.backfillJobs.get(message.jobId);
  if (!job || job.state !== 'running' || job.page !== message.page) return { kind: 'done' };
  // An uploaded export needs no Admin API token: its rows are in the job's partition.
  const csv = job.read === 'csv';
  const client = csv ? undefined : deps.shopClients.forSource(job.source, 'read');
  const source = deps.webhookSources.find((s) => s.name === job.source);
  if (!source || source.kind === 'standard' || (csv ? source.kind !== 'shopify' : !client))
    return endJob(job, `The source ${job.source} is no longer a shop with an Admin API token.`, deps);
  if (!job.dryRun && (await deps.customerQueueDepth()) > deps.maxBacklog) {
    await deps.backfillQueue.send(message, { delaySeconds: BACKLOG_WAIT_SECONDS });
    return { kind: 'waiting', delaySeconds: BACKLOG_WAIT_SECONDS };
  }
  const gateWait = job.dryRun || !deps.gate ? 0 : await waitForGate(deps.gate, deps);
  if (gateWait > 0) {
    await deps.backfillQueue.send(message, { delaySeconds: gateWait });
    deps.log.info('backfill.gate_wait', { jobId: job.jobId, page: job.page, retryAfterSeconds: gateWait });
    return { kind: 'waiting', delaySeconds: gateWait };
  }
  let page;
  try {
    const read = await readPage(job, client, deps);
    if (read.kind === 'failed') return endJob(job, read.reason, deps);
    if (read.kind === 'running') return bulkRunning(job, read, deps);
    page = read.page;
  } catch (error) {
    return afterShopError(error, job, deps);
  }
  const counts = { ...job.counts };
  const kind = client?.kind ?? 'shopify';
  for (const customer of page.customers) await countCustomer(customer, job, source, kind, counts, deps);
  const saved = await savePage(job, counts, page, deps);
  // The upload's rows are personal data: gone once the job has moved past them.
  if (csv && saved.kind === 'page') await deps.uploads?.deletePage(job.jobId, job.page);
  return saved;
}

/** The next page: the shop's list, or (`read: bulk`) a step of its bulk operation. */
async function readPage(
  job: BackfillJob,
  client: ShopClient | undefined,
  deps: BackfillPageDeps,
): Promise<ShopBulkStep> {
  if (job.read === 'csv') return uploadedPage(job, deps);
  if (!client) return { kind: 'failed', reason: `The source ${job.source} has no Admin API token.` };
  const request = {
    limit: deps.pageSize,
    ...(job.cursor && { cursor: job.cursor }),
    ...(job.since && { updatedSince: job.since }),
  };
  if (job.read !== 'bulk')
    return { kind: 'page', page: await client.listCustomers(request, { log: deps.log }) };
  if (!client.listCustomersInBulk)
    return { kind: 'failed', reason: `The source ${job.source} has no bulk reads.` };
  return client.listCustomersInBulk(request, { log: deps.log });
}

/** A page of an uploaded export; its cursor (`csv:<pages>`) says how many pages it has. */
async function uploadedPage(job: BackfillJob, deps: BackfillPageDeps): Promise<ShopBulkStep> {
  const pages = Number(/^csv:(\d+)$/.exec(job.cursor ?? '')?.[1] ?? 0);
  const customers = await deps.uploads?.getPage(job.jobId, job.page);
  if (!customers) return { kind: 'failed', reason: `The uploaded file's page ${job.page} is gone.` };
  return {
    kind: 'page',
    page: { customers, ...(job.page + 1 < pages && { nextCursor: job.cursor! }) },
  };
}

/**
 * The bulk operation runs (or was just started): its cursor on the job's ETag (a second delivery
 * that started another operation loses here, and its operation is left to end unread), then the
 * same page again after the wait. Not a page: the page number stays.
 */
async function bulkRunning(
  job: BackfillJob,
  step: { cursor: string; retryAfterSeconds: number },
  deps: BackfillPageDeps,
): Promise<BackfillPageResult> {
  if (step.cursor !== job.cursor) {
    try {
      await deps.backfillJobs.save(job, { cursor: step.cursor, updatedAt: clock(deps).toISOString() });
    } catch (error) {
      if (error instanceof StatusConflictError) return { kind: 'done' };
      throw error;
    }
  }
  await deps.backfillQueue.send(backfillMessage(job.jobId, job.page), {
    delaySeconds: step.retryAfterSeconds,
  });
  return { kind: 'waiting', delaySeconds: step.retryAfterSeconds };
}

/** Seconds the page waits for the fleet's D365 gate (domain `backfillGateWait`); 0: go on. */
async function waitForGate(
  gate: NonNullable<BackfillPageDeps['gate']>,
  deps: BackfillPageDeps,
): Promise<number> {
  return backfillGateWait(await gate.room.read(), gate.reserveSlots, clock(deps).getTime());
}

/** Skips a linked customer, else sends it (a dry run only counts it). */
async function countCustomer(
  customer: ShopCustomer,
  job: BackfillJob,
  source: Exclude<WebhookSource, { kind: 'standard' }>,
  kind: ShopClient['kind'],
  counts: BackfillCounts,
  deps: BackfillPageDeps,
): Promise<void> {
  counts.found += 1;
  const link = await deps.links.get({ kind: 'reference', source: job.source, sourceCustomerId: customer.id });
  if (customer.account !== null || link?.customerAccount !== undefined) {
    counts.skippedLinked += 1;
    return;
  }
  // Another request of this customer (its webhook) is under way: it holds the link; not sent again.
  if (link) {
    const ours = await backfillCorrelationId(deps.accept, job.source, customer.id);
    // The key cannot be had now: the page goes again (each customer's key makes that safe).
    if (ours === undefined) throw transient('backfill: no correlation ID');
    if (link.createCorrelationId !== ours) {
      counts.replayed += 1;
      return;
    }
  }
  if (!job.dryRun) {
    counts[await sendCustomer(customer, source, kind, deps.accept)] += 1;
    return;
  }
  const outcome = await dryRunOutcome(customer, source, kind, deps.accept);
  counts[outcome] += 1;
  const body = outcome === 'queued' && deps.dryRunLookup ? listedBody(customer, source) : undefined;
  if (body) counts[await dryRunMatch(body, `webhook:${source.name}`, deps.dryRunLookup!)] += 1;
}

/** The page's counts and the next cursor, on the job's ETag; then the next page's message. */
async function savePage(
  job: BackfillJob,
  counts: BackfillCounts,
  page: ShopCustomerPage,
  deps: BackfillPageDeps,
): Promise<BackfillPageResult> {
  const now = clock(deps).toISOString();
  const nextCursor = page.nextCursor;
  const last = nextCursor === undefined;
  try {
    await deps.backfillJobs.save(job, {
      page: job.page + 1,
      cursor: nextCursor,
      ...(job.total === undefined && page.total !== undefined && { total: page.total }),
      counts,
      updatedAt: now,
      ...(last && { state: 'done', endedAt: now }),
    });
  } catch (error) {
    // Another delivery of this page saved it first: its counts stand, its message goes on.
    if (error instanceof StatusConflictError) return { kind: 'done' };
    throw error;
  }
  if (!last) await deps.backfillQueue.send(backfillMessage(job.jobId, job.page + 1));
  deps.log.info('backfill.page', {
    jobId: job.jobId,
    source: job.source,
    page: job.page,
    found: counts.found,
  });
  // Per page (the workbook sums them): what this page added.
  deps.telemetry.trackEvent({
    name: 'BackfillPage',
    properties: {
      jobId: job.jobId,
      source: job.source,
      dryRun: String(job.dryRun),
      outcome: last ? 'done' : 'page',
    },
    measurements: {
      found: counts.found - job.counts.found,
      queued: counts.queued - job.counts.queued,
      replayed: counts.replayed - job.counts.replayed,
      skippedLinked: counts.skippedLinked - job.counts.skippedLinked,
      unmappable: counts.unmappable - job.counts.unmappable,
    },
  });
  return { kind: 'page', page: job.page, last, counts };
}

/** The shop refused the token: the job fails; throttled or unavailable: the same page later. */
async function afterShopError(
  error: unknown,
  job: BackfillJob,
  deps: BackfillPageDeps,
): Promise<BackfillPageResult> {
  if (error instanceof ShopAccessError) return endJob(job, error.message, deps);
  if (!(error instanceof ProcessingError) || error.failure.kind !== 'transient') throw error;
  const delaySeconds = Math.max(1, error.failure.retryAfterSeconds ?? deps.retry.baseSeconds);
  await deps.backfillQueue.send(backfillMessage(job.jobId, job.page), { delaySeconds });
  deps.log.info('backfill.page_retry', {
    jobId: job.jobId,
    reason: error.failure.reason,
    retryAfterSeconds: delaySeconds,
  });
  return { kind: 'waiting', delaySeconds };
}

async function endJob(job: BackfillJob, reason: string, deps: BackfillPageDeps): Promise<BackfillPageResult> {
  const now = clock(deps).toISOString();
  try {
    await deps.backfillJobs.save(job, { state: 'failed', error: reason, updatedAt: now, endedAt: now });
  } catch (error) {
    if (!(error instanceof StatusConflictError)) throw error;
  }
  deps.log.warn('backfill.failed', { jobId: job.jobId, source: job.source });
  // A failed job is never resumed: its upload's rows left (personal data) go now, not at retention.
  if (job.read === 'csv') await deps.uploads?.deletePages(job.jobId);
  return { kind: 'failed', reason };
}
