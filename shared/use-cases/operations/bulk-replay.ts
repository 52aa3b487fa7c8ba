import { randomUUID } from 'node:crypto';
import type { AuditActor } from '../../domain/operations/audit';
import {
  ReplayFilter,
  ReplayJob,
  ReplayPacing,
  liveRequestsWaiting,
  releaseAllowance,
  replayWindow,
} from '../../domain/operations/replay-job';
import {
  AuditLog,
  CustomerQueue,
  GateRoom,
  Log,
  OperationsIndex,
  ReplayJobs,
  ReplayTick,
  ReplayTicks,
  StatusStore,
} from '../../ports';
import { clock } from '../clock';
import { earlier, pick, release, settleInFlight } from './replay-steps';

/**
 * Bulk replay as one job (issue 31). `startReplay` stores the job and sends its first tick;
 * `runReplayTick` (the replay queue function, any instance) advances it for up to `tickMs`, in
 * cycles: it settles the job's in-flight requests (reads their records), asks the fleet gate how
 * much room is left beyond the live reserve (domain `releaseAllowance`), chooses that many more
 * failed requests (a page of the failed view, or the next IDs), saves the job (conditional: one
 * writer at a time), and only then puts them back on the queue. The job's `tick` makes every tick
 * message but the newest stale, so a job is advanced by one chain of messages; `reviveReplays`
 * (the reconciler) restarts a chain whose message was lost.
 */
