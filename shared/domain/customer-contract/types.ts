/** The contract's types: the request as normalised, and how a refusal is reported. */
export const GENDERS = ['Unknown', 'Male', 'Female', 'NonSpecific'] as const;
export type Gender = (typeof GENDERS)[number];
export type AddressType = 'Billing' | 'Shipping';
export const PARTY_TYPES = ['Person', 'Organization'] as const;
export type PartyType = (typeof PARTY_TYPES)[number];
export type YesNo = 'Yes' | 'No';

/** One normalised address. Optional fields are absent (never `""` or `null`) when not given. */
export interface CustomerAddress {
  Addresstitle?: string;
  Street: string;
  Addresstype: AddressType;
  PrimaryAddress?: YesNo;
  PostalCode?: string;
  City?: string;
  Country?: string;
  CountryCode: string;
  State?: string;
}

/** The normalised customer: what the CreateCustomer custom service receives. */
export interface NormalisedCustomer {
  /** Upper case, e.g. `USRT`. */
  LegalEntity: string;
  /** `Organization` for a company (issue 32); absent for a person (the default). */
  PartyType?: PartyType;
  /** The organisation's name (required for an `Organization`; D365 `OrganizationName`). */
  OrganizationName?: string;
  /** The organisation's tax/VAT number, upper case, without spaces, dots or dashes (D365 `TaxExemptNumber`). */
  TaxNumber?: string;
  /** A person's first name; an organisation's contact person's. */
  FirstName: string;
  MiddleName?: string;
  LastName?: string;
  /** E.164, e.g. `+923004000101` (a national number is read in the address country). */
  ContactNumber?: string;
  /** Upper case ISO 4217. */
  CurrencyCode: string;
  /**
   * Local part as given, domain lower case (and in its ASCII `xn--` form). Absent for a customer known
   * by its phone only (then `ContactNumber` is present: one of the two always is).
   */
  EmailAddress?: string;
  /** `MM/DD/YYYY`, zero-padded: the form the custom service was written for. */
  DateOfBirth?: string;
  Gender?: Gender;
  /** As given, or the configured default. */
  CustomerGroup: string;
  BillingAddress?: CustomerAddress[];
  ShippingAddress?: CustomerAddress[];
}

export interface CustomerRequest {
  Customer: NormalisedCustomer;
}

/** One problem with a request: an RFC 6901 pointer into the body and a message for a POS developer. */
export interface FieldError {
  pointer: string;
  detail: string;
}

export interface ParseCustomerOptions {
  /** Used when the request has no `CustomerGroup` (F&O requires one). */
  defaultCustomerGroup: string;
  /** The current time, for "DateOfBirth is in the past". Default: the system clock. */
  now?: Date;
}

export type ParseCustomerResult = { ok: true; value: CustomerRequest } | { ok: false; errors: FieldError[] };
