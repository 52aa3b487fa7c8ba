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
  const keyOf = (share: FairShare): string => (share.priority === 'background' ? BACKGROUND : share.caller);

  const parkedNow = (key: string): number[] => {
    const until = (parked.get(key) ?? []).filter((at) => at > now());
    if (until.length) parked.set(key, until);
    else parked.delete(key);
    return until;
  };

  return {
    shareOf: (request: { caller?: string; priority?: Priority }) => fairShareOf(request, settings),
    admit(share) {
      const key = keyOf(share);
      const limit = admissionLimit(share, settings);
      const busy = working.get(key) ?? 0;
      if (busy >= limit && !mayUseSpareRoom(share, total, settings)) {
        const until = parkedNow(key);
        const deferSeconds = deferralSeconds(until.length, limit);
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
          const left = (working.get(key) ?? 1) - 1;
          if (left > 0) working.set(key, left);
          else working.delete(key);
        },
      };
    },
    working: (share) => working.get(keyOf(share)) ?? 0,
  };
}
