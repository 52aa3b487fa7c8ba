import { createHash, randomBytes } from 'node:crypto';
import {
  decodePrimaryAddress,
  encodePrimaryAddress,
  PRIMARY_ADDRESS_SOURCES,
  primaryAddressFieldsOf,
  toShopAddress,
} from './primary-address';
import { ALPHA2_TO_ALPHA3 } from '../reference-data';

/**
 * Which CustomersV3 fields of a D365 change reach the shop customer (issue 29), and which of them an
 * event may still write. The mapping is the contract's (README, field mapping) read backwards:
 * `PersonFirstName` → first name, `PersonLastName` → last name, `PrimaryContactEmail` → e-mail,
 * `PrimaryContactPhone` → phone; both shops take these four (Shopify `customerUpdate`, BigCommerce
 * `PUT /v3/customers`). The primary address (`Address*`, primary-address.ts) is one field, `address`:
 * its value is the five D365 fields as one string, written as the shop's default address.
 *
 * Field stamps: each shop field remembers the ControlNumber of the event that last decided it and a
 * digest of the value. An event writes a field only when its ControlNumber is newer than the stamp
 * (an older event, late or repeated, never overwrites a newer value) and its value differs from the
 * one last written (only fields that changed go to the shop).
 */
export type ScalarShopField = 'firstName' | 'lastName' | 'email' | 'phone';
export type ShopField = ScalarShopField | 'address';
export type ShopChanges = Partial<Record<ShopField, string>>;

export const SHOP_FIELD_SOURCES: Record<ScalarShopField, string> = {
  firstName: 'PersonFirstName',
  lastName: 'PersonLastName',
  email: 'PrimaryContactEmail',
  phone: 'PrimaryContactPhone',
};

export interface FieldStamp {
  /** ControlNumber of the event that last decided the field. */
  n: number;
  /** SHA-256 of the value written, salted per customer (`valueDigest`): no value the state could give away. */
  d: string;
}
export type FieldStamps = Partial<Record<ShopField, FieldStamp>>;

/**
 * The digest a stamp keeps of a value: SHA-256 salted per customer (its state row's `salt`), so the
 * stamps of an e-mail or a name cannot be matched against a list of guesses, nor two customers'
 * equal values against each other. Without a salt (rows written before it), unsalted.
 */
export const valueDigest = (value: string, salt?: string): string =>
  createHash('sha256')
    .update(salt === undefined ? value : `${salt}\n${value}`, 'utf8')
    .digest('base64url')
    .slice(0, 22);

/** A new customer's stamp salt (random, 96 bits). */
export const newStampSalt = (): string => randomBytes(12).toString('base64url');

/** The shop fields a record carries (a field absent from the record is left alone). */
export function shopFieldsOf(record: Record<string, unknown>): ShopChanges {
  const fields: ShopChanges = {};
  for (const [field, source] of Object.entries(SHOP_FIELD_SOURCES) as [ScalarShopField, string][]) {
    const value = record[source];
    if (typeof value === 'string') fields[field] = value.trim();
  }
  // An address a shop could not take (no street, unknown country) is not sent, as an empty field is not.
  const address = primaryAddressFieldsOf(record);
  if (address) fields.address = toShopAddress(address) ? encodePrimaryAddress(address) : '';
  return fields;
}

/** The CustomersV3 record that carries `changes` (shopFieldsOf read backwards). */
export function recordOf(changes: ShopChanges): Record<string, string> {
  const { address, ...scalars } = changes;
  const record: Record<string, string> = {};
  for (const [field, value] of Object.entries(scalars) as [ScalarShopField, string][])
    record[SHOP_FIELD_SOURCES[field]] = value;
  const fields = address === undefined ? undefined : decodePrimaryAddress(address);
  return fields ? { ...record, ...fields } : record;
}

/**
 * What the intake keeps of an event's record: only the CustomersV3 fields the shop update maps
 * (holding less; a CustomersV3 record has hundreds of fields, the row's property at most 64 KiB).
 */
