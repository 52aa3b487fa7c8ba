import { isTerminal, StatusRecord } from '../status';

/**
 * A bulk replay (issue 31): one job that replays failed requests, chosen by a filter of the
 * `failed` view or by their IDs, paced so that it never takes the D365 slots live traffic needs.
 * The job is stored (replay jobs in OPERATIONS_TABLE_NAME) and advanced by the replay-job queue
 * function, any instance of the fleet, one tick at a time. Its counts are its progress.
 */
export const REPLAY_STATES = ['running', 'cancelled', 'done'] as const;
export type ReplayState = (typeof REPLAY_STATES)[number];

/** Which failed requests a job takes: the list's filters (codes, source, legal entity, times; no personal data). */
export interface ReplayFilter {
  errorCode?: string;
  source?: string;
  legalEntity?: string;
  /** Entered the failed view at or after / at or before (ISO). */
  from?: string;
  to?: string;
}

export interface ReplayCounts {
  /** What the job expects to take (the matches when it started, or the IDs given). */
  total: number;
  /** Put back on the queue by the job. */
  released: number;
  /** Not replayable when the job came to it (no longer failed, past its retention, gone). */
  skipped: number;
  /** How the released ones ended. */
  succeeded: number;
  failed: number;
  needsReview: number;
}

export interface ReplayJob {
  id: string;
  state: ReplayState;
  createdAt: string;
  updatedAt: string;
  /** The operator who started it (`master-key` or an Entra object ID). */
  createdBy: string;
  filter?: ReplayFilter;
  /** By IDs: the requests, in the order given (deduplicated). */
  ids?: string[];
  /** Requests that entered the failed view after this are not taken (a replay that fails again is not replayed again). */
  asOf: string;
  /** Where the walk goes on: the index cursor (by filter) or the next position in `ids` (by IDs). */
  cursor?: string;
  /** Nothing is left to release. */
  exhausted: boolean;
  /** Released (or about to be) and not yet ended: at most the pace allows. */
  inFlight: string[];
  counts: ReplayCounts;
  /** The tick the next tick message must carry: a message of another tick is stale and dropped. */
  tick: number;
  finishedAt?: string;
  cancelledAt?: string;
  cancelledBy?: string;
  etag: string;
}

/** At most this many IDs in one job (a stored job row stays well inside Table storage's limits). */
export const MAX_REPLAY_IDS = 500;

/** How the fleet gate stands, as the gate partition says (every instance's slots). */
export interface GateRoomState {
  slots: number;
  /** Slots held now (live requests and replays alike). */
  held: number;
  /** A throttling pause ends then (epoch ms; in the past when none). */
  pausedUntil: number;
  /**
   * Instances the gate partition shows at work: holding a slot or waiting for one (at least 1). An
   * idle instance does not show: the count is never more than the fleet has.
   */
  instances: number;
}

export interface ReplayPacing {
  /** Slots the job never counts on: left for live requests (REPLAY_RESERVE_SLOTS; at most slots − 1). */
  reserveSlots: number;
  /** At most this many released at once (REPLAY_BATCH_SIZE). */
  batchSize: number;
  /**
   * FAIR_SHARE_WAITERS: the background requests (backfills and bulk replays together) one instance
   * works on at once (one unweighted share; shared/domain/fair-share.ts `admissionLimit`); 0: no limit.
   */
  backgroundShare: number;
}

/**
 * The most requests a job has released and not ended: the slots beyond the reserve, and no more
 * than the instances at work admit as background work (`backgroundShare` each). A request beyond
 * that would only be sent back by admission (deferred: another queue write and read, a second or
 * more later) and would wait in the queue in front of live requests meanwhile. Pure.
 */
export function replayWindow(gate: GateRoomState, pacing: ReplayPacing): number {
  const reserve = Math.max(0, Math.min(pacing.reserveSlots, gate.slots - 1));
  const beyondReserve = gate.slots - reserve;
  if (pacing.backgroundShare <= 0) return beyondReserve;
  return Math.min(beyondReserve, pacing.backgroundShare * Math.max(1, gate.instances));
}

/**
 * How many more requests the job may release now. Below live traffic: a job has at most
 * `replayWindow` requests released and not ended, and releases only while the gate has room
 * beyond the reserve counting every held slot as live work, unless it is one of the job's own (the
 * job's in-flight requests may hold slots). Nothing during a throttling pause. Pure.
 */
export function releaseAllowance(
  gate: GateRoomState,
  inFlight: number,
  pacing: ReplayPacing,
  nowMs: number,
): number {
  if (gate.pausedUntil > nowMs) return 0;
  const reserve = Math.max(0, Math.min(pacing.reserveSlots, gate.slots - 1));
  const gateRoom = gate.slots - reserve - Math.max(gate.held, inFlight);
  const windowRoom = replayWindow(gate, pacing) - inFlight;
  return Math.max(0, Math.min(pacing.batchSize, gateRoom, windowRoom));
}

/**
 * Whether live requests wait in the customer queue: it holds more messages than the job's own on
 * their way plus one window (what the instances at work take at once). The job then releases
 * nothing until they drain: a replayed request never takes an instance's room, or a D365 slot,
 * while live ones queue behind it (as a backfill waits under BACKFILL_MAX_BACKLOG). Pure.
 */
export function liveRequestsWaiting(queueDepth: number, inFlight: number, window: number): boolean {
  return queueDepth - inFlight > window;
}

/** What became of one request of the job's in-flight list. */
export type Settled =
  | { kind: 'pending' }
  /** Chosen but not yet put back on the queue (the tick stopped between the two): release it now. */
  | { kind: 'release' }
  | { kind: 'ended'; as: 'succeeded' | 'failed' | 'needsReview' }
  | { kind: 'skipped' };

/** Where a request of the in-flight list stands (its record as read now, or undefined when gone). Pure. */
export function settledOf(record: StatusRecord | undefined, jobId: string): Settled {
  if (record === undefined) return { kind: 'skipped' };
  if (record.replayJobId !== jobId)
    return record.status === 'failed' && record.payload !== undefined && record.resolvedAt === undefined
      ? { kind: 'release' }
      : { kind: 'skipped' };
  if (!isTerminal(record.status)) return { kind: 'pending' };
  if (record.status === 'succeeded') return { kind: 'ended', as: 'succeeded' };
  return { kind: 'ended', as: record.status === 'needs_review' ? 'needsReview' : 'failed' };
}

/** A job as operators see it: its progress, never the IDs it holds. */
export interface ReplayJobView {
  id: string;
  state: ReplayState;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  filter?: ReplayFilter;
  /** By IDs: how many were given. */
  requested?: number;
  counts: ReplayCounts & { pending: number };
  finishedAt?: string;
  cancelledAt?: string;
  cancelledBy?: string;
}

export function replayJobView(job: ReplayJob): ReplayJobView {
  return {
    id: job.id,
    state: job.state,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    createdBy: job.createdBy,
    ...(job.filter !== undefined && { filter: job.filter }),
    ...(job.ids !== undefined && { requested: job.ids.length }),
    counts: { ...job.counts, pending: job.inFlight.length },
    ...(job.finishedAt !== undefined && { finishedAt: job.finishedAt }),
    ...(job.cancelledAt !== undefined && { cancelledAt: job.cancelledAt }),
    ...(job.cancelledBy !== undefined && { cancelledBy: job.cancelledBy }),
  };
}
