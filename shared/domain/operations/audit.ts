/**
 * The operator audit log (issue 31): who did what to which requests, and when. Kept apart from
 * personal data: it names fields by JSON pointer, never their values; notes are not copied into it.
 */
export const AUDIT_ACTIONS = [
  /** An operator read a request's payload (personal data). */
  'payload.read',
  /** An operator replayed a failed request as it was. */
  'request.retry',
  /** An operator changed a failed request's payload (JSON Merge Patch) and replayed it. */
  'request.edit_retry',
  /** An operator resolved a request with a note (handled in D365 by hand). */
  'request.resolve',
  /** The app resolved a request because a later request for the same customer succeeded. */
  'request.auto_resolve',
  /** An operator started a bulk replay (by filter or by IDs). */
  'replay.start',
  /** An operator cancelled a bulk replay. */
  'replay.cancel',
  /** An operator asked for a customer's erasure or export (issue 27; the privacy request's ID). */
  'privacy.request',
  /** An operator fetched a data request's export (personal data). */
  'privacy.export_read',
  /** An operator released an erasure (the customer may come back). */
  'privacy.release',
  /** An operator started a shop's backfill (issue 30; its source and options in `filter`). */
  'backfill.start',
  /** An operator linked a needs-review possible duplicate to one of its candidates (issue 32). */
  'review.link',
  /** An operator had a new customer created for a needs-review possible duplicate (issue 32). */
  'review.create_new',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditActor {
  kind: 'key' | 'entra' | 'system';
  id: string;
  name?: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: AuditActor;
  action: AuditAction;
  /** The requests it touched (at most `MAX_AUDITED_IDS` named; `count` says how many in all). */
  correlationIds: string[];
  count: number;
  /** The bulk replay it belongs to. */
  jobId?: string;
  /** Edit and retry: the JSON pointers of the members changed (never the values). */
  fields?: string[];
  /** A bulk replay's filter (codes, source, legal entity, times: no personal data). */
  filter?: Record<string, string>;
  /** What came of it: `queued`, `resolved`, `refused`, … */
  outcome: string;
}

/** Entries name at most this many requests; a bulk replay's full list is its job's. */
export const MAX_AUDITED_IDS = 20;
