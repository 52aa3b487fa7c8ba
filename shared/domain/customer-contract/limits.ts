import type { CustomerAddress, NormalisedCustomer } from './types';

/** Maximum lengths after trimming and NFC normalisation, in UTF-16 code units. */
export const FIELD_LIMITS = {
  LegalEntity: 4,
  /** `DirPartyName`, the party's name (an organisation's). */
  OrganizationName: 100,
  /** `VATNum` (CustTable.VATNum, CustomersV3 `TaxExemptNumber`): 20 in F&O. */
  TaxNumber: 20,
  FirstName: 25,
  MiddleName: 25,
  LastName: 25,
  ContactNumber: 16,
  CurrencyCode: 3,
  EmailAddress: 254,
  CustomerGroup: 10,
  Addresstitle: 60,
  Street: 250,
  City: 60,
  PostalCode: 10,
  State: 10,
  Country: 60,
  CountryCode: 3,
} as const;

/** At most this many addresses in each of BillingAddress and ShippingAddress. */
export const MAX_ADDRESSES_PER_LIST = 10;

/** At most this many errors are reported for one request (the rest are summarised in one more entry). */
export const MAX_REPORTED_ERRORS = 50;

/** Earliest accepted date of birth. */
export const EARLIEST_DATE_OF_BIRTH = '1900-01-01';

/**
 * Contract fields that hold personal data, for a redaction layer. Gender is included: it is personal
 * data under the GDPR even though it is an enum.
 */
export const personalFields = [
  'FirstName',
  'MiddleName',
  'LastName',
  'ContactNumber',
  'EmailAddress',
  'DateOfBirth',
  'Gender',
  'Addresstitle',
  'Street',
  'PostalCode',
  'City',
  'State',
] as const;
export type PersonalField = (typeof personalFields)[number];

export const CUSTOMER_FIELDS = [
  'LegalEntity',
  'FirstName',
  'MiddleName',
  'LastName',
  'ContactNumber',
  'CurrencyCode',
  'EmailAddress',
  'DateOfBirth',
  'Gender',
  'CustomerGroup',
  'BillingAddress',
  'ShippingAddress',
  // Issue 32: an organisation (last, so a person's members keep their order).
  'PartyType',
  'OrganizationName',
  'TaxNumber',
] as const satisfies readonly (keyof NormalisedCustomer)[];

export const ADDRESS_FIELDS = [
  'Addresstitle',
  'Street',
  'Addresstype',
  'PrimaryAddress',
  'PostalCode',
  'City',
  'Country',
  'CountryCode',
  'State',
] as const satisfies readonly (keyof CustomerAddress)[];
