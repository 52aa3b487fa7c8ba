/**
 * The arithmetic of a shop's rate-limit budget (ShopBudget), kept apart from where it is stored.
 *
 * - Shopify (`bucket`): a leaky bucket of cost points per app and shop, refilled continuously at
 *   `restoreRate` points/s up to `maximumAvailable`
 *   (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits).
 * - BigCommerce (`window`): `quota` requests per window, `left` of them until the window resets
 *   (`X-Rate-Limit-Requests-Left`, `X-Rate-Limit-Time-Reset-Ms`:
 *   https://developer.bigcommerce.com/docs/start/best-practices/api-rate-limits); the quota is the
 *   store's, shared by every app installed on it.
 *
 * The sync spends at most `share` of the budget: the reserve (`(1 - share)` of the bucket or quota)
 * is never booked, so the shop's own staff apps, other apps and our other reads keep it. What is
 * known is an estimate that only errs low: a booking takes the requested cost at once, an answer
 * can only lower it (`merge`), and time refills it.
 */
export type BudgetState =
  | { model: 'bucket'; maximumAvailable: number; restoreRate: number; available: number; at: number }
  | { model: 'window'; quota: number; windowMs: number; left: number; resetAt: number; at: number };

/** What is available at `now`: the bucket refilled for the time passed, or a fresh window. */
export function availableAt(state: BudgetState, now: number): number {
  if (state.model === 'bucket') {
    const refilled = state.available + (Math.max(0, now - state.at) / 1000) * state.restoreRate;
    return Math.min(state.maximumAvailable, refilled);
  }
  return now >= state.resetAt ? state.quota : state.left;
}

export function reserveOf(state: BudgetState, share: number): number {
  return (state.model === 'bucket' ? state.maximumAvailable : state.quota) * (1 - share);
}

export type Booking = { kind: 'taken'; state: BudgetState } | { kind: 'wait'; waitMs: number };

/** Books `cost` if what stays is at or above the reserve; otherwise says how long until it would be. */
export function book(state: BudgetState, cost: number, share: number, now: number): Booking {
  const available = availableAt(state, now);
  const reserve = reserveOf(state, share);
  if (available - cost >= reserve) {
    return {
      kind: 'taken',
      state:
        state.model === 'bucket'
          ? { ...state, available: available - cost, at: now }
          : {
              ...state,
              left: available - cost,
              resetAt: now >= state.resetAt ? now + state.windowMs : state.resetAt,
              at: now,
            },
    };
  }
  if (state.model === 'bucket') {
    return { kind: 'wait', waitMs: Math.ceil(((reserve + cost - available) / state.restoreRate) * 1000) };
  }
  // A window that would not hold it even when fresh: wait for the reset anyway (never spin).
  return { kind: 'wait', waitMs: Math.max(1, state.resetAt - now) };
}

/** What a shop's answer said, as a state observed at `now`. */
export type Observation =
  | { model: 'bucket'; maximumAvailable: number; currentlyAvailable: number; restoreRate: number }
  | { model: 'window'; quota: number; left: number; resetMs: number; windowMs: number };

/** True when `next` tells nothing `current` does not already (nothing lower, same limits): no write needed. */
export function changesNothing(current: BudgetState, next: BudgetState, now: number): boolean {
  if (current.model === 'bucket' && next.model === 'bucket') {
    return (
      current.maximumAvailable === next.maximumAvailable &&
      current.restoreRate === next.restoreRate &&
      availableAt(next, now) >= availableAt(current, now)
    );
  }
  if (current.model === 'window' && next.model === 'window') {
    return current.quota === next.quota && current.resetAt === next.resetAt && next.left >= current.left;
  }
  return false;
}

/**
 * The known state after an answer: the lower of the estimate and what the shop said (bookings of
 * calls still in flight elsewhere in the fleet are in the estimate, not yet in the shop's figure).
 */
export function merge(state: BudgetState | undefined, seen: Observation, now: number): BudgetState {
  if (seen.model === 'bucket') {
    const estimate = state?.model === 'bucket' ? availableAt(state, now) : Number.POSITIVE_INFINITY;
    return {
      model: 'bucket',
      maximumAvailable: seen.maximumAvailable,
      restoreRate: seen.restoreRate,
      available: Math.min(estimate, seen.currentlyAvailable),
      at: now,
    };
  }
  const resetAt = now + Math.max(0, seen.resetMs);
  const sameWindow =
    state?.model === 'window' && Math.abs(state.resetAt - resetAt) < 1000 && now < state.resetAt;
  return {
    model: 'window',
    quota: seen.quota,
    windowMs: seen.windowMs,
    left: sameWindow ? Math.min(state.left, seen.left) : seen.left,
    resetAt,
    at: now,
  };
}
