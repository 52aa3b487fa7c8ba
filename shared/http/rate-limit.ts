/**
 * A per-caller token bucket for one instance: `perMinute` requests a minute, with bursts up to
 * the same number. A production deployment puts quotas in Azure API Management; this guards the
 * app itself (OWASP API4, unrestricted resource consumption).
 */
export interface RateLimiter {
  /** Takes one token; when none is left, says how many seconds until one is. */
  take(callerId: string): { ok: true } | { ok: false; retryAfterSeconds: number };
}

export function rateLimiter(
  perMinute: number,
  now: () => number = Date.now,
  maxCallers = 10_000,
): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const ratePerMs = perMinute / 60_000;
  return {
    take(callerId) {
      if (perMinute <= 0) return { ok: true };
      const t = now();
      const bucket = buckets.get(callerId) ?? { tokens: perMinute, at: t };
      bucket.tokens = Math.min(perMinute, bucket.tokens + (t - bucket.at) * ratePerMs);
      bucket.at = t;
      buckets.delete(callerId);
      buckets.set(callerId, bucket); // most recently used last
      if (buckets.size > maxCallers) buckets.delete(buckets.keys().next().value as string);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000)) };
    },
  };
}

/** Counts requests held open (Prefer: wait) so one instance never holds more than `max`. */
export function concurrencyLimit(max: number): {
  tryEnter(): boolean;
  leave(): void;
  readonly active: number;
} {
  let active = 0;
  return {
    tryEnter() {
      if (active >= max) return false;
      active += 1;
      return true;
    },
    leave() {
      active = Math.max(0, active - 1);
    },
    get active() {
      return active;
    },
  };
}
