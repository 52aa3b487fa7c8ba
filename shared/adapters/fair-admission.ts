import {
  admissionLimit,
  deferralSeconds,
  FairShare,
  fairShareOf,
  FairShareSettings,
  mayUseSpareRoom,
  Priority,
} from '../domain/fair-share';
import { FairAdmission } from '../ports';

/** How far back the pace of a caller's finished requests is measured. */
const RATE_WINDOW_MS = 5_000;

/** All background work (backfill, bulk replay) shares one count, whoever asked for it. */
const BACKGROUND = '\u0000background';

/**
 * One instance's admission (shared/domain/fair-share.ts), in memory: how many requests of each
 * caller this instance works on now, and when the messages it deferred come back. No storage call:
 * a deferral is the worker sending the message again with the delay this returns.
 */
export function fairAdmission(settings: FairShareSettings, now: () => number = Date.now): FairAdmission {
  const working = new Map<string, number>();
  /** Requests at work on this instance, every caller's. */
  let total = 0;
  /** Per caller: until when each message this instance deferred stays invisible. */
  const parked = new Map<string, number[]>();
  /** Per caller: when this instance finished each of its requests, over the last RATE_WINDOW_MS. */
  const finished = new Map<string, number[]>();
  const recent = (times: Map<string, number[]>, key: string, after: number): number[] => {
    const kept = (times.get(key) ?? []).filter((at) => at > after);
    if (kept.length) times.set(key, kept);
    else times.delete(key);
    return kept;
  };
  const keyOf = (share: FairShare): string => (share.priority === 'background' ? BACKGROUND : share.caller);

  /** How many of the caller's requests this instance finished per second lately (at least 1). */
  const pace = (key: string): number =>
    Math.max(1, recent(finished, key, now() - RATE_WINDOW_MS).length / (RATE_WINDOW_MS / 1000));

  return {
    shareOf: (request: { caller?: string; priority?: Priority }) => fairShareOf(request, settings),
    admit(share) {
      const key = keyOf(share);
      const limit = admissionLimit(share, settings);
      const busy = working.get(key) ?? 0;
      if (busy >= limit && !mayUseSpareRoom(share, total, settings)) {
        const until = recent(parked, key, now());
        // Spread at the pace this instance finishes the caller's requests: they come back about as
        // fast as it can take them (faster, and they crowd the queue ahead of other callers'
        // messages; slower, and a lone caller's instance runs dry and hands its D365 slots back).
        const deferSeconds = deferralSeconds(until.length, pace(key));
        until.push(now() + deferSeconds * 1000);
        parked.set(key, until);
        return { deferSeconds };
      }
      working.set(key, busy + 1);
      total += 1;
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          total -= 1;
          finished.set(key, [...recent(finished, key, now() - RATE_WINDOW_MS), now()]);
          const left = (working.get(key) ?? 1) - 1;
          if (left > 0) working.set(key, left);
          else working.delete(key);
        },
      };
    },
    working: (share) => working.get(keyOf(share)) ?? 0,
  };
}
