import { z } from 'zod';

/**
 * The initial load and drift repair of a shop's customers (issue 30): a backfill job pages through
 * a shop's customers (Shopify Admin GraphQL, BigCommerce V3) on the fleet, one queue message per
 * page, and sends each customer through the same intake as the shop's webhook would (its key is
 * the source and the shop's customer ID, so a rerun or a later webhook is a replay, never a second
 * customer). Customers already linked to a D365 account are skipped and counted.
 *
 *   (started) ─► running ─► done
 *                   └──────► failed (the shop refused the token: an operator starts it again)
 *
 * The job row is the fence: a page message names the page it continues from (`page`); a copy of a
 * page the job has moved past does nothing, and the page's result is saved on the row's ETag, so
 * two deliveries of one page never count twice. The cursor is saved after every page, so a killed
 * host resumes where the fleet left off.
 */
export const BACKFILL_STATES = ['running', 'done', 'failed'] as const;

/**
 * How a job reads the shop: `pages` (the shop's list API, page by page: Shopify `customers`,
 * BigCommerce V3) or `bulk` (Shopify only: one bulk query operation, its JSONL file read page by
 * page; for large shops, where paging costs up to 1,000 points a page and the file costs 10 in all).
 * The operator chooses: a shop's size is known before the job (the first page's `total`).
 * `csv`: an uploaded Shopify customer export (`POST /api/backfills/csv`, domain/backfill-csv.ts).
 */
export const BACKFILL_READS = ['pages', 'bulk', 'csv'] as const;
export type BackfillRead = (typeof BACKFILL_READS)[number];
export type BackfillState = (typeof BACKFILL_STATES)[number];

export interface BackfillCounts {
  /** Customers the shop listed. */
  found: number;
  /** Sent through the intake: a new request each (or, in a dry run, would be). */
  queued: number;
  /** Sent before (a rerun, or a webhook got there first): the intake answered with the earlier request. */
  replayed: number;
  /** Already linked to a D365 account (the shop holds it, or our link table does): not sent. */
  skippedLinked: number;
  /** Cannot be a D365 customer (no e-mail, no name): recorded `failed` with code `unmappable`. */
  unmappable: number;
  /**
   * A dry run's lookups (use-cases/backfill/dry-run-match.ts), of the customers it would send: no
   * D365 customer matches (would be created), one matches by e-mail or by name and phone (would be
   * linked, with `DUPLICATE_POLICY=link`), or several (an operator's). 0 outside dry runs.
   */
  wouldCreate: number;
  wouldLinkByEmail: number;
  wouldLinkByNameAndPhone: number;
  wouldReview: number;
}

export const emptyCounts = (): BackfillCounts => ({
  found: 0,
  queued: 0,
  replayed: 0,
  skippedLinked: 0,
  unmappable: 0,
  wouldCreate: 0,
  wouldLinkByEmail: 0,
  wouldLinkByNameAndPhone: 0,
  wouldReview: 0,
});

export interface BackfillJob {
  jobId: string;
  /** The WEBHOOK_SOURCES name of the shop. */
  source: string;
  /** Only customers changed at or after this time (ISO; drift repair), else every customer. */
  since?: string;
  /** Count what would be sent, send nothing. */
  dryRun: boolean;
  /** `bulk`: a Shopify bulk query operation; `csv`: an uploaded export (BACKFILL_READS); absent: page by page. */
  read?: BackfillRead;
  state: BackfillState;
  /** Pages done; the next page message carries this number. */
  page: number;
  /** The shop's cursor of the next page (absent before the first and after the last). */
  cursor?: string;
  /** How many customers the shop said it holds (for `since`: changed since then), when it says. */
  total?: number;
  counts: BackfillCounts;
  /** Who started it (the operator's ID: `master-key` or an Entra object ID). */
  startedBy: string;
  startedAt: string;
  updatedAt: string;
  endedAt?: string;
  /** Why it failed (no personal data). */
  error?: string;
  etag: string;
}

