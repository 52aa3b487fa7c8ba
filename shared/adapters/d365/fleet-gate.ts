// ~340 lines: one state machine (the instance's slot queue, its one poller, hand-off and fairness) that reads best whole.
import { randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { transient } from '../../domain/failure';
import { D365Gate, GateSlot, GateSlotReleasedError } from '../../ports';
import { throttledFor } from './d365-gate';
import { GateRow, GateRows, tableGateRows } from './gate-rows';
import {
  FleetGateOptions,
  FRESH_READ_MS,
  MAX_POLL_MS,
  MIN_POLL_MS,
  Owned,
  STALE_WANT_MS,
  Waiter,
  WANT_TTL_MS,
} from './fleet-gate-options';
import { waitingLine } from './waiting-line';

export { GATE_PARTITION } from './gate-rows';
export type { FleetGateOptions } from './fleet-gate-options';

/**
 * The D365 gate of the whole fleet, as a semaphore of N rows in one Table partition: a slot is
 * taken by a conditional write (insert, or replace with the row's ETag) of a row that is free or
 * whose holder's lease ran out (a killed instance's slots free themselves), and one query of the
 * partition shows every slot, the shared throttling pause (`pause` row) and which instances wait
 * (`want-<instance>` rows).
 *
 * Per instance: the invocations that wait queue in memory (waiting-line.ts: `ahead` ones first, a
 * batched lookup before single creates; then callers take turns by weight, background work last), and one
 * poller reads the partition for all of them and takes as many free rows as they need, one write
 * at a time. A local release hands the row straight to the next local waiter (no storage call: the
 * row stays this instance's, its lease extended by `run` when it would not cover the next call);
 * the row goes back to the fleet when no local waiter is left, during a throttling pause, or when
 * another instance waits and holds two slots fewer, or one fewer and has waited `stickyMs` without
 * taking one (so no instance is starved); an instance takes a free row only if no waiting one holds
 * fewer. The poller polls every 25 ms while the partition changes (slots turning over) and backs
 * off to 400 ms while it does not. With `maxCallsPerSecond`, `run` also keeps each slot's pace:
 * its next call starts no sooner than `slots / maxCallsPerSecond` seconds after its last one.
 */
export function fleetGate(table: () => Promise<TableClient>, options: FleetGateOptions): D365Gate {
  return fleetGateOn(tableGateRows(table), options);
}

export function fleetGateOn(rows: GateRows, options: FleetGateOptions): D365Gate & { instanceId: string } {
  const now = options.now ?? Date.now;
  const me = options.instanceId ?? randomUUID();
  const stickyMs = options.stickyMs ?? 5_000;
  // A row's lease covers a call plus a margin for the writes around it; `run` extends it before a
  // call it would not cover (and a handed-off row is extended once every lease, not per call).
  const holdMs = 2 * options.callTimeoutMs + 5_000;
  const spacingMs = options.maxCallsPerSecond ? (options.slots / options.maxCallsPerSecond) * 1000 : 0;
  const slotKeys = Array.from({ length: options.slots }, (_, k) => `slot-${k}`);
  const owned = new Set<Owned>();
  const waiters: Waiter[] = [];
  const line = waitingLine<Waiter>();
  let knownPause = 0;
  /** Other instances that wait for a slot, and how many each holds, as of the poller's last read. */
  let othersWanting = new Map<string, { held: number; since: number }>();
  /** This instance's `want-` row as written (until 0: none), and since when it has waited for a slot. */
  let want = { until: 0, since: 0 };
  let waitingSince = 0;
  /** The slot row this instance gave back last, as its give-back left it (its ETag): taken again without a read. */
  let lastFreed: { rowKey: string; etag: string; calledAt: number } | undefined;
  /** Rows released with no local waiter, kept `lingerMs` for the next acquire (each with its give-back timer). */
  const parked = new Map<Owned, NodeJS.Timeout>();
  let readAt = 0;
  let closed = false;
  let polling = false;
  let wake: (() => void) | undefined;

  const nap = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  const refusal = () =>
    knownPause > now()
      ? { retryAt: knownPause, reason: 'paused' as const }
      : { retryAt: now() + 100, reason: 'busy' as const };
  const unqueue = (waiter: Waiter): void => {
    const at = waiters.indexOf(waiter);
    if (at >= 0) waiters.splice(at, 1);
    clearTimeout(waiter.timer);
  };
  const fewestHeldByOthers = (): number => Math.min(...[...othersWanting.values()].map((o) => o.held));
  /** The fewest slots a waiting instance holds (Infinity when none waits). */
  const fewestHeldOrAll = (): number => (othersWanting.size === 0 ? Infinity : fewestHeldByOthers());

  /** Fairness: may this instance take one more row? Only if no waiting instance holds fewer. */
  const mayTake = (): boolean => othersWanting.size === 0 || owned.size <= fewestHeldByOthers();
  /** Fairness: may this instance keep `row` for its next local waiter? */
  const mayKeep = (): boolean => {
    if (othersWanting.size === 0) return true;
    const fewest = fewestHeldByOthers();
    if (owned.size > fewest + 1) return false;
    if (owned.size <= fewest) return true;
    // One apart: keep it unless such an instance has waited `stickyMs` without a slot.
    return ![...othersWanting.values()].some((o) => o.held === fewest && now() - o.since >= stickyMs);
  };

  /** Hands `row` to the next local waiter when the fleet's rules allow it (a row just taken: always). */
  const handOff = (row: Owned, justTaken = false): boolean => {
    if (row.lost || knownPause > now() || !(justTaken || mayKeep())) return false;
    const next = waiters.shift();
    if (!next) return false;
    clearTimeout(next.timer);
    next.grant(slotFor(row));
    return true;
  };
  /** Keeps a released row for the next local acquire, `lingerMs` at most, when the fleet's rules allow it. */
  const park = (row: Owned): boolean => {
    const lingerMs = options.lingerMs ?? 0;
    if (closed || lingerMs <= 0 || row.lost || knownPause > now() || othersWanting.size > 0) return false;
    if (row.until - now() < lingerMs + options.callTimeoutMs) return false;
    const timer = setTimeout(() => {
      if (parked.delete(row)) giveBack(row).catch(() => undefined); // else its lease frees it
    }, lingerMs);
    timer.unref?.();
    parked.set(row, timer);
    return true;
  };
  /** A parked row for an acquire with nobody ahead of it, while the last read vouches for the fleet. */
  const unpark = (onlyIfFresh: boolean): Owned | undefined => {
    if (onlyIfFresh && (waiters.length > 0 || now() - readAt > FRESH_READ_MS || othersWanting.size > 0))
      return undefined;
    if (knownPause > now()) return undefined;
    for (const [row, timer] of parked) {
      clearTimeout(timer);
      parked.delete(row);
      if (!row.lost) return row;
    }
    return undefined;
  };
  const giveBack = async (row: Owned): Promise<void> => {
    owned.delete(row);
    if (row.lost) return;
    const { rowKey, calledAt } = row;
    const etag = await rows.write({ rowKey, holder: '', until: 0, calledAt }, row.etag);
    lastFreed = etag === undefined ? undefined : { rowKey, etag, calledAt };
  };
  /** Takes a free row by a conditional write; undefined when another instance changed it first. */
  const takeRow = async (
    rowKey: string,
    etag: string | undefined,
    calledAt: number,
  ): Promise<Owned | undefined> => {
    const until = now() + holdMs;
    const written = await rows.write({ rowKey, holder: me, until, calledAt }, etag);
    if (written === undefined) return undefined;
    const row: Owned = { rowKey, until, etag: written, calledAt, lost: false };
    owned.add(row);
    waitingSince = now();
    return row;
  };
  /**
   * The first round of a poll, when this instance gave a row back last and nothing of it is known to
   * have changed (no other instance was waiting at the last read): that row is taken with the
   * give-back's ETag beside the partition's read, not after it (issue 33: one storage round trip less
   * for a lone request). A stale ETag only fails the write (412): the read's free rows come next.
   */
  const guessFree = (): Promise<Owned | undefined> => {
    const guess = lastFreed;
    lastFreed = undefined;
    // Another instance waiting may well have taken it since: then the read comes first, as always.
    if (!guess || knownPause > now() || othersWanting.size > 0) return Promise.resolve(undefined);
    return takeRow(guess.rowKey, guess.etag, guess.calledAt);
  };

  const observe = async (list: GateRow[]): Promise<Map<string, GateRow>> => {
    const byKey = new Map(list.map((row) => [row.rowKey, row]));
    knownPause = Math.max(knownPause, byKey.get('pause')?.until ?? 0);
    const held = new Map<string, number>();
    for (const key of slotKeys) {
      const row = byKey.get(key);
      if (row && row.until > now() && row.holder !== me)
        held.set(row.holder, (held.get(row.holder) ?? 0) + 1);
    }
    const wanting = new Map<string, { held: number; since: number }>();
    for (const row of list) {
      if (!row.rowKey.startsWith('want-') || row.holder === me) continue;
      if (row.until > now())
        wanting.set(row.holder, { held: held.get(row.holder) ?? 0, since: row.since ?? now() });
      else if (row.until < now() - STALE_WANT_MS) await rows.remove(row.rowKey, row.etag);
    }
    othersWanting = wanting;
    readAt = now();
    return byKey;
  };

  /** The instance's one poller: runs while invocations wait, one partition read per round for all. */
  const poll = async (): Promise<void> => {
    if (polling) return;
    polling = true;
    let delay = MIN_POLL_MS;
    let seen = '';
    waitingSince = now();
    // A row this instance holds may come back in this turn (a lookup batch gives its slot up one
    // `setImmediate` after answering, batched-email-lookup.ts): its hand-off needs no read at all.
    if (owned.size > 0) await new Promise((resolve) => setImmediate(resolve));
    let first = true;
    try {
      while (waiters.length > 0) {
        if (knownPause > now()) {
          for (const waiter of [...waiters]) if (knownPause > waiter.deadline) refuse(waiter);
          if (waiters.length > 0) await nap(knownPause - now());
          continue;
        }
        const [list, guessed] = await Promise.all([rows.list(), first ? guessFree() : undefined]);
        first = false;
        const byKey = await observe(list);
        // Fairness and a pause as the read shows them, as for any row taken after a read.
        if (guessed && (owned.size > fewestHeldOrAll() + 1 || !handOff(guessed, true)))
          await giveBack(guessed);
        if (knownPause > now()) continue;
        // Rows parked here go to the waiters first, under the fairness rules the read just gave.
        for (let row; waiters.length > 0 && (row = unpark(false));) if (!handOff(row)) await giveBack(row);
        const mine = new Set([...owned].map((row) => row.rowKey));
        const free = slotKeys
          .filter((key) => !mine.has(key) && !(Number(byKey.get(key)?.until ?? 0) > now()))
          .sort(() => Math.random() - 0.5);
        let changed = guessed !== undefined;
        for (const rowKey of free) {
          if (waiters.length === 0 || !mayTake()) break;
          const row = await takeRow(rowKey, byKey.get(rowKey)?.etag, byKey.get(rowKey)?.calledAt ?? 0);
          changed = true;
          if (row === undefined) continue; // another instance took it first
          // Its waiter may have given up during the write: then the next one, or back to the fleet.
          if (!handOff(row, true)) await giveBack(row);
        }
        if (waiters.length === 0) break;
        // Tell the fleet this instance waits (and since when it has had no slot), once every half TTL.
        if (want.until - now() < WANT_TTL_MS / 2 || waitingSince - want.since > stickyMs / 2) {
          want = { until: now() + WANT_TTL_MS, since: waitingSince };
          await rows.upsert({ rowKey: `want-${me}`, holder: me, ...want });
        }
        // Slots turning over somewhere (rows freed, taken, lost races): look again soon.
        const state = slotKeys.map((key) => byKey.get(key)?.etag ?? '').join();
        delay = changed || state !== seen ? MIN_POLL_MS : Math.min(MAX_POLL_MS, delay * 2);
        seen = state;
        await nap(delay * (0.5 + Math.random()));
      }
      if (want.until > now()) {
        // Nobody waits here any more: the fleet need not keep slots free for this instance.
        want = { until: 0, since: 0 };
        await rows.upsert({ rowKey: `want-${me}`, holder: me, ...want });
      }
    } catch (error) {
      for (const waiter of waiters.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.fail(error);
      }
    } finally {
      polling = false;
    }
    if (waiters.length > 0) void poll(); // one came while the last write ran
  };
  const refuse = (waiter: Waiter): void => {
    unqueue(waiter);
    waiter.refuse(refusal());
  };

  return {
    instanceId: me,
    acquire(maxWaitMs, acquireOptions) {
      const deadline = now() + maxWaitMs;
      const kept = unpark(true);
      if (kept) return Promise.resolve(slotFor(kept));
      if (knownPause > deadline) return Promise.resolve({ retryAt: knownPause, reason: 'paused' as const });
      return new Promise<GateSlot | { retryAt: number; reason: 'paused' | 'busy' }>((resolve, reject) => {
        const ahead = acquireOptions?.ahead === true;
        const share = acquireOptions?.share;
        const waiter: Waiter = { deadline, ahead, share, grant: resolve, refuse: resolve, fail: reject };
        if (Number.isFinite(maxWaitMs))
          waiter.timer = setTimeout(() => refuse(waiter), Math.max(0, maxWaitMs));
        line.queue(waiters, waiter);
        void poll();
      });
    },

    async pause(seconds) {
      const until = now() + seconds * 1000;
      knownPause = Math.max(knownPause, until);
      wake?.();
      for (let tries = 0; tries < 3; tries += 1) {
        const row = (await rows.list()).find((r) => r.rowKey === 'pause');
        if (row && row.until >= until) return;
        if ((await rows.write({ rowKey: 'pause', holder: '', until }, row?.etag)) !== undefined) return;
      }
    },

    pausedUntil: () => knownPause,

    takeAtOnce() {
      const kept = unpark(true);
      return kept && slotFor(kept);
    },

    async close() {
      closed = true;
      const rows = [...parked.keys()].map((row) => (clearTimeout(parked.get(row)), parked.delete(row), row));
      await Promise.all(rows.map((row) => giveBack(row).catch(() => undefined)));
    },
  };

  function slotFor(row: Owned): GateSlot {
    let released = false;
    return {
      async run(call) {
        if (released) throw new GateSlotReleasedError();
        // A throttling pause, then the slot's pace (D365_MAX_REQUESTS_PER_SECOND), then the pause again.
        for (;;) {
          while (knownPause > now()) await new Promise((r) => setTimeout(r, knownPause - now()));
          const pace = row.calledAt + spacingMs - now();
          if (spacingMs === 0 || pace <= 0) break;
          await new Promise((r) => setTimeout(r, pace));
        }
        if (row.lost) throw transient('the fleet D365 slot ran out before the call');
        if (row.until - now() < options.callTimeoutMs + 2_000) {
          // Keep the row for one more call; a conflict means its lease ran out and someone took it.
          const until = now() + holdMs;
          const etag = await rows.write(
            { rowKey: row.rowKey, holder: me, until, calledAt: row.calledAt },
            row.etag,
          );
          if (etag === undefined) {
            row.lost = true;
            throw transient('the fleet D365 slot ran out before the call');
          }
          Object.assign(row, { until, etag });
        }
        row.calledAt = now();
        try {
          return await call();
        } catch (error) {
          // Paused here before the row goes to the next waiter; the use-case then tells the fleet.
          const seconds = throttledFor(error);
          if (seconds !== undefined) knownPause = Math.max(knownPause, now() + seconds * 1000);
          throw error;
        }
      },
      async release() {
        if (released) return;
        released = true;
        if (!handOff(row) && !park(row)) await giveBack(row);
      },
    };
  }
}
