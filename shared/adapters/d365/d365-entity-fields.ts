import type { CustomerAddress } from '../../domain/customer-contract';
import type { AddressShape } from '../../domain/customer-update';

/**
 * What an update needs of the CustomersV3 mapping (d365-payload.ts) besides the mapping itself,
 * now that links keep digests instead of the customer (issue 27): which entity fields each
 * `Customer` member sets, and a list's role-playing address as D365 holds it (for a patch that
 * replaces one address list: the other list's address is read from D365, not from a stored copy).
 */

const ADDRESS_FIELDS = ['Description', 'Street', 'City', 'State', 'ZipCode', 'CountryRegionId'];
const ADDRESS_ENTITY_FIELDS = [
  ...['Address', 'InvoiceAddress', 'DeliveryAddress'].flatMap((prefix) =>
    ADDRESS_FIELDS.map((field) => `${prefix}${field}`),
  ),
  'AddressLocationRoles',
];

/** The CustomersV3 fields each contract member sets (mapToCustomersV3); the address lists set the address fields together. */
export const CUSTOMERS_V3_FIELDS_BY_MEMBER: Readonly<Record<string, readonly string[]>> = {
  LegalEntity: [],
  PartyType: ['PartyType'],
  OrganizationName: ['OrganizationName'],
  TaxNumber: ['TaxExemptNumber'],
  FirstName: ['PersonFirstName'],
  MiddleName: ['PersonMiddleName'],
  LastName: ['PersonLastName'],
  Gender: ['PersonGender'],
  CustomerGroup: ['CustomerGroupId'],
  CurrencyCode: ['SalesCurrencyCode'],
  EmailAddress: ['PrimaryContactEmail'],
  ContactNumber: ['PrimaryContactPhone'],
  // CustomersV3 has no date of birth: an update of it sends nothing (docs/customer-contract.md).
  DateOfBirth: [],
  BillingAddress: ADDRESS_ENTITY_FIELDS,
  ShippingAddress: ADDRESS_ENTITY_FIELDS,
};

/** The entity fields the given members set. */
export function customersV3FieldsOf(members: readonly string[]): string[] {
  return [...new Set(members.flatMap((member) => CUSTOMERS_V3_FIELDS_BY_MEMBER[member] ?? []))];
}

const ROLE_OF = { BillingAddress: 'Invoice', ShippingAddress: 'Delivery' } as const;
const PREFIX_OF = { BillingAddress: 'InvoiceAddress', ShippingAddress: 'DeliveryAddress' } as const;

const textOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

/**
 * The address of `list` that plays its role, as D365 holds it: the primary address (`Address*`)
 * when its `AddressLocationRoles` include the list's role, else the list's own fields
 * (`InvoiceAddress*` / `DeliveryAddress*`); none when D365 holds no street there. `flag` is the
 * `PrimaryAddress` it had when we sent it (the link's shape).
 */
export function addressListFromCustomersV3(
  fields: Record<string, unknown>,
  list: 'BillingAddress' | 'ShippingAddress',
  flag: AddressShape[typeof list],
): CustomerAddress[] {
  if (flag === undefined) return [];
  const roles = String(fields.AddressLocationRoles ?? '').split(';');
  const prefix = roles.includes(ROLE_OF[list]) ? 'Address' : PREFIX_OF[list];
  const street = textOf(fields[`${prefix}Street`]);
  const countryCode = textOf(fields[`${prefix}CountryRegionId`]);
  if (street === undefined || countryCode === undefined) return [];
  const optional = {
    Addresstitle: textOf(fields[`${prefix}Description`]),
    PostalCode: textOf(fields[`${prefix}ZipCode`]),
    City: textOf(fields[`${prefix}City`]),
    State: textOf(fields[`${prefix}State`]),
  };
  const address = {
    Street: street,
    Addresstype: list === 'BillingAddress' ? 'Billing' : 'Shipping',
    PrimaryAddress: flag,
    CountryCode: countryCode,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
  return [address as CustomerAddress];
}

/**
 * Privacy (issue 27), `anonymise`: what replaces a customer's personal fields in D365 (documented in
 * docs/privacy.md). Names become "Erased" / "Customer"; the search name (`NameAlias`, filled from the
 * name when the customer is created) "Erased Customer", written too so that it never keeps the name
 * whether or not F&O refreshes it on a name change (the emulator does not); the e-mail, phone and
 * middle name are emptied, and each address D365 holds keeps only its country: street "Erased", the
 * rest emptied (a country is what F&O's address setup needs; a ZIP or state emptied validates
 * everywhere).
 */
export const ANONYMISED_FIELDS: readonly string[] = [
  'PersonFirstName',
  'PersonMiddleName',
  'PersonLastName',
  'NameAlias',
  'PrimaryContactEmail',
  'PrimaryContactPhone',
  ...['Address', 'InvoiceAddress', 'DeliveryAddress'].flatMap((prefix) =>
    ['Description', 'Street', 'City', 'State', 'ZipCode'].map((field) => `${prefix}${field}`),
  ),
];

export const ANONYMISED_PLACEHOLDERS = {
  firstName: 'Erased',
  lastName: 'Customer',
  street: 'Erased',
} as const;

/** The anonymising values for the fields of a customer D365 holds as `fields`, only those that differ. */
export function anonymiseCustomersV3(fields: Record<string, unknown>): Record<string, unknown> {
  const target: Record<string, unknown> = {
    PersonFirstName: ANONYMISED_PLACEHOLDERS.firstName,
    PersonMiddleName: '',
    PersonLastName: ANONYMISED_PLACEHOLDERS.lastName,
    NameAlias: `${ANONYMISED_PLACEHOLDERS.firstName} ${ANONYMISED_PLACEHOLDERS.lastName}`,
    PrimaryContactEmail: '',
    PrimaryContactPhone: '',
  };
  for (const prefix of ['Address', 'InvoiceAddress', 'DeliveryAddress']) {
    if (textOf(fields[`${prefix}Street`]) === undefined) continue; // no address there
    target[`${prefix}Street`] = ANONYMISED_PLACEHOLDERS.street;
    for (const field of ['Description', 'City', 'State', 'ZipCode']) target[`${prefix}${field}`] = '';
  }
  const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
  return Object.fromEntries(Object.entries(target).filter(([field, value]) => text(fields[field]) !== value));
}
