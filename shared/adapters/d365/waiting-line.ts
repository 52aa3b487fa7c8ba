import { FairShare, fairTags } from '../../domain/fair-share';

/** What the line needs of a waiter: whether it goes ahead (a batched lookup), and whose turn it is. */
export interface LineWaiter {
  /** Goes before every waiter that does not (`GateAcquireOptions.ahead`). */
  ahead: boolean;
  /** Its caller's share (`GateAcquireOptions.share`); absent: an anonymous live request of weight 1. */
  share?: FairShare;
  /** Set by the line: where it stands among the waiters of its rank. */
  tag?: number;
}

const ANONYMOUS: FairShare = { caller: '', weight: 1, priority: 'live' };

/** 0: ahead (batched lookups), 1: live requests, 2: background work (backfill, bulk replay). */
const rankOf = (waiter: LineWaiter): number =>
  waiter.ahead ? 0 : (waiter.share ?? ANONYMOUS).priority === 'background' ? 2 : 1;

/**
 * One instance's line for D365 slots (shared/domain/fair-share.ts): `ahead` waiters first (first
 * come, first served among them), then live requests, then background work; within a rank, by
 * start-time fair queueing per caller, so that callers take turns in proportion to their weights
 * however many requests each has waiting. All in memory: the order costs no storage call.
 *
 * The array stays the gate's own (it shifts the first waiter and splices out those that give up);
 * `queue` only inserts in the right place.
 */
export function waitingLine<W extends LineWaiter>(): { queue(waiters: W[], waiter: W): void } {
  /** Per rank: where each caller's next waiter starts (its last one's finish tag). */
  const nextTags = [new Map<string, number>(), new Map<string, number>(), new Map<string, number>()];
  /** Per rank: the tag being served when none of that rank waits (the highest start given). */
  const highest = [0, 0, 0];
  return {
    queue(waiters, waiter) {
      const rank = rankOf(waiter);
      if (rank === 0) {
        waiter.tag = 0;
      } else {
        const share = waiter.share ?? ANONYMOUS;
        const tags = nextTags[rank]!;
        // The tag being served: the lowest among this rank's waiters (none waiting: the highest given).
        const sameRank = waiters.filter((w) => rankOf(w) === rank);
        const served = sameRank.length ? Math.min(...sameRank.map((w) => w.tag ?? 0)) : highest[rank]!;
        if (tags.size > 256) for (const [caller, tag] of tags) if (tag <= served) tags.delete(caller);
        const { start, next } = fairTags(tags.get(share.caller) ?? 0, served, share.weight);
        waiter.tag = start;
        tags.set(share.caller, next);
        highest[rank] = Math.max(highest[rank]!, start);
      }
      const at = waiters.findIndex(
        (w) => rankOf(w) > rank || (rankOf(w) === rank && (w.tag ?? 0) > (waiter.tag ?? 0)),
      );
      if (at < 0) waiters.push(waiter);
      else waiters.splice(at, 0, waiter);
    },
  };
}