export function mappedRecord(record: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const source of [...Object.values(SHOP_FIELD_SOURCES), ...PRIMARY_ADDRESS_SOURCES])
    if (source in record) kept[source] = record[source];
  return kept;
}

/**
 * The CustomersV3 fields the shop → D365 mapping sets from a shop customer's addresses
 * (d365-entity-fields.ts `CUSTOMERS_V3_FIELDS_BY_MEMBER.BillingAddress`, the same for shipping): the
 * primary address, the invoice and delivery addresses, and the primary address's roles.
 */
export const ECHOED_ADDRESS_FIELDS: readonly string[] = [
  ...['Address', 'InvoiceAddress', 'DeliveryAddress'].flatMap((prefix) =>
    ['Description', 'Street', 'City', 'State', 'ZipCode', 'CountryRegionId'].map((f) => `${prefix}${f}`),
  ),
  'AddressLocationRoles',
];

/**
 * The D365 entity fields and values a shop field's value stands for, exactly as the shop's own
 * mapping (webhooks/shop-customer.ts `addressLists`, then d365-payload.ts `mapToCustomersV3`) turns
 * the shop's customer back into them. The link's digests are compared with these both to spot our
 * own PATCH's echo and to make the shop's `customers/update` echo of our write diff to nothing.
 *
 * The address (issue 29, no loops): an echo of an address write sets every field of
 * `ECHOED_ADDRESS_FIELDS` (the update path compares all of them), so all of them are recorded, each
 * as the echo carries it, not as D365 holds it:
 * - `AddressStreet`: the shop's two lines joined with ", " (a multi-line F&O street comes back
 *   so: recording F&O's own "\n" form would make the echo PATCH the street);
 * - `AddressCountryRegionId`: alpha-2 back to alpha-3 (upper case, whatever case D365 used);
 * - `AddressLocationRoles`: `Invoice;Delivery` — the shop's default address is the primary address
 *   of both lists, so the mapping gives it both roles, whatever roles D365 holds (F&O's own
 *   setting, which the shop cannot express; a data event carries no roles);
 * - `AddressDescription` and the `InvoiceAddress*` / `DeliveryAddress*` fields: empty — a shop
 *   address has no title, and one address playing both roles leaves the other two unset.
 * Why record these rather than have the shop → D365 update skip what "D365 already holds": that
 * update knows D365 only by these digests (issue 27: the link keeps no copy, and reading D365 for
 * every webhook would cost a call per shop update), and D365 does hold these where the shop can
 * express them; where it cannot (roles, a title, separate invoice/delivery addresses), recording
 * the shop's form means the shop's silence about them never clears or overwrites D365's values —
 * the same rule as a D365 field the shop cannot take ("D365 clearing a field does not blank the
 * shop's"), read the other way.
 */
export function entityValuesOf(field: ShopField, value: string): Record<string, string> {
  if (field !== 'address') return { [SHOP_FIELD_SOURCES[field]]: value };
  const fields = decodePrimaryAddress(value);
  const shop = fields && toShopAddress(fields);
  if (!fields || !shop) return {};
  return {
    ...Object.fromEntries(ECHOED_ADDRESS_FIELDS.map((source) => [source, ''])),
    AddressStreet: [shop.street1, shop.street2].filter((line) => line !== '').join(', '),
    AddressCity: shop.city,
    AddressState: shop.state,
    AddressZipCode: shop.postalCode,
    AddressCountryRegionId: ALPHA2_TO_ALPHA3.get(shop.countryAlpha2) ?? fields.AddressCountryRegionId,
    AddressLocationRoles: 'Invoice;Delivery',
  };
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
  /** The customer's stamp salt (valueDigest). */
  salt?: string,
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
    const digest = valueDigest(value, salt);
    next[field] = { n: controlNumber, d: digest };
    // An empty value is not sent: D365 clearing a field does not blank the shop's (a shop requires some).
    if (stamp?.d !== digest && value !== '') changes[field] = value;
  }
  return { changes, stamps: next, stale };
}
