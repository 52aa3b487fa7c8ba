/**
 * The ordering rule of customer updates (README "Customer updates"). Pure.
 *
 * Every update carries a stamp: the source's own clock (Shopify's `updated_at`), a version the
 * caller sends (`Customer-Version`), or, without either, the time the intake accepted it (arrival
 * order). Each top-level field of `Customer` remembers the stamp of the update that last set it.
 * An update sets a field only when its stamp is newer than the field's; a field an older update
 * still names keeps the newer value. So the result is the same as applying every update in the
 * order the source made it, whatever order they arrive or are processed in, and an update none of
 * whose fields is newer is stale: recorded and dropped.
 */
export type StampKind = 'source' | 'version' | 'arrival';

export interface OrderStamp {
  kind: StampKind;
  /** The source's time (epoch ms), the caller's version, or the arrival time (epoch ms). */
  value: number;
  /** When the intake accepted it (epoch ms): orders stamps of different kinds. */
  arrivedAt: number;
}

/**
 * Whether `candidate` comes after `current`. Stamps of one kind compare by value (an equal value is
 * the same change again: not newer); stamps of different kinds (a source that started sending
 * versions) compare by arrival.
 */
export function isNewer(candidate: OrderStamp, current: OrderStamp | undefined): boolean {
  if (current === undefined) return true;
  if (candidate.kind === current.kind) return candidate.value > current.value;
  return candidate.arrivedAt > current.arrivedAt;
}

export type FieldStamps = Record<string, OrderStamp>;

export interface EffectivePatch {
  /** The members of the patch's `Customer` that are newer than what the customer has. */
  customer: Record<string, unknown>;
  /** The members left out because a newer update already set them. */
  superseded: string[];
}

/** The part of an update's `Customer` patch that still applies, given each field's last stamp. */
export function effectivePatch(
  customerPatch: Record<string, unknown>,
  stamps: FieldStamps,
  stamp: OrderStamp,
): EffectivePatch {
  const customer: Record<string, unknown> = {};
  const superseded: string[] = [];
  for (const [field, value] of Object.entries(customerPatch)) {
    if (isNewer(stamp, stamps[field])) customer[field] = value;
    else superseded.push(field);
  }
  return { customer, superseded };
}

/** The stamps after `fields` were set by an update stamped `stamp`. */
export function stampFields(stamps: FieldStamps, fields: readonly string[], stamp: OrderStamp): FieldStamps {
  const next = { ...stamps };
  for (const field of fields) next[field] = stamp;
  return next;
}
