/** The operator audit log, replay jobs and the gate room they read. */
import type { AuditEntry } from '../domain/operations/audit';
import type { GateRoomState, ReplayJob } from '../domain/operations/replay-job';

/** The operator audit log (issue 31): every operator action, apart from personal data. */
export interface AuditLog {
  /** Writes an entry (its ID is given here) and returns it. */
  append(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry>;
  /** The entries that name one request, newest first. */
  forRequest(correlationId: string, limit: number): Promise<AuditEntry[]>;
  /** Every entry, newest first, a page at a time. */
  recent(limit: number, cursor?: string): Promise<{ entries: AuditEntry[]; cursor?: string }>;
}

/** Bulk replay jobs (issue 31), stored beside the operations index; every write but `create` is conditional. */
export interface ReplayJobs {
  /** Stores a new job and returns it with its etag. */
  create(job: Omit<ReplayJob, 'etag'>): Promise<ReplayJob>;
  get(id: string): Promise<ReplayJob | undefined>;
  /** Writes the job if it is unchanged since its etag; `undefined` when it changed meanwhile. */
  save(job: ReplayJob): Promise<ReplayJob | undefined>;
  /** The newest jobs first (at most `limit`). */
  recent(limit: number): Promise<ReplayJob[]>;
  /** Every job still running (few: operators start them). */
  running(): Promise<ReplayJob[]>;
}

/** One step of a replay job, on the replay queue (REPLAY_QUEUE_NAME); no personal data. */
export interface ReplayTick {
  v: 1;
  jobId: string;
  /** The job's `tick` when it was sent: a message for another tick is stale. */
  tick: number;
}

export interface ReplayTicks {
  send(tick: ReplayTick, options?: { delaySeconds?: number }): Promise<void>;
}

/** How the fleet's D365 gate stands now (one read of the gate partition). */
export interface GateRoom {
  read(): Promise<GateRoomState>;
}
