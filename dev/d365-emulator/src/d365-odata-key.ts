import { ENTITY_SET, ENTITY_TYPE } from './customer-entity';
import { CustomerRecord } from './customers-store';
import { odataError } from './d365-errors';
import { sendODataError } from './d365-odata-entity';
import { RequestContext } from './http';
import { EmulatorState } from './state';

/**
 * Addressing one CustomersV3 entity by its key, shared by the read (GET) and the update (PATCH):
 * `CustomersV3(dataAreaId='usrt',CustomerAccount='US-000001')`. Microsoft Learn, "Open Data Protocol
 * (OData)": every field of the entity key must be given, and only the user's default company is visible
 * without `?cross-company=true`.
 */

export const crossCompany = (url: URL): boolean =>
  (url.searchParams.get('cross-company') ?? '').toLowerCase() === 'true';

/** The customers a request may see: every company with `cross-company=true`, else the default one. */
export function visible(state: EmulatorState, url: URL): CustomerRecord[] {
  const all = state.customers.all();
  return crossCompany(url) ? all : all.filter((c) => c.legalEntity === state.options.defaultLegalEntity);
}

/** `name='value',...` (string literals, quotes doubled) → the key's values; undefined when malformed. */
export function parseKey(text: string): Record<string, string> | undefined {
  const key: Record<string, string> = {};
  const pattern = /\s*([A-Za-z_]+)\s*=\s*'((?:[^']|'')*)'\s*(,|$)/y;
  let index = 0;
  while (index < text.length) {
    pattern.lastIndex = index;
    const m = pattern.exec(text);
    if (!m) return undefined;
    key[m[1] ?? ''] = (m[2] ?? '').replace(/''/g, "'");
    index = pattern.lastIndex;
  }
  return key;
}

export const KEY_MISMATCH = `The number of keys specified in the URI does not match number of key properties for the resource '${ENTITY_TYPE}'.`;
export const NOT_FOUND = `Resource not found for the segment '${ENTITY_SET}'.`;

/**
 * The customer the key text names, or undefined after answering 400 (a key that is not
 * `dataAreaId` + `CustomerAccount`) or 404 (no such customer visible to the request). Keys compare
 * without regard to case, as F&O's SQL Server collation does.
 */
export function resolveKey(
  state: EmulatorState,
  ctx: RequestContext,
  keyText: string,
): CustomerRecord | undefined {
  const key = parseKey(keyText);
  if (
    !key ||
    key.dataAreaId === undefined ||
    key.CustomerAccount === undefined ||
    Object.keys(key).length !== 2
  ) {
    sendODataError(ctx, 400, odataError(KEY_MISMATCH));
    return undefined;
  }
  const record = visible(state, ctx.url).find(
    (c) =>
      c.legalEntity.toLowerCase() === key.dataAreaId?.toLowerCase() &&
      c.account.toLowerCase() === key.CustomerAccount?.toLowerCase(),
  );
  if (!record) sendODataError(ctx, 404, odataError(NOT_FOUND));
  return record;
}
