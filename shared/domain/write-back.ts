import { z } from 'zod';
import { backoffSeconds, RetryPolicy } from './retry-policy';

/**
 * The shop write-back (issue 28): after a shop's customer ends `succeeded` (created or linked), its
 * D365 account (`LEGALENTITY/ACCOUNT`) is written to the shop's customer (Shopify metafield,
 * BigCommerce attribute value) by a step of its own, on a queue of its own:
 *
 *   (create succeeded) ─► pending ─► written
 *                           ▲  │ └──► failed ─┐
 *                           │  └─ (retry: queued again, same state)
 *                           └── operator's retry ─┘
 *
 * The state lives on the create's status record (`writeBack`, a column the reconciler queries) with
 * its detail (`writeBackDetail`, JSON): attempts, the lease of the invocation writing it, when the
 * next attempt is due, the error. The request's own `status`, `updatedAt` and callbacks are never
 * changed by it: the create stays `succeeded` whatever the shop answers.
 */
export const WRITE_BACK_STATES = ['pending', 'written', 'failed'] as const;
export type WriteBackState = (typeof WRITE_BACK_STATES)[number];

/** Why a write-back ended `failed`: each needs an operator (or a shop change) before a retry helps. */
export const WRITE_BACK_ERRORS = {
  shop_access:
    'The shop refused the Admin API access token (revoked, app uninstalled, or without the customer scopes): put a valid token in Key Vault, then retry the write-back.',
  shop_customer_not_found: 'The shop no longer has this customer (deleted there): nothing was written.',
  rejected: "The shop refused the value (its validation); the message names the shop's codes.",
  shop_unavailable:
    'The shop stayed unavailable (5xx, timeouts) through every retry of the write-back; retry it once the shop answers.',
} as const;
export type WriteBackErrorCode = keyof typeof WRITE_BACK_ERRORS;

export interface WriteBackDetail {
  /** Attempts made in the current series (the operator's retry starts a new one). */
  attempts: number;
  /** When the current series started (ISO): the retry policy's total time counts from here. */
  since: string;
  /** Until when the invocation writing it holds it (the fleet's fence). */
  leaseUntil?: string;
  /** When the next attempt is due (a retry or a wait for the shop's budget). */
  nextAttemptAt?: string;
  /** When it was written, or failed (ISO). */
  endedAt?: string;
  /** The written value's shop-side result: `changed` false when the shop already held it (no echo). */
  changed?: boolean;
  error?: { code: WriteBackErrorCode; message: string };
  /** The last transient failure (no personal data). */
  lastError?: string;
}

/** What the status answer and callbacks say about it (no personal data). */
export interface WriteBackAnswer {
  status: WriteBackState;
  attempts: number;
  /** When it was written or failed. */
  endedAt?: string;
  nextAttemptAt?: string;
  error?: { code: WriteBackErrorCode; message: string };
  lastError?: string;
}

export const parseWriteBackDetail = (json: string | undefined): WriteBackDetail =>
  json ? (JSON.parse(json) as WriteBackDetail) : { attempts: 0, since: new Date(0).toISOString() };

export function writeBackAnswer(
  state: WriteBackState | undefined,
  detailJson: string | undefined,
): WriteBackAnswer | undefined {
  if (state === undefined) return undefined;
  const detail = parseWriteBackDetail(detailJson);
  return {
    status: state,
    attempts: detail.attempts,
    ...(detail.endedAt !== undefined && state !== 'pending' && { endedAt: detail.endedAt }),
    ...(detail.nextAttemptAt !== undefined && state === 'pending' && { nextAttemptAt: detail.nextAttemptAt }),
    ...(detail.error !== undefined && state === 'failed' && { error: detail.error }),
    ...(detail.lastError !== undefined && state === 'pending' && { lastError: detail.lastError }),
  };
}

/** The value written to the shop: the legal entity and the account, as D365 names them. */
export const shopAccountValue = (legalEntity: string, customerAccount: string): string =>
  `${legalEntity.toUpperCase()}/${customerAccount}`;

/** The write-back queue's message: the request's ID only (the record holds the rest). */
export const WRITE_BACK_MESSAGE_VERSION = 1;
export const writeBackMessageSchema = z.strictObject({
  v: z.literal(WRITE_BACK_MESSAGE_VERSION),
  correlationId: z.uuid(),
});
export type WriteBackMessage = z.infer<typeof writeBackMessageSchema>;

export const writeBackMessage = (correlationId: string): WriteBackMessage => ({
  v: WRITE_BACK_MESSAGE_VERSION,
  correlationId,
});

export function encodeWriteBackMessage(message: WriteBackMessage): string {
  return Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
}

/** What the queue trigger handed the function (an object for JSON, else a string). */
export function decodeWriteBackMessage(input: unknown): WriteBackMessage | undefined {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      return undefined;
    }
  }
  const parsed = writeBackMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export type WriteBackDecision =
  /** Write it now: attempt `attempt`. */
  | { kind: 'write'; attempt: number }
  /** Already written or failed (a redelivery, or the reconciler's copy): nothing to do. */
  | { kind: 'ended' }
  /** Another invocation holds it, or its next attempt is not due yet: look again in `delaySeconds`. */
  | { kind: 'later'; delaySeconds: number };

/** Whether a delivery of the write-back message writes now (pure: the fleet's fence is the record's ETag). */
export function decideWriteBack(
  state: WriteBackState | undefined,
  detail: WriteBackDetail,
  nowMs: number,
): WriteBackDecision {
  if (state !== 'pending') return { kind: 'ended' };
  const until = (iso: string | undefined): number => (iso ? Date.parse(iso) - nowMs : 0);
  const wait = Math.max(until(detail.leaseUntil), until(detail.nextAttemptAt));
  // A next attempt due within a second is taken now (queue visibility is whole seconds).
  if (wait > 1000) return { kind: 'later', delaySeconds: Math.ceil(wait / 1000) };
  return { kind: 'write', attempt: detail.attempts + 1 };
}

export type WriteBackRetry = { kind: 'retry'; delaySeconds: number } | { kind: 'exhausted' };

/**
 * After a transient failure: the next attempt, or exhausted. A wait for the shop's budget (the
 * client names its `retryAfterSeconds`) gives its attempt back: a throttled shop only slows the
 * write-back, it never fails it.
 */
export function decideWriteBackRetry(
  detail: WriteBackDetail,
  failure: { retryAfterSeconds?: number; budgetWait: boolean },
  state: { now: number; policy: RetryPolicy; random?: () => number },
): WriteBackRetry & { countsAttempt: boolean } {
  if (failure.budgetWait)
    return { kind: 'retry', delaySeconds: Math.max(1, failure.retryAfterSeconds ?? 1), countsAttempt: false };
  const delay = failure.retryAfterSeconds ?? backoffSeconds(detail.attempts, state.policy, state.random);
  const elapsed = (state.now - Date.parse(detail.since)) / 1000;
  if (detail.attempts >= state.policy.maxAttempts || elapsed + delay > state.policy.maxTotalSeconds)
    return { kind: 'exhausted', countsAttempt: true };
  return { kind: 'retry', delaySeconds: Math.max(1, Math.ceil(delay)), countsAttempt: true };
}
