import type { GateSlot } from '../../ports';
import type { LineWaiter } from './waiting-line';

/** The fleet gate's options, its own rows' and waiters' shapes and its timing constants (fleet-gate.ts). */
export interface FleetGateOptions {
  /** Slots across the fleet (D365_MAX_CONCURRENCY). */
  slots: number;
  /** How long one D365 call may take (D365_TIMEOUT_MS): a held slot always covers one more call. */
  callTimeoutMs: number;
  /**
   * How long another instance may wait without taking a slot, while it holds one fewer than this
   * one, before this one gives a slot back to the fleet for it (more slots apart: at once).
   */
  stickyMs?: number;
  /**
   * Most D365 calls per second across the fleet (`D365_MAX_REQUESTS_PER_SECOND`; 0 or absent: no
   * limit but the slots). Each slot starts a call at most every `slots / maxCallsPerSecond` seconds,
   * so the fleet never starts more than the rate over any stretch of time (plus one call per slot):
   * a cap above rate × latency keeps D365 busy without running into its 429s. A slot's last start
   * travels with its row, so a slot taken from another instance keeps the pace too.
   */
  maxCallsPerSecond?: number;
  /**
   * How long a released row that no local waiter takes stays this instance's (issue 33; 0, the
   * default: given back at once): an acquire meanwhile gets it without a storage call, while the
   * poller's last read of the partition is at most `FRESH_READ_MS` old and showed no pause and no
   * other instance waiting. Then it goes back as any row does.
   */
  lingerMs?: number;
  /** This instance's name in the partition (tests); a random UUID by default. */
  instanceId?: string;
  now?: () => number;
}

/** A slot row this instance holds: handed from local holder to local holder until given back. */
export interface Owned {
  rowKey: string;
  until: number;
  etag: string;
  /** When its last call started (epoch ms; 0: none known). */
  calledAt: number;
  /** Its lease ran out and another instance took it: never used or written again. */
  lost: boolean;
}

export interface Waiter extends LineWaiter {
  /** Epoch ms after which it no longer waits. */
  deadline: number;
  grant(slot: GateSlot): void;
  refuse(answer: { retryAt: number; reason: 'paused' | 'busy' }): void;
  fail(error: unknown): void;
  timer?: NodeJS.Timeout;
}

export const MIN_POLL_MS = 25;
export const MAX_POLL_MS = 400;
/** A `want-` row says "this instance waits for a slot" this long after its last write (rewritten at half). */
export const WANT_TTL_MS = 10_000;
/** A `want-` row expired this long ago belongs to an instance that is gone: deleted by whoever sees it. */
export const STALE_WANT_MS = 10 * 60_000;
/** A parked row is handed out without a read only while the last read is this recent (fairness, pauses). */
export const FRESH_READ_MS = 1_000;