export interface BulkReplayDeps {
  statusStore: StatusStore;
  queue: CustomerQueue;
  index: OperationsIndex;
  jobs: ReplayJobs;
  ticks: ReplayTicks;
  gate: GateRoom;
  audit: AuditLog;
  log: Log;
  pacing: ReplayPacing;
  /** The customer queue's approximate message count (live requests and the job's own). */
  customerQueueDepth: () => Promise<number>;
  /** How long one tick invocation advances the job before the next message takes over (default 20 s). */
  tickMs?: number;
  /** The pause between cycles while requests drain (default 100 ms; up to 8× that while nothing moves). */
  pollMs?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

export type ReplaySelection = { filter: ReplayFilter } | { correlationIds: string[] };

const DEFAULT_TICK_MS = 20_000;
const DEFAULT_POLL_MS = 100;
/** A job unsaved this long has lost its tick message (a running tick saves at least every 10 s). */
export const STALLED_AFTER_MS = 60_000;
const HEARTBEAT_MS = 10_000;
/** Ends alone (no release) are saved at most this late: the operators' progress bar. */
const PROGRESS_MS = 2_000;
/** Cycles in which nothing moved before the pause stops doubling (100 ms → 800 ms) and a full look is taken. */
const MAX_QUIET = 3;

/** What a tick learnt in its earlier cycles: the window the gate allowed last time it was read. */
interface Seen {
  window?: number;
}

/** Starts a bulk replay; `nothing` when no failed request matches (no job is stored). */
export async function startReplay(
  selection: ReplaySelection,
  actor: AuditActor,
  deps: BulkReplayDeps,
): Promise<{ kind: 'started'; job: ReplayJob } | { kind: 'nothing' }> {
  const now = clock(deps).toISOString();
  const ids = 'correlationIds' in selection ? [...new Set(selection.correlationIds)] : undefined;
  const filter = 'filter' in selection ? selection.filter : undefined;
  let total = ids?.length ?? 0;
  if (filter !== undefined) {
    const counts = await deps.index.countByCode({ view: 'failed', ...filter, to: earlier(filter.to, now) });
    total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  }
  if (total === 0) return { kind: 'nothing' };
  const job = await deps.jobs.create({
    id: randomUUID(),
    state: 'running',
    createdAt: now,
    updatedAt: now,
    createdBy: actor.id,
    ...(filter !== undefined && { filter }),
    ...(ids !== undefined && { ids }),
    asOf: now,
    exhausted: false,
    inFlight: [],
    counts: { total, released: 0, skipped: 0, succeeded: 0, failed: 0, needsReview: 0 },
    tick: 0,
  });
  await deps.audit.append({
    at: now,
    actor,
    action: 'replay.start',
    correlationIds: ids ?? [],
    count: total,
    jobId: job.id,
    ...(filter !== undefined && { filter: filter as Record<string, string> }),
    outcome: 'started',
  });
  await deps.ticks.send({ v: 1, jobId: job.id, tick: job.tick });
  deps.log.info('replay.started', { jobId: job.id, total });
  return { kind: 'started', job };
}

/** Stops a job releasing more; what it released already runs to its end (and is counted). */
export async function cancelReplay(
  jobId: string,
  actor: AuditActor,
  deps: Pick<BulkReplayDeps, 'jobs' | 'audit' | 'now'>,
): Promise<
  { kind: 'cancelled'; job: ReplayJob } | { kind: 'not-found' } | { kind: 'finished'; job: ReplayJob }
> {
  for (let attempt = 0; ; attempt += 1) {
    const job = await deps.jobs.get(jobId);
    if (!job) return { kind: 'not-found' };
    if (job.state !== 'running') return { kind: 'finished', job };
    const at = clock(deps).toISOString();
    const saved = await deps.jobs.save({
      ...job,
      state: 'cancelled',
      cancelledAt: at,
      cancelledBy: actor.id,
      updatedAt: at,
    });
    if (saved) {
      await deps.audit.append({
        at,
        actor,
        action: 'replay.cancel',
        correlationIds: [],
        count: saved.counts.released,
        jobId,
        outcome: 'cancelled',
      });
      return { kind: 'cancelled', job: saved };
    }
    if (attempt >= 10) throw new Error(`Replay job ${jobId} kept changing; cancel again.`);
  }
}

/** Reads a tick message as the queue trigger hands it over (object or JSON text). */
export function parseTick(input: unknown): ReplayTick | undefined {
  let value = input;
  if (typeof input === 'string')
    try {
      value = JSON.parse(input) as unknown;
    } catch {
      return undefined;
    }
  if (typeof value !== 'object' || value === null) return undefined;
  const { v, jobId, tick } = value as Record<string, unknown>;
  return v === 1 && typeof jobId === 'string' && Number.isInteger(tick)
    ? { v: 1, jobId, tick: tick as number }
    : undefined;
}

export type TickResult =
  | { kind: 'dropped'; reason: 'invalid' | 'stale' }
  | { kind: 'finished'; job: ReplayJob }
  | { kind: 'handed-over'; job: ReplayJob };

/** One tick of a job: cycles for up to `tickMs`, then hands over to the next tick message. */
export async function runReplayTick(message: unknown, deps: BulkReplayDeps): Promise<TickResult> {
  const tick = parseTick(message);
  if (!tick) return { kind: 'dropped', reason: 'invalid' };
  let job = await deps.jobs.get(tick.jobId);
  if (!job || job.tick !== tick.tick || job.finishedAt !== undefined)
    return { kind: 'dropped', reason: 'stale' };
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pollMs = deps.pollMs ?? DEFAULT_POLL_MS;
  const until = clock(deps).getTime() + (deps.tickMs ?? DEFAULT_TICK_MS);
  let quiet = 0;
  const seen: Seen = {};
  for (;;) {
    // After a few cycles in which nothing moved: every in-flight request read, and the gate.
    const result = await cycle(job, deps, seen, quiet >= MAX_QUIET);
    if (result === 'lost') return { kind: 'dropped', reason: 'stale' };
    const { moved } = result;
    job = result.job;
    if (job.finishedAt !== undefined) {
      deps.log.info('replay.finished', { jobId: job.id, outcome: job.state, total: job.counts.total });
      return { kind: 'finished', job };
    }
    if (clock(deps).getTime() >= until) break;
    quiet = moved ? 0 : Math.min(quiet + 1, MAX_QUIET);
    await sleep(pollMs * 2 ** quiet);
  }
  return handOver(job, deps);
}

/** Bumps the job's tick and sends the message for it (a conflict with a cancel: again on the new job). */
async function handOver(job: ReplayJob, deps: BulkReplayDeps): Promise<TickResult> {
  let current = job;
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const saved = await deps.jobs.save({
      ...current,
      tick: current.tick + 1,
      updatedAt: clock(deps).toISOString(),
    });
    if (saved) {
      await deps.ticks.send({ v: 1, jobId: saved.id, tick: saved.tick });
      return { kind: 'handed-over', job: saved };
    }
    const reloaded = await deps.jobs.get(job.id);
    if (!reloaded || reloaded.tick !== job.tick) return { kind: 'dropped', reason: 'stale' };
    current = reloaded;
  }
  throw new Error(`Replay job ${job.id} kept changing; the reconciler resumes it.`);
}

/**
 * One cycle: settle the in-flight requests, choose more within the gate's room, save, release.
 * Resolves the job as now stored, or `lost` when another tick owns it.
 */
