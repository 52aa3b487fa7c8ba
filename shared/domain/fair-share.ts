/**
 * Fair sharing between callers (issue 24, point 5): one caller's burst, or a backfill or bulk
 * replay, must not starve another caller's live request. Two places decide, both in memory on each
 * instance, neither with a storage write of its own:
 * - **admission** (in front of the work): an instance always has room for `waiters × weight` of
 *   each caller's queued requests; a caller over its share gets only the room the others leave
 *   (up to `receiveThreshold − waiters` requests at work, so the host keeps receiving messages);
 *   beyond it the caller's message goes back to the queue for a little while (a new message: its
 *   dequeue count is not raised, so deferral never poisons) and the instance takes the next one off
 *   the queue, another caller's;
 * - **the D365 gate's waiters** (this instance's line for a slot): ordered by start-time fair
 *   queueing: each waiter gets a tag `max(its caller's last tag, the tag last served) + 1/weight`
 *   and the smallest tag goes first, so callers alternate in proportion to their weights however
 *   many requests each has waiting. Background work (backfill, bulk replay) waits behind every live
 *   request.
 * The numbers that make it work (host.json's `newBatchThreshold` ≥ the largest share) are in
 * docs/performance.md ("Fair sharing").
 */

/** Live requests (a caller waiting for its answer) or bulk work that yields to them. */
export type Priority = 'live' | 'background';

export interface FairShareSettings {
  /** FAIR_SHARE_WAITERS: one caller's requests one instance works on at once, per unit of weight (0: no limit). */
  waiters: number;
  /** CALLER_WEIGHTS: caller ID → weight (absent: 1). */
  weights: Readonly<Record<string, number>>;
  /**
   * host.json's `newBatchThreshold` (or its `AzureFunctionsJobHost__…` override): the host receives
   * more messages only while at most this many run, so the instance's own room is this many.
   */
  receiveThreshold: number;
}

/** How a request takes its turn: whose it is, that caller's weight, and whether it is bulk work. */
export interface FairShare {
  caller: string;
  weight: number;
  priority: Priority;
}

/** Who sent a request without a known caller (shared key, timers, legacy records). */
export const ANONYMOUS_CALLER = 'anonymous';

/** The caller's weight (CALLER_WEIGHTS, else 1). */
export const weightOf = (caller: string, settings: FairShareSettings): number =>
  settings.weights[caller] ?? 1;

/** A request's share: its caller (or `anonymous`), the caller's weight and its priority. */
export function fairShareOf(
  request: { caller?: string; priority?: Priority },
  settings: FairShareSettings,
): FairShare {
  const caller = request.caller ?? ANONYMOUS_CALLER;
  return { caller, weight: weightOf(caller, settings), priority: request.priority ?? 'live' };
}

/**
 * How many requests of one caller an instance works on at once: `waiters × weight`, at least 1
 * (Infinity when FAIR_SHARE_WAITERS is 0). All background work together gets one unweighted share.
 */
export function admissionLimit(share: FairShare, settings: FairShareSettings): number {
  if (settings.waiters === 0) return Number.POSITIVE_INFINITY;
  if (share.priority === 'background') return settings.waiters;
  return Math.max(1, Math.floor(settings.waiters * share.weight));
}

/**
 * Whether a caller over its share may still take one more of the instance's spare room: while all
 * requests at work on the instance stay below `receiveThreshold − waiters`, so the host keeps
 * receiving and one more share (another caller's) always fits beside them. Live requests only:
 * background work never goes beyond its share.
 */
export const mayUseSpareRoom = (share: FairShare, working: number, settings: FairShareSettings): boolean =>
  share.priority === 'live' && working < settings.receiveThreshold - settings.waiters;

/** The largest share any caller can get on one instance (what host.json's newBatchThreshold must allow). */
export const largestShare = (settings: FairShareSettings): number =>
  Math.max(
    settings.waiters,
    ...Object.values(settings.weights).map((weight) => Math.floor(settings.waiters * weight)),
  );

/**
 * How long a deferred message of a caller stays invisible: one second per `perSecond` already
 * parked (the pace at which the instance finishes that caller's requests: so its backlog comes
 * back about as fast as it is served, however long it is), at most `maxSeconds`.
 */
export const deferralSeconds = (parked: number, perSecond: number, maxSeconds = 30): number =>
  Math.min(
    maxSeconds,
    1 + Math.floor(parked / Math.max(1, Number.isFinite(perSecond) ? perSecond : parked + 1)),
  );

/**
 * A waiter's tags in start-time fair queueing: it starts where its caller's last waiter finished,
 * never before the tag being served (a caller that was idle banks no credit), and finishes 1/weight
 * later (where its caller's next waiter starts).
 */
export function fairTags(
  callerNext: number,
  served: number,
  weight: number,
): { start: number; next: number } {
  const start = Math.max(callerNext, served);
  return { start, next: start + 1 / Math.max(weight, 1e-6) };
}
