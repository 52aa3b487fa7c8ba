import { createHash } from 'node:crypto';

/**
 * Which CustomersV3 fields of a D365 change reach the shop customer (issue 29), and which of them an
 * event may still write. The mapping is the contract's (README, field mapping) read backwards:
 * `PersonFirstName` → first name, `PersonLastName` → last name, `PrimaryContactEmail` → e-mail,
 * `PrimaryContactPhone` → phone; both shops take these four (Shopify `customerUpdate`, BigCommerce
 * `PUT /v3/customers`).
 *
 * Field stamps: each shop field remembers the ControlNumber of the event that last decided it and a
 * digest of the value. An event writes a field only when its ControlNumber is newer than the stamp
 * (an older event, late or repeated, never overwrites a newer value) and its value differs from the
 * one last written (only fields that changed go to the shop).
 */
export type ShopField = 'firstName' | 'lastName' | 'email' | 'phone';
export type ShopChanges = Partial<Record<ShopField, string>>;

export const SHOP_FIELD_SOURCES: Record<ShopField, string> = {
  firstName: 'PersonFirstName',
  lastName: 'PersonLastName',
  email: 'PrimaryContactEmail',
  phone: 'PrimaryContactPhone',
};

export interface FieldStamp {
  /** ControlNumber of the event that last decided the field. */
  n: number;
  /** sha256 of the value written (so the state holds no personal data). */
  d: string;
}
export type FieldStamps = Partial<Record<ShopField, FieldStamp>>;

export const valueDigest = (value: string): string =>
  createHash('sha256').update(value, 'utf8').digest('base64url').slice(0, 22);

/** The shop fields a record carries (a field absent from the record is left alone). */
export function shopFieldsOf(record: Record<string, unknown>): ShopChanges {
  const fields: ShopChanges = {};
  for (const [field, source] of Object.entries(SHOP_FIELD_SOURCES) as [ShopField, string][]) {
    const value = record[source];
    if (typeof value === 'string') fields[field] = value.trim();
  }
  return fields;
}

/**
 * What the intake keeps of an event's record: only the CustomersV3 fields the shop update maps
 * (holding less; a CustomersV3 record has hundreds of fields, the row's property at most 64 KiB).
 */
export function mappedRecord(record: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const source of Object.values(SHOP_FIELD_SOURCES)) if (source in record) kept[source] = record[source];
  return kept;
}

export interface ShopUpdatePlan {
  changes: ShopChanges;
  stamps: FieldStamps;
  /** Fields the event was too old for (a newer event decided them). */
  stale: ShopField[];
}

/** What an event at `controlNumber` writes, given the stamps so far; the stamps after it. */
export function planShopUpdate(
  record: Record<string, unknown>,
  controlNumber: number,
  stamps: FieldStamps,
): ShopUpdatePlan {
  const next: FieldStamps = { ...stamps };
  const changes: ShopChanges = {};
  const stale: ShopField[] = [];
  for (const [field, value] of Object.entries(shopFieldsOf(record)) as [ShopField, string][]) {
    const stamp = stamps[field];
    if (stamp && stamp.n >= controlNumber) {
      if (stamp.n > controlNumber) stale.push(field);
      continue;
    }
    const digest = valueDigest(value);
    next[field] = { n: controlNumber, d: digest };
    // An empty value is not sent: D365 clearing a field does not blank the shop's (a shop requires some).
    if (stamp?.d !== digest && value !== '') changes[field] = value;
  }
  return { changes, stamps: next, stale };
}
