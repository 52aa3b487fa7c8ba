import type { ConflictPolicy } from '../customer-update';
import { FieldStamps, ShopChanges, ShopField, valueDigest } from './shop-fields';

/**
 * Concurrent real changes on both sides (issue 29): a D365 change reaches a shop field whose shop
 * value is neither the one both sides last agreed on (the field's stamp: the value last written to the
 * shop, or last seen in D365 as our own PATCH's echo) nor D365's new one. The shop changed it
 * meanwhile too; that change is on its way to D365 (the shop's `customers/update`), where the same
 * UPDATE_CONFLICT_POLICY decides it (worker/update-send.ts). Here, field by field:
 * - `d365`: D365's value is written to the shop (`d365-kept`);
 * - `ours`: the shop's value stays (`shop-kept`; its update overwrites D365's);
 * - `review`: nothing is written (`review`; the shop's update ends `needs_review` with
 *   `update_conflict`, where an operator compares the fields).
 */
export type ShopConflictResolution = 'd365-kept' | 'shop-kept' | 'review';

const RESOLUTION: Record<ConflictPolicy, ShopConflictResolution> = {
  d365: 'd365-kept',
  ours: 'shop-kept',
  review: 'review',
};

/** The fields of `changes` the shop changed since the stamps (`before`) were decided. */
export function shopConflicts(
  changes: ShopChanges,
  before: FieldStamps,
  shop: Partial<Record<ShopField, string | null | undefined>>,
  /** The customer's stamp salt (shop-fields.ts `valueDigest`). */
  salt?: string,
): ShopField[] {
  const fields: ShopField[] = [];
  for (const [field, value] of Object.entries(changes) as [ShopField, string][]) {
    const stamp = before[field];
    const held = shop[field];
    if (!stamp || typeof held !== 'string') continue;
    const shopValue = held.trim();
    if (valueDigest(shopValue, salt) !== stamp.d && shopValue !== value) fields.push(field);
  }
  return fields;
}

/** The changes the policy lets through, and how the conflicting fields were resolved. */
export function resolveShopConflicts(
  changes: ShopChanges,
  conflicts: ShopField[],
  policy: ConflictPolicy,
): { changes: ShopChanges; resolution: ShopConflictResolution } {
  const resolution = RESOLUTION[policy];
  if (resolution === 'd365-kept') return { changes, resolution };
  const kept: ShopChanges = { ...changes };
  for (const field of conflicts) delete kept[field];
  return { changes: kept, resolution };
}
