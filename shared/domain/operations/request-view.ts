import { FAILURE_CODES, FailureCode, isTerminal, Status, StatusRecord } from '../status';
import { AttentionView, attentionEntryOf, sourceOf } from './attention';
import { mayCreateNew, mayLink, ReviewDecision, reviewOf, ReviewView } from './review';

/**
 * One request as an operator sees it (issue 31): its state, codes, times and what may be done with
 * it, without its payload (personal data, shown only on an explicit, audited request).
 */
export interface OperatorRequestView {
  correlationId: string;
  kind: 'create' | 'update';
  status: Status;
  /** The operations view it is listed in, if any. */
  view?: AttentionView;
  legalEntity: string;
  source: string;
  sourceCustomerId?: string;
  customerAccount?: string;
  outcome?: string;
  error?: { code: FailureCode; message: string };
  lastError?: string;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  nextAttemptAt?: string;
  /** When a create was first sent to D365: the customer may exist there since. */
  submittedAt?: string;
  resolution?: { how: 'manual' | 'superseded'; at: string; by: string; note?: string };
  /** An operator changed its payload (edit and retry); the original is kept for the audit. */
  edited: boolean;
  replayJobId?: string;
  /** Whether the stored request is still there (until it succeeds or its retention ends). */
  hasPayload: boolean;
  /** A needs-review create with candidates (issue 32): what they matched on and their accounts. */
  review?: ReviewView;
  /** What an operator decided in a review (issue 32). */
  reviewDecision?: ReviewDecision;
  /** What an operator may do with it now. */
  actions: { retry: boolean; edit: boolean; resolve: boolean; link: boolean; createNew: boolean };
}

/** Whether an operator may replay the request (as it is, or edited): only a failed one with its payload. */
export const mayReplay = (record: StatusRecord): boolean =>
  record.status === 'failed' && record.payload !== undefined;

/** Whether an operator may resolve it: ended without a customer (failed or needs_review), not yet resolved. */
export const mayResolve = (record: StatusRecord): boolean =>
  (record.status === 'failed' || record.status === 'needs_review') && record.resolvedAt === undefined;

export function operatorView(record: StatusRecord): OperatorRequestView {
  const replay = mayReplay(record);
  const view = attentionEntryOf(record)?.view;
  return {
    correlationId: record.correlationId,
    kind: record.kind === 'update' ? 'update' : 'create',
    status: record.status,
    ...(view !== undefined && { view }),
    legalEntity: record.legalEntity,
    source: sourceOf(record),
    ...(record.sourceCustomerId !== undefined && { sourceCustomerId: record.sourceCustomerId }),
    ...(record.customerAccount !== undefined && { customerAccount: record.customerAccount }),
    ...(record.outcome !== undefined && { outcome: record.outcome }),
    ...(record.errorCode !== undefined && {
      error: { code: record.errorCode, message: record.errorMessage ?? FAILURE_CODES[record.errorCode] },
    }),
    ...(record.lastError !== undefined && !isTerminal(record.status) && { lastError: record.lastError }),
    attempts: record.attempts,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(record.nextAttemptAt !== undefined &&
      record.status === 'retrying' && { nextAttemptAt: record.nextAttemptAt }),
    ...(record.submittedAt !== undefined && { submittedAt: record.submittedAt }),
    ...(record.resolvedAt !== undefined && {
      resolution: {
        how: record.resolution ?? 'manual',
        at: record.resolvedAt,
        by: record.resolvedBy ?? 'unknown',
        ...(record.resolutionNote !== undefined && { note: record.resolutionNote }),
      },
    }),
    edited: record.originalPayload !== undefined,
    ...(record.replayJobId !== undefined && { replayJobId: record.replayJobId }),
    hasPayload: record.payload !== undefined,
    ...(reviewOf(record) !== undefined && { review: reviewOf(record) }),
    ...(record.reviewDecision !== undefined && { reviewDecision: record.reviewDecision }),
    actions: {
      retry: replay,
      edit: replay,
      resolve: mayResolve(record),
      link: mayLink(record),
      createNew: mayCreateNew(record),
    },
  };
}
