import { ENTITY_FIELD_NAMES, ENTITY_SET } from './customer-entity';
import { CustomerRecord } from './customers-store';
import { RequestContext, sendJson } from './http';

/** What the OData endpoint's reads and its create share: headers, ETags, key paths, entity bodies. */
export const ODATA_HEADERS = { 'OData-Version': '4.0' };

/**
 * The entity's ETag as F&O writes it: a weak ETag whose value is the base64 of `'<RecVersion>,<RecId>'`
 * (captured F&O answers decode to e.g. `'1,68719478663'` right after a create; entities with several
 * data sources append `;<RecVersion>,<RecId>` pairs: github.com/vglu/doc2ent content/en/cases/*.md).
 * RecVersion changes on every update, so does the ETag.
 */
export function etag(record: CustomerRecord): string {
  return `W/"${Buffer.from(`'${record.recVersion},${record.recId}'`).toString('base64')}"`;
}

export function keyPath(origin: string, record: CustomerRecord): string {
  const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`;
  return `${origin}/data/${ENTITY_SET}(dataAreaId=${quote(record.legalEntity.toLowerCase())},CustomerAccount=${quote(record.account)})`;
}

export function sendODataError(ctx: RequestContext, status: number, body: unknown): void {
  sendJson(ctx.res, status, body, ODATA_HEADERS);
}

/** The entity as CustomersV3 returns it: its ETag and the selected fields (default: all). */
export function representation(record: CustomerRecord, select?: string[]): Record<string, unknown> {
  const fields = select ?? ENTITY_FIELD_NAMES;
  const result: Record<string, unknown> = { '@odata.etag': etag(record) };
  for (const field of fields) result[field] = record.fields[field];
  return result;
}
