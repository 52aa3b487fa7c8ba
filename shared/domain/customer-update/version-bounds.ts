import type { FieldStamps } from './update-order';

/**
 * Bounds on a caller's `Customer-Version` (and a Standard Webhooks `version`), so that one wild
 * value cannot freeze a customer (every later versioned update would be `stale`): a version may be
 * at most a day ahead of the clock read as epoch milliseconds, and may run ahead of the newest
 * version the customer has by at most the time since that one arrived plus a day, or by a billion,
 * whichever is more. Epoch milliseconds grow with the clock and row versions by far less than a
 * billion between two changes of one customer: both fit; 2^53 - 1 does not. Pure.
 */
export const VERSION_AHEAD_OF_CLOCK_MS = 86_400_000;
export const VERSION_STEP_ALLOWANCE = 1_000_000_000;

export function checkVersionBounds(
  version: number,
  now: number,
  stamps: FieldStamps,
): { ok: true } | { ok: false; detail: string } {
  if (version > now + VERSION_AHEAD_OF_CLOCK_MS)
    return {
      ok: false,
      detail: `The version is more than a day ahead of the clock read as epoch milliseconds (${now}): a version grows with each change, it does not jump ahead. Nothing was queued.`,
    };
  const last = Object.values(stamps)
    .filter((stamp) => stamp.kind === 'version')
    .reduce<{ value: number; arrivedAt: number } | undefined>(
      (newest, stamp) => (newest === undefined || stamp.value > newest.value ? stamp : newest),
      undefined,
    );
  if (last === undefined) return { ok: true };
  const allowance = Math.max(VERSION_STEP_ALLOWANCE, now - last.arrivedAt + VERSION_AHEAD_OF_CLOCK_MS);
  if (version - last.value <= allowance) return { ok: true };
  return {
    ok: false,
    detail: `The version runs ${version - last.value} ahead of the customer's newest version (${last.value}): more than ${allowance} (the milliseconds since that one arrived plus a day, or a billion). Nothing was queued.`,
  };
}
