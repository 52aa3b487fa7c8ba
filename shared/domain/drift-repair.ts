/**
 * Drift repair (issue 30): webhooks are not complete (Shopify retries a delivery 8 times over 4
 * hours, then may delete the subscription, and tells apps to run reconciliation jobs:
 * https://shopify.dev/docs/apps/build/webhooks/best-practices). A timer pages each shop's customers
 * changed since the shop's watermark and sends any the sync does not hold (no link, or a link whose
 * create failed) through the webhook intake. A non-zero count means webhooks are being missed.
 *
 * Each shop has one row (its watermark and the pass under way). A pass covers the changes in
 * `[from, to)`: `from` is the watermark, `to` the pass's start less the settle time (a customer
 * changed more recently is left to its webhook, still on its way). The pass pages through the shop
 * in its stable order (ID); its cursor is saved after every page, so a run bounded by
 * DRIFT_REPAIR_MAX_CUSTOMERS, or killed, continues where it stopped. When the last page is done the
 * watermark moves to `to`. The row is written on its ETag only: a run claims the shop by a
 * conditional write (a lease), so two instances never run one shop at once.
 */
export interface DriftPass {
  /** Changed at or after this (ISO). */
  from: string;
  /** Changed before this (ISO). */
  to: string;
  /** The shop's cursor of the next page (absent before the first). */
  cursor?: string;
}

export interface DriftWatermark {
  /** The WEBHOOK_SOURCES name of the shop. */
  source: string;
  /** Every change before this was looked at (absent before the first pass ended). */
  watermark?: string;
  /** The pass under way, if one is. */
  pass?: DriftPass;
  /** When a run last claimed the shop (the next one waits DRIFT_REPAIR_INTERVAL_SECONDS). */
  lastRunAt?: string;
  /** The run holding the shop and until when (a later run may take it over after that). */
  leaseOwner?: string;
  leaseUntil?: string;
  etag: string;
}

/** What one run of one shop saw, by what became of each customer. */
export interface DriftCounts {
  /** Customers the shop listed as changed in the pass's window. */
  listed: number;
  /** Held by the sync: linked to a D365 account (our link, or the account the shop holds). */
  linked: number;
  /** Its create is still running (its webhook got there): left alone. */
  inProgress: number;
  /** Not held, or its create failed: sent through the intake now (the "found by repair" figure). */
  found: number;
  /** Sent by an earlier run already (the same version of the customer): not sent again. */
  alreadySent: number;
  /** Cannot be a D365 customer (no e-mail, phone or name): recorded failed, as its webhook would be. */
  unmappable: number;
}

export const emptyDriftCounts = (): DriftCounts => ({
  listed: 0,
  linked: 0,
  inProgress: 0,
  found: 0,
  alreadySent: 0,
  unmappable: 0,
});

/**
 * The pass a run works on: the one under way, else a new one from the watermark (the first one of a
 * shop starts `lookbackSeconds` back) to `settleSeconds` ago. Undefined when that window is empty.
 */
export function passFor(
  row: Pick<DriftWatermark, 'watermark' | 'pass'>,
  now: Date,
  settings: { settleSeconds: number; lookbackSeconds: number },
): DriftPass | undefined {
  if (row.pass) return row.pass;
  const to = new Date(now.getTime() - settings.settleSeconds * 1000);
  const from = row.watermark ?? new Date(now.getTime() - settings.lookbackSeconds * 1000).toISOString();
  return Date.parse(from) < to.getTime() ? { from, to: to.toISOString() } : undefined;
}

/** Whether a run may claim the shop now: its interval has passed and no other run holds it. */
export function mayClaim(row: DriftWatermark, now: Date, intervalSeconds: number): boolean {
  if (row.leaseUntil !== undefined && Date.parse(row.leaseUntil) > now.getTime()) return false;
  if (row.lastRunAt === undefined) return true;
  return Date.parse(row.lastRunAt) + intervalSeconds * 1000 <= now.getTime();
}

/**
 * The idempotency key of a customer sent by drift repair: the shop's customer ID and the version
 * (its `updatedAt`), so every run and every instance sends one version once, and a customer changed
 * again (a later version whose webhook was dropped too) is sent again.
 */
export const driftEventKey = (sourceCustomerId: string, updatedAt: string): string =>
  `drift-${sourceCustomerId}-${Date.parse(updatedAt) || 0}`;
