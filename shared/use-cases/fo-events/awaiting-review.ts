import { parseUpdateRequest } from '../../domain/customer-update/update-request';
import { PRIMARY_ADDRESS_SOURCES } from '../../domain/fo-events/primary-address';
import { SHOP_FIELD_SOURCES, ScalarShopField, ShopField } from '../../domain/fo-events/shop-fields';
import type { StatusStore } from '../../ports';

/**
 * The shop fields of a customer that await an operator (UPDATE_CONFLICT_POLICY=review): a shop's
 * update of it that met a D365 change ended `needs_review` with `update_conflict` and sent nothing,
 * so each field it changes holds the shop's value on one side and D365's on the other until an
 * operator decides (docs/operations.md). The F&O safety net must not decide it for them by writing
 * D365's value to the shop (safety-net.ts). Read from the open review's stored request (its patch's
 * members, mapped to the entity's fields by `fieldsOf`); once its payload is past
 * FAILED_REQUEST_RETENTION_DAYS nothing is left to hold the fields back.
 */
export type FieldsAwaitingReview = (source: string, sourceCustomerId: string) => Promise<ShopField[]>;

export function fieldsAwaitingReview(
  statusStore: Pick<StatusStore, 'findHolding'>,
  fieldsOf: (members: readonly string[]) => string[],
): FieldsAwaitingReview {
  return async (source, sourceCustomerId) => {
    const records = await statusStore.findHolding({ source, references: [{ source, sourceCustomerId }] }, 20);
    const members = records
      .filter((r) => r.status === 'needs_review' && r.errorCode === 'update_conflict')
      .flatMap((r) => {
        let request: unknown;
        try {
          request = JSON.parse(r.payload ?? 'null');
        } catch {
          return [];
        }
        return Object.keys(parseUpdateRequest(request)?.Update.customer ?? {});
      });
    if (members.length === 0) return [];
    const entity = new Set(fieldsOf(members));
    const scalars = (Object.keys(SHOP_FIELD_SOURCES) as ScalarShopField[]).filter((f) =>
      entity.has(SHOP_FIELD_SOURCES[f]),
    );
    // The primary address is one shop field: any of its D365 fields under review holds all of it.
    const address = PRIMARY_ADDRESS_SOURCES.some((source) => entity.has(source));
    return [...scalars, ...(address ? (['address'] as const) : [])];
  };
}
