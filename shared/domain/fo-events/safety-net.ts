import { isAsSent, SentDigests } from '../customer-update/sent-digests';
import {
  FieldStamps,
  ScalarShopField,
  SHOP_FIELD_SOURCES,
  ShopChanges,
  ShopField,
  shopFieldsOf,
} from './shop-fields';

/**
 * The F&O safety net (issue 29): Microsoft warns that data events are no data-export mechanism —
 * they can come late, twice, or not at all ("Business events" and "Data events",
 * https://learn.microsoft.com/dynamics365/fin-ops-core/dev-itpro/business-events/data-events) — so a
 * timer compares each linked shop customer with its D365 customer and writes to the shop what
 * differs, through the events' own shop update (field stamps, no echoes).
 */

/** What one run of one shop saw, by what became of each listed customer. */
export interface SafetyNetCounts {
  /** Shop customers listed (pages of the shop, in its stable order). */
  listed: number;
  /** Of those, linked to a D365 account: compared with D365. */
  linked: number;
  /** The shop holds what D365 holds. */
  same: number;
  /** Written to the shop now (customers), and their fields. */
  repaired: number;
  fieldsRepaired: number;
  /** An event's shop update of the customer is under way: left to it. */
  busy: number;
  /** The shop's value is newer than D365's (D365 holds what we last sent it): left to the shop → D365 path. */
  shopSide: number;
  /** D365 has no such customer, or the shop refused or no longer has it. */
  notRepaired: number;
  /** Repaired customers by shop field (a customer counts once for each field written). */
  byField: Partial<Record<ShopField, number>>;
}

export const emptySafetyNetCounts = (): SafetyNetCounts => ({
  listed: 0,
  linked: 0,
  same: 0,
  repaired: 0,
  fieldsRepaired: 0,
  busy: 0,
  shopSide: 0,
  notRepaired: 0,
  byField: {},
});

export interface SafetyNetDiff {
  /** The D365 values the shop lacks (only fields D365 changed on its own). */
  changes: ShopChanges;
  /** Differing fields whose D365 value is the one we sent from the shop: the shop changed since. */
  shopSide: ShopField[];
}

/**
 * The fields where the shop differs from D365. A field D365 holds empty is left alone (as the event
 * path does: D365 clearing a field does not blank the shop's). A field whose D365 value is the one
 * we last sent there (the link's digests) changed in the shop since: that is the shop → D365
 * update's to carry (its webhook), never overwritten here.
 */
export function diffShopAgainstD365(
  shop: Partial<Record<ShopField, string | null>>,
  d365Record: Record<string, unknown>,
  sent: SentDigests | undefined,
): SafetyNetDiff {
  const changes: ShopChanges = {};
  const shopSide: ShopField[] = [];
  for (const [field, value] of Object.entries(shopFieldsOf(d365Record)) as [ShopField, string][]) {
    // The primary address is not compared (yet): the shop's default address is read by list pages only.
    if (field === 'address') continue;
    if (value === '' || (shop[field] ?? '').trim() === value) continue;
    if (sent && isAsSent(sent, SHOP_FIELD_SOURCES[field as ScalarShopField], value)) shopSide.push(field);
    else changes[field] = value;
  }
  return { changes, shopSide };
}

/**
 * The order number of a repair: D365's values as read now are newer than every event raised before
 * the read (the stamps hold some of those) and older than every event raised after it (their
 * ControlNumbers are above all earlier ones). Half a step above the highest stamp: an event raised
 * after the read still writes (its number is above), one the stamps already passed does not.
 */
export function repairControlNumber(stamps: FieldStamps): number {
  const highest = Math.max(0, ...Object.values(stamps).map((stamp) => stamp?.n ?? 0));
  return highest + 0.5;
}
