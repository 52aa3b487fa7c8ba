/** The fleet D365 gate, fair admission and identity claims. */
import type { FairShare, Priority } from '../domain/fair-share';

/**
 * Back-pressure towards D365, shared by the whole fleet (every instance on the storage account):
 * at most `maxConcurrency` calls in flight (and, with `D365_MAX_REQUESTS_PER_SECOND`, at most that
 * many started per second), and when D365 answers 429 with `Retry-After`, no call at all until that
 * time has passed — on any instance, not just for the request that got the 429.
 */
export interface D365Gate {
  /**
   * Waits at most `maxWaitMs` for a free slot and for any throttling pause to end. Resolves the held
   * slot, or `{ retryAt, reason }` (epoch ms) when none came in time, so the caller can renew its
   * lease and ask again, or reschedule the work through the queue.
   */
  acquire(
    maxWaitMs: number,
    options?: GateAcquireOptions,
  ): Promise<GateSlot | { retryAt: number; reason: 'paused' | 'busy' }>;
  /** D365 asked us to wait: no call starts, on any instance, before `now + seconds`. */
  pause(seconds: number): void | Promise<void>;
  /** When calls may start again, as far as this instance knows (epoch ms; in the past when not paused). */
  pausedUntil(): number;
  /**
   * A slot this instance holds and may hand out at once, without a storage call (a row kept for the
   * next acquire), or undefined: then `acquire` as usual. Never waits, never reads or writes.
   */
  takeAtOnce?(): GateSlot | undefined;
  /** The instance is shutting down: rows kept for a next acquire go back to the fleet now. */
  close?(): Promise<void>;
}

/**
 * One instance's fair admission (issue 24, shared/domain/fair-share.ts): how many requests of each
 * caller it works on at once. In memory, per instance; a request over its caller's share is
 * deferred (its message sent again with the delay given), never counted as a failed delivery.
 */
export interface FairAdmission {
  /** A request's share: its caller (or `anonymous`), the caller's weight (CALLER_WEIGHTS), its priority. */
  shareOf(request: { caller?: string; priority?: Priority }): FairShare;
  /** A ticket to work on one of the share's requests now, or how long to defer it (its caller is at its share). */
  admit(share: FairShare): AdmissionTicket | { deferSeconds: number };
  /** How many of the share's requests (its caller's, or all background work) this instance works on now. */
  working(share: FairShare): number;
}

/** Held while a request is worked on; released (once) when its invocation ends. */
export interface AdmissionTicket {
  release(): void;
}

export interface GateAcquireOptions {
  /**
   * Goes before this instance's waiters that do not say so (after those that do): a call that
   * serves many requests, such as a batched lookup, whose requests then wait for their creates. With
   * lookups and creates in one first-come queue, a lookup batch waits behind the creates of the last
   * one, and the creates then run out of customers to create (measured in docs/performance.md).
   */
  ahead?: boolean;
  /**
   * Whose request waits (its caller, the caller's weight, live or background): this instance's
   * waiters take turns per caller by weight, background work after every live request
   * (shared/domain/fair-share.ts). Absent: an anonymous live request of weight 1.
   */
  share?: FairShare;
}

/** One of the fleet's D365 slots, held across a request's lookup and create. */
export interface GateSlot {
  /** Runs one D365 call in the slot (waits out a pause that began meanwhile; keeps the slot's claim alive). */
  run<T>(call: () => Promise<T>): Promise<T>;
  /** Gives the slot up (to the next waiter); a second release does nothing. */
  release(): Promise<void>;
}

/**
 * Claims per customer identity (legal entity + normalised e-mail), shared by the fleet: under
 * DUPLICATE_POLICY link/reject, the lookup and the create of one identity are done by one request
 * at a time. A claim expires (`until`) so a killed holder does not block the identity for ever.
 */
export interface IdentityClaims {
  /** Claims `key` for `owner` until `until` (ISO); another owner's live claim answers `held`. */
  claim(key: string, owner: string, until: string): Promise<IdentityClaim | { held: true; until: string }>;
  /**
   * Privacy (issue 27): deletes the claims (identity, update and address claims alike) held by any
   * of `owners` (correlation IDs of an erased customer's requests), live or expired; how many went.
   */
  releaseOwnedBy(owners: ReadonlySet<string>): Promise<number>;
}

export interface IdentityClaim {
  /**
   * Until when the claim is held, as last written (ISO). Before then no other owner can take it, so
   * a holder whose claim already covers a call need not write it again.
   */
  readonly until: string;
  /** Extends the claim; false when it expired and another owner took it. */
  extend(until: string): Promise<boolean>;
  release(): Promise<void>;
}
