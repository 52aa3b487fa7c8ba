/** When a transient failure is tried again, and when a request stops trying. */
export interface RetryPolicy {
  baseSeconds: number;
  maxDelaySeconds: number;
  maxAttempts: number;
  maxTotalSeconds: number;
}

/** Exponential back-off with full jitter: a random delay in [0, min(cap, base · 2^(attempt−1))]. */
export function backoffSeconds(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelaySeconds, policy.baseSeconds * 2 ** Math.max(0, attempt - 1));
  return random() * ceiling;
}
