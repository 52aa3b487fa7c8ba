import type { FailureCode, Status, StatusRecord } from '../status';

/**
 * Which requests need an operator's attention, and where each one sits in the operations index
 * (issue 31): the index lists them by view, newest first, without reading a status record.
 *
 * - `failed` / `needs_review`: ended and not resolved, newest failure first;
 * - `retrying`: waiting for the next attempt after a transient failure (`lastError`), newest series
 *   first (a request that merely waited for a gate slot is not listed: nothing went wrong);
 * - `resolved`: failed or needs_review and resolved by an operator or by a later success.
 *
 * Every other status (accepting, queued, processing, submitting, succeeded) has no index row, so a
 * request that succeeds at its first attempt costs the index nothing.
 */
export const ATTENTION_VIEWS = ['failed', 'needs_review', 'retrying', 'resolved'] as const;
export type AttentionView = (typeof ATTENTION_VIEWS)[number];

/** One row of the operations index: what the list shows, never personal data. */
export interface AttentionEntry {
  view: AttentionView;
  /** Orders the view newest first: the inverted time, then the correlation ID. */
  rowKey: string;
  correlationId: string;
  /** The request's status when the row was written. */
  status: Status;
  kind: 'create' | 'update';
  errorCode?: FailureCode;
  /** Where the request came from: a WEBHOOK_SOURCES name, else the caller (`api` with function keys). */
  source: string;
  legalEntity: string;
  attempts: number;
  createdAt: string;
  /** When it entered the view (failed, resolved, or started the retry series). */
  at: string;
  /** `manual` (an operator's note) or `superseded` (a later request for the customer succeeded). */
  resolution?: Resolution;
}

export type Resolution = 'manual' | 'superseded';

/** Inverted milliseconds, zero-padded: ascending row keys are newest first. */
const MAX_TIME = 9_999_999_999_999;
export const invertedTime = (iso: string): string => String(MAX_TIME - Date.parse(iso)).padStart(13, '0');

/** The first row key of a view at or before `iso` (newest first: rows at `iso` or older sort from here). */
export const rowKeyAtOrBefore = (iso: string): string => invertedTime(iso);

/** The source as operators filter by it: the webhook source, else the caller, else `api`. */
export const sourceOf = (record: Pick<StatusRecord, 'source' | 'caller'>): string =>
  record.source ?? record.caller ?? 'api';

/** Where a record sits in the index, or undefined when it needs no attention. Pure. */
export function attentionEntryOf(record: StatusRecord): AttentionEntry | undefined {
  const view = viewOf(record);
  if (view === undefined) return undefined;
  const at = timeInView(record, view);
  return {
    view,
    rowKey: `${invertedTime(at)}-${record.correlationId}`,
    correlationId: record.correlationId,
    status: record.status,
    kind: record.kind === 'update' ? 'update' : 'create',
    ...(record.errorCode !== undefined && { errorCode: record.errorCode }),
    source: sourceOf(record),
    legalEntity: record.legalEntity,
    attempts: record.attempts,
    createdAt: record.createdAt,
    at,
    ...(record.resolution !== undefined && view === 'resolved' && { resolution: record.resolution }),
  };
}

function viewOf(record: StatusRecord): AttentionView | undefined {
  switch (record.status) {
    case 'failed':
    case 'needs_review':
      return record.resolvedAt !== undefined ? 'resolved' : record.status;
    case 'retrying':
      return record.lastError !== undefined ? 'retrying' : undefined;
    default:
      return undefined;
  }
}

function timeInView(record: StatusRecord, view: AttentionView): string {
  if (view === 'resolved') return record.resolvedAt ?? record.updatedAt;
  // A retry series keeps one row: its start does not move while the request goes round.
  if (view === 'retrying') return record.queuedAt ?? record.createdAt;
  return record.updatedAt;
}

/** Whether two placements are the same row with the same content (no index write needed). */
export function sameEntry(a: AttentionEntry | undefined, b: AttentionEntry | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}
