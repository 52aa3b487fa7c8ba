import type { FailureCode, Problem, Status } from './types';

/** The operations API's shapes (issue 31; docs/operations.md): codes, times and counts, no personal data. */
export type AttentionView = 'failed' | 'needs_review' | 'retrying' | 'resolved';

export interface RequestQuery {
  /** The view (default `failed`). */
  status?: AttentionView;
  errorCode?: FailureCode;
  /** A `WEBHOOK_SOURCES` name, a caller ID, or `api`. */
  source?: string;
  legalEntity?: string;
  /** Entered the view at or after / at or before (ISO 8601). */
  from?: string;
  to?: string;
  /** Page size, 1–200 (default 50). */
  limit?: number;
}

export interface ListedRequest {
  view: AttentionView;
  correlationId: string;
  status: Status;
  kind: 'create' | 'update';
  errorCode?: FailureCode;
  source: string;
  legalEntity: string;
  attempts: number;
  createdAt: string;
  at: string;
  resolution?: 'manual' | 'superseded';
}

export interface RequestPage {
  items: ListedRequest[];
  cursor?: string;
  /** First page only: matches per error code (every filter but `errorCode`). */
  counts?: { total: number; byCode: Record<string, number> };
}

export interface OperatorRequest {
  correlationId: string;
  kind: 'create' | 'update';
  status: Status;
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
  submittedAt?: string;
  resolution?: { how: 'manual' | 'superseded'; at: string; by: string; note?: string };
  edited: boolean;
  replayJobId?: string;
  hasPayload: boolean;
  /** A needs-review create with candidates (issue 32): the fields they matched on and their accounts. */
  review?: { matchedOn?: string; candidates: string[] };
  reviewDecision?: 'linked' | 'create_new';
  actions: { retry: boolean; edit: boolean; resolve: boolean; link: boolean; createNew: boolean };
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: { kind: 'key' | 'entra' | 'system'; id: string; name?: string };
  action: string;
  correlationIds: string[];
  count: number;
  jobId?: string;
  fields?: string[];
  filter?: Record<string, string>;
  outcome: string;
}

export type ReplayFilter = Omit<RequestQuery, 'status' | 'limit'>;
export type ReplaySelection = { filter: ReplayFilter } | { correlationIds: string[] };

export interface ReplayJob {
  id: string;
  state: 'running' | 'cancelled' | 'done';
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  filter?: Record<string, string>;
  requested?: number;
  counts: {
    total: number;
    released: number;
    pending: number;
    succeeded: number;
    failed: number;
    needsReview: number;
    skipped: number;
  };
  finishedAt?: string;
  cancelledAt?: string;
  cancelledBy?: string;
}

export type { Problem };