/** `GET /api/backfills/{jobId}`: the job without storage details, with its rate. */
export interface BackfillProgress {
  jobId: string;
  source: string;
  since?: string;
  dryRun: boolean;
  read: BackfillRead;
  state: BackfillState;
  pages: number;
  /** How many customers the shop holds (the shop's own count, read with the first page). */
  total?: number;
  counts: BackfillCounts;
  /** Customers listed per minute since the start (absent before the first page). */
  perMinute?: number;
  /** Seconds left at that rate (running, with a total). */
  estimatedSecondsLeft?: number;
  startedAt: string;
  updatedAt: string;
  endedAt?: string;
  error?: string;
}

export function backfillProgress(job: BackfillJob): BackfillProgress {
  const end = Date.parse(job.endedAt ?? job.updatedAt);
  const minutes = (end - Date.parse(job.startedAt)) / 60_000;
  const perMinute =
    job.page > 0 && minutes > 0 ? Math.round((job.counts.found / minutes) * 10) / 10 : undefined;
  const left =
    job.state === 'running' && job.total !== undefined && perMinute
      ? Math.ceil((Math.max(0, job.total - job.counts.found) / perMinute) * 60)
      : undefined;
  return {
    jobId: job.jobId,
    source: job.source,
    ...(job.since !== undefined && { since: job.since }),
    dryRun: job.dryRun,
    read: job.read ?? 'pages',
    state: job.state,
    pages: job.page,
    ...(job.total !== undefined && { total: job.total }),
    counts: job.counts,
    ...(perMinute !== undefined && { perMinute }),
    ...(left !== undefined && { estimatedSecondsLeft: left }),
    startedAt: job.startedAt,
    updatedAt: job.updatedAt,
    ...(job.endedAt !== undefined && { endedAt: job.endedAt }),
    ...(job.error !== undefined && { error: job.error }),
  };
}

/** How long a page waits when the fleet's D365 gate has no room beyond the live reserve. */
export const GATE_WAIT_SECONDS = 2;

/**
 * Whether a backfill page may send now, by the fleet's D365 gate (its slots, those held by anyone,
 * a throttling pause): not during a pause (it waits for the pause's end), nor while the slots held
 * leave no more than `reserveSlots` (REPLAY_RESERVE_SLOTS, at most slots − 1) for live requests.
 * Returns the seconds to wait, 0 to go on.
 */
export function backfillGateWait(
  gate: { slots: number; held: number; pausedUntil: number },
  reserveSlots: number,
  nowMs: number,
): number {
  if (gate.pausedUntil > nowMs) return Math.max(1, Math.ceil((gate.pausedUntil - nowMs) / 1000));
  const reserve = Math.max(0, Math.min(reserveSlots, gate.slots - 1));
  return gate.slots - reserve - gate.held > 0 ? 0 : GATE_WAIT_SECONDS;
}

/** The idempotency key of a backfilled customer: the source and the shop's customer ID. */
export const backfillEventKey = (sourceCustomerId: string): string => `backfill-${sourceCustomerId}`;

/** The backfill queue's message: one page of one job. */
export const BACKFILL_MESSAGE_VERSION = 1;
export const backfillMessageSchema = z.strictObject({
  v: z.literal(BACKFILL_MESSAGE_VERSION),
  jobId: z.uuid(),
  page: z.number().int().min(0),
});
export type BackfillMessage = z.infer<typeof backfillMessageSchema>;

export const backfillMessage = (jobId: string, page: number): BackfillMessage => ({
  v: BACKFILL_MESSAGE_VERSION,
  jobId,
  page,
});

export function encodeBackfillMessage(message: BackfillMessage): string {
  return Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
}

/** What the queue trigger handed the function (an object for JSON, else a string). */
export function decodeBackfillMessage(input: unknown): BackfillMessage | undefined {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      return undefined;
    }
  }
  const parsed = backfillMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** `POST /api/backfills`'s body. */
export const backfillStartSchema = z.strictObject({
  source: z.string().min(1).max(64),
  since: z.iso.datetime({ offset: true }).optional(),
  dryRun: z.boolean().optional(),
  read: z.enum(['pages', 'bulk']).optional(),
});
export type BackfillStart = z.infer<typeof backfillStartSchema>;
