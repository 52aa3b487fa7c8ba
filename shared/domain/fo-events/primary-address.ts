import { ALPHA3_TO_ALPHA2 } from '../reference-data';

/**
 * The primary address of a D365 customer as the shop takes it (issue 29). CustomersV3 carries it in
 * `AddressStreet`, `AddressCity`, `AddressState`, `AddressZipCode` and `AddressCountryRegionId`
 * (docs/contract: the CustomersV3 fields; the emulator's customer-entity.ts). F&O's country is the
 * ISO 3166-1 alpha-3 `CountryRegionId` (`USA`); Shopify's `MailingAddressInput.countryCode` and
 * BigCommerce's `country_code` are alpha-2 (`US`): the ISO pairs of reference-data.ts, read backwards.
 *
 * The address moves as a whole: one value (the five D365 fields, canonical JSON) is stamped and
 * compared, so a change of any part writes the whole address once, and the D365 values stay at hand
 * for the echo guard (the link's digests are of D365's fields).
 */
export const PRIMARY_ADDRESS_SOURCES = [
  'AddressStreet',
  'AddressCity',
  'AddressState',
  'AddressZipCode',
  'AddressCountryRegionId',
] as const;
export type PrimaryAddressSource = (typeof PRIMARY_ADDRESS_SOURCES)[number];
export type PrimaryAddressFields = Record<PrimaryAddressSource, string>;

/** The address a shop client writes (Shopify default address, BigCommerce customer address). */
export interface ShopPrimaryAddress {
  street1: string;
  /** The lines of `AddressStreet` after the first (F&O keeps a multi-line street in one field). */
  street2: string;
  city: string;
  /** As D365 holds it: a US/CA state is its two-letter code, what Shopify's `provinceCode` takes. */
  state: string;
  postalCode: string;
  countryAlpha2: string;
}

/** The record's primary address fields, trimmed; undefined when the record carries none of them. */
export function primaryAddressFieldsOf(record: Record<string, unknown>): PrimaryAddressFields | undefined {
  if (!PRIMARY_ADDRESS_SOURCES.some((source) => typeof record[source] === 'string')) return undefined;
  const fields = {} as PrimaryAddressFields;
  for (const source of PRIMARY_ADDRESS_SOURCES) {
    const value = record[source];
    fields[source] = typeof value === 'string' ? value.trim() : '';
  }
  return fields;
}

/** One string for the whole address (stamped, digested, kept in the in-flight changes). */
export const encodePrimaryAddress = (fields: PrimaryAddressFields): string =>
  JSON.stringify(PRIMARY_ADDRESS_SOURCES.map((source) => fields[source]));

export function decodePrimaryAddress(value: string): PrimaryAddressFields | undefined {
  try {
    const parts = JSON.parse(value) as unknown;
    if (!Array.isArray(parts) || parts.length !== PRIMARY_ADDRESS_SOURCES.length) return undefined;
    if (!parts.every((part) => typeof part === 'string')) return undefined;
    return Object.fromEntries(
      PRIMARY_ADDRESS_SOURCES.map((source, index) => [source, parts[index] as string]),
    ) as PrimaryAddressFields;
  } catch {
    return undefined;
  }
}

/**
 * The shop's form of the address, or undefined when a shop could not take it: no street, no city,
 * or a country that is not an ISO alpha-3 code (both shops require a valid country).
 */
export function toShopAddress(fields: PrimaryAddressFields): ShopPrimaryAddress | undefined {
  const countryAlpha2 = ALPHA3_TO_ALPHA2.get(fields.AddressCountryRegionId.toUpperCase());
  const [street1 = '', ...rest] = fields.AddressStreet.split(/\r?\n/).map((line) => line.trim());
  if (!countryAlpha2 || street1 === '' || fields.AddressCity === '') return undefined;
  return {
    street1,
    street2: rest.filter((line) => line !== '').join(', '),
    city: fields.AddressCity,
    state: fields.AddressState,
    postalCode: fields.AddressZipCode,
    countryAlpha2,
  };
}
