/**
 * F&O's service protection, simplified: a rate limit (token bucket holding one second's worth of
 * requests, refilled continuously) and a concurrency limit. Requests beyond either get 429 with
 * `Retry-After`. Rejected requests do not consume capacity.
 */
export interface ThrottleLimits {
  ratePerSecond: number | null;
  concurrency: number | null;
}

export type Admission =
  | { ok: true; release: () => void }
  | { ok: false; reason: 'rate' | 'concurrency'; retryAfterSeconds: number };

export interface Throttle {
  limits(): ThrottleLimits;
  configure(limits: ThrottleLimits): void;
  /** Admits one request (counting it as in flight until `release`) or says how long to wait. */
  admit(now?: number): Admission;
  inFlight(): number;
  maxInFlight(): number;
  /** Forgets counters and the bucket's state (limits stay). */
  reset(): void;
}

export function createThrottle(initial: ThrottleLimits): Throttle {
  let limits = { ...initial };
  const capacity = (): number => Math.max(1, limits.ratePerSecond ?? 1);
  let tokens = capacity();
  let refilledAt = Date.now();
  let inFlight = 0;
  let maxInFlight = 0;
  /** Average duration of recent requests (ms), to estimate when a concurrency slot frees up. */
  let averageMs = 500;

  const refill = (now: number): void => {
    if (limits.ratePerSecond === null) return;
    tokens = Math.min(capacity(), tokens + ((now - refilledAt) / 1000) * limits.ratePerSecond);
    refilledAt = now;
  };

  return {
    limits: () => ({ ...limits }),
    configure(next) {
      limits = { ...next };
      tokens = capacity();
      refilledAt = Date.now();
    },
    admit(now = Date.now()) {
      if (limits.concurrency !== null && inFlight >= limits.concurrency) {
        return {
          ok: false,
          reason: 'concurrency',
          retryAfterSeconds: Math.max(1, Math.ceil(averageMs / 1000)),
        };
      }
      if (limits.ratePerSecond !== null) {
        refill(now);
        if (tokens < 1) {
          const wait = (1 - tokens) / limits.ratePerSecond;
          return { ok: false, reason: 'rate', retryAfterSeconds: Math.max(1, Math.ceil(wait)) };
        }
        tokens -= 1;
      }
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const started = Date.now();
      let released = false;
      return {
        ok: true,
        release: () => {
          if (released) return;
          released = true;
          inFlight -= 1;
          averageMs = averageMs * 0.8 + (Date.now() - started) * 0.2;
        },
      };
    },
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    reset() {
      maxInFlight = inFlight;
      tokens = capacity();
      refilledAt = Date.now();
    },
  };
}