async function cycle(
  job: ReplayJob,
  deps: BulkReplayDeps,
  seen: Seen,
  full: boolean,
): Promise<{ job: ReplayJob; moved: boolean } | 'lost'> {
  const nowMs = clock(deps).getTime();
  const next: ReplayJob = { ...job, counts: { ...job.counts }, inFlight: [] };
  const again: string[] = [];
  const settledNow = await settleInFlight(job, deps, full);
  job.inFlight.forEach((id, at) => {
    const settled = settledNow[at] ?? { kind: 'pending' };
    if (settled.kind === 'pending' || (settled.kind === 'release' && job.state === 'running')) {
      next.inFlight.push(id);
      if (settled.kind === 'release') again.push(id);
    } else if (settled.kind === 'ended') next.counts[settled.as] += 1;
    else {
      next.counts.released -= 1;
      next.counts.skipped += 1;
    }
  });
  let chosen: string[] = [];
  // Less than half the window (as the gate allowed when last read) free while some are in flight:
  // the job waits for more to end and releases them together, so the gate, the queue depth, an
  // index page and a save are read and written once for a batch rather than for every request.
  const fewFree =
    !full &&
    seen.window !== undefined &&
    next.inFlight.length > 0 &&
    again.length === 0 &&
    seen.window - next.inFlight.length < Math.ceil(seen.window / 2);
  if (job.state === 'running' && !job.exhausted && !fewFree) {
    const gate = await deps.gate.read();
    seen.window = replayWindow(gate, deps.pacing);
    let room = releaseAllowance(gate, next.inFlight.length, deps.pacing, nowMs);
    // Live requests queued beyond what the instances take at once: none released until they drain.
    if (
      room > 0 &&
      liveRequestsWaiting(
        await deps.customerQueueDepth(),
        next.inFlight.length,
        replayWindow(gate, deps.pacing),
      )
    )
      room = 0;
    if (room > 0) {
      const picked = await pick(job, room, deps);
      chosen = picked.ids;
      Object.assign(next, { cursor: picked.cursor, exhausted: picked.exhausted });
      next.inFlight.push(...chosen);
      next.counts.released += chosen.length;
    }
  }
  if ((next.exhausted || next.state !== 'running') && next.inFlight.length === 0) {
    next.finishedAt = new Date(nowMs).toISOString();
    if (next.state === 'running') next.state = 'done';
    // What the job met, rather than the estimate it started with (the view changes meanwhile).
    if (next.filter !== undefined) next.counts.total = next.counts.released + next.counts.skipped;
  }
  const changed = JSON.stringify({ ...next, updatedAt: '' }) !== JSON.stringify({ ...job, updatedAt: '' });
  // Ends alone are counted in memory and saved with the next release, at the end, or after
  // PROGRESS_MS: a tick that stops before reads them again and counts them then (once).
  const countsOnly =
    chosen.length === 0 &&
    again.length === 0 &&
    next.finishedAt === undefined &&
    next.exhausted === job.exhausted &&
    next.cursor === job.cursor;
  const sinceSaved = nowMs - Date.parse(job.updatedAt);
  if (changed && countsOnly && sinceSaved < PROGRESS_MS) return { job: next, moved: true };
  let stored = job;
  if (changed || sinceSaved >= HEARTBEAT_MS) {
    const saved = await deps.jobs.save({ ...next, updatedAt: new Date(nowMs).toISOString() });
    if (!saved) {
      const reloaded = await deps.jobs.get(job.id);
      return !reloaded || reloaded.tick !== job.tick ? 'lost' : { job: reloaded, moved: true };
    }
    stored = saved;
  }
  // Saved before released: a tick that stops here leaves them in flight, and the next one releases them.
  for (const id of [...again, ...chosen]) await release(id, job.id, deps);
  return { job: stored, moved: changed };
}

/** The reconciler's part: a job whose tick message was lost (unsaved for a minute) gets a new one. */
export async function reviveReplays(
  deps: Pick<BulkReplayDeps, 'jobs' | 'ticks' | 'log' | 'now'>,
): Promise<number> {
  const nowMs = clock(deps).getTime();
  let revived = 0;
  for (const job of await deps.jobs.running()) {
    if (nowMs - Date.parse(job.updatedAt) < STALLED_AFTER_MS) continue;
    await deps.ticks.send({ v: 1, jobId: job.id, tick: job.tick });
    deps.log.warn('replay.revived', { jobId: job.id, tick: job.tick });
    revived += 1;
  }
  return revived;
}
