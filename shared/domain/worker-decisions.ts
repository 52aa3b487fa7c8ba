import { Failure } from './failure';
import { backoffSeconds, RetryPolicy } from './retry-policy';
import { isTerminal, StatusRecord } from './status';

/**
 * The worker's decisions as pure functions of the record, the time and the gate's state. The
 * use-case (shared/use-cases/worker/) carries them out: storage writes, queue sends,
 * D365 calls and logs stay there.
 */

const secondsBetween = (fromMs: number, iso: string | undefined): number =>
  iso === undefined ? 0 : Math.max(0, (Date.parse(iso) - fromMs) / 1000);

export type DeliveryDecision =
  /** The request had already ended: acknowledge without calling D365. */
  | { kind: 'already-finished' }
  /** Another invocation holds its lease: look again when it ends. */
  | { kind: 'held-elsewhere'; delaySeconds: number }
  /** An early copy of a scheduled retry: the retry's own message comes when it is due. */
  | { kind: 'not-due' }
  /** D365 asked the fleet to wait longer than an invocation may: look again after the pause. */
  | { kind: 'throttled'; delaySeconds: number }
  /** Claim it: attempt number `attempt`, looking D365 up first when a create may have been sent. */
  | { kind: 'claim'; attempt: number; mayExist: boolean };

export interface DeliveryState {
  /** The use-case's clock, epoch ms. */
  now: number;
  /** Until when the D365 gate is paused (epoch ms, real time). */
  gatePausedUntil: number;
  /** Real time, epoch ms (the gate keeps real time, not the use-case's clock). */
  realNow: number;
  /** The longest an invocation may wait for the gate's pause before handing the attempt back. */
  maxInlineWaitMs: number;
}

/** What to do with a delivery of a request whose record is `record`. */
export function decideDelivery(record: StatusRecord, state: DeliveryState): DeliveryDecision {
  if (isTerminal(record.status)) return { kind: 'already-finished' };
  const leaseLeft = secondsBetween(state.now, record.leaseUntil);
  if ((record.status === 'processing' || record.status === 'submitting') && leaseLeft > 0) {
    return { kind: 'held-elsewhere', delaySeconds: leaseLeft };
  }
  if (record.status === 'retrying' && secondsBetween(state.now, record.nextAttemptAt) > 1) {
    return { kind: 'not-due' };
  }
  const pauseMs = Math.max(0, state.gatePausedUntil - state.realNow);
  if (pauseMs > state.maxInlineWaitMs) return { kind: 'throttled', delaySeconds: pauseMs / 1000 };
  // Uncertainty is a state: once a create was sent (`submittedAt`, set by the fence) the customer
  // may exist in D365, whatever the answer was (503, 500, reset, timeout, kill).
  const mayExist = record.status === 'submitting' || record.submittedAt !== undefined;
  return { kind: 'claim', attempt: record.attempts + 1, mayExist };
}

export type LookupDecision =
  /** A create of ours may have gone through: this account is the request's customer. */
  | { kind: 'recover'; account: string; existingAccounts?: string }
  /** `DUPLICATE_POLICY=reject`: the customer exists. */
  | { kind: 'reject'; existingAccounts: string }
  /** `DUPLICATE_POLICY=link`: succeed with the existing account. */
  | { kind: 'link'; account: string; existingAccounts?: string }
  /** Nobody has this e-mail in the legal entity: create. */
  | { kind: 'create' };

/** What the accounts a lookup found (oldest first) mean for the request. */
export function decideOnLookup(
  accounts: readonly string[],
  options: { mayExist: boolean; duplicatePolicy: 'link' | 'reject' | 'create' },
): LookupDecision {
  const [first] = accounts;
  if (first === undefined) return { kind: 'create' };
  // Which accounts matched: always under `reject`, else when it was not one.
  const existingAccounts =
    options.duplicatePolicy === 'reject' || accounts.length > 1 ? accounts.join(',') : undefined;
  if (options.mayExist) return { kind: 'recover', account: first, existingAccounts };
  if (options.duplicatePolicy === 'reject') return { kind: 'reject', existingAccounts: accounts.join(',') };
  return { kind: 'link', account: first, existingAccounts };
}

export type RetryDecision = { kind: 'exhausted' } | { kind: 'retry'; delaySeconds: number };

/** After a transient failure: when the next attempt comes, or that the request has used up its retries. */
export function decideRetry(
  record: StatusRecord,
  failure: Extract<Failure, { kind: 'transient' }>,
  state: { now: number; policy: RetryPolicy; random?: () => number },
): RetryDecision {
  const delay = failure.retryAfterSeconds ?? backoffSeconds(record.attempts, state.policy, state.random);
  const elapsed = (state.now - Date.parse(record.queuedAt ?? record.createdAt)) / 1000;
  if (record.attempts >= state.policy.maxAttempts || elapsed + delay > state.policy.maxTotalSeconds) {
    return { kind: 'exhausted' };
  }
  return { kind: 'retry', delaySeconds: Math.max(0, Math.ceil(delay)) };
}
