import { CDM_CUSTOMERS_V3_FIELDS } from './customers-v3-fields';

/**
 * The fields of F&O's standard `CustomersV3` entity: every field the Common Data Model lists
 * (customers-v3-fields.ts, ~300), with OData types for the ones the emulator models (the rest are
 * strings to queries, and take any JSON primitive when posted). Every customer is stored in this
 * shape, whichever endpoint created it.
 */
export type EntityFieldType = 'string' | 'decimal' | { enum: string; values: readonly string[] };

export const ENTITY_TYPE = 'Microsoft.Dynamics.DataEntities.Customer';
export const ENTITY_SET = 'CustomersV3';

export const GENDER_VALUES = ['Unknown', 'Male', 'Female', 'NonSpecific'] as const;
const gender: EntityFieldType = { enum: 'Microsoft.Dynamics.DataEntities.Gender', values: GENDER_VALUES };
const partyType: EntityFieldType = {
  enum: 'Microsoft.Dynamics.DataEntities.DirPartyBaseType',
  values: ['None', 'Person', 'Organization'],
};

const MODELED_FIELDS: Record<string, EntityFieldType> = {
  dataAreaId: 'string',
  CustomerAccount: 'string',
  PartyType: partyType,
  PartyNumber: 'string',
  OrganizationName: 'string',
  NameAlias: 'string',
  PersonFirstName: 'string',
  PersonMiddleName: 'string',
  PersonLastName: 'string',
  PersonGender: gender,
  CustomerGroupId: 'string',
  SalesCurrencyCode: 'string',
  LanguageId: 'string',
  CreditLimit: 'decimal',
  PrimaryContactEmail: 'string',
  PrimaryContactPhone: 'string',
  AddressDescription: 'string',
  AddressStreet: 'string',
  AddressCity: 'string',
  AddressState: 'string',
  AddressZipCode: 'string',
  AddressCountryRegionId: 'string',
  AddressLocationRoles: 'string',
  DeliveryAddressDescription: 'string',
  DeliveryAddressStreet: 'string',
  DeliveryAddressCity: 'string',
  DeliveryAddressState: 'string',
  DeliveryAddressZipCode: 'string',
  DeliveryAddressCountryRegionId: 'string',
  InvoiceAddressDescription: 'string',
  InvoiceAddressStreet: 'string',
  InvoiceAddressCity: 'string',
  InvoiceAddressState: 'string',
  InvoiceAddressZipCode: 'string',
  InvoiceAddressCountryRegionId: 'string',
};

export const ENTITY_FIELDS: Record<string, EntityFieldType> = {
  ...MODELED_FIELDS,
  ...Object.fromEntries(
    CDM_CUSTOMERS_V3_FIELDS.filter((name) => !(name in MODELED_FIELDS)).map((name) => [
      name,
      'string' as const,
    ]),
  ),
};

/** True for a field whose OData type the emulator models (others take any JSON primitive). */
export const isModeledField = (name: string): boolean => name in MODELED_FIELDS;

export type CustomerEntity = Record<string, string | number>;

/** Key order as F&O lists them: keys first, then the rest. */
export const ENTITY_FIELD_NAMES = Object.keys(ENTITY_FIELDS);

/** An entity with every known field, blank ones as F&O returns them (empty strings, enum defaults, 0). */
export function completeEntity(values: CustomerEntity): CustomerEntity {
  const entity: CustomerEntity = {};
  for (const [name, type] of Object.entries(ENTITY_FIELDS)) {
    const value = values[name];
    if (value !== undefined) entity[name] = value;
    else if (type === 'decimal') entity[name] = 0;
    else if (typeof type === 'object')
      entity[name] = name === 'PartyType' ? 'Organization' : (type.values[0] ?? '');
    else entity[name] = '';
  }
  return entity;
}

/** The language F&O would default for a company (emulator's choice). */
export function defaultLanguage(legalEntity: string): string {
  if (legalEntity.startsWith('DE')) return 'de';
  if (legalEntity.startsWith('FR')) return 'fr';
  return 'en-us';
}

/** The accounting currency of a company (emulator choice: EUR for DE.. and FR.. companies, otherwise USD). */
export function defaultCurrency(legalEntity: string): string {
  return legalEntity.startsWith('DE') || legalEntity.startsWith('FR') ? 'EUR' : 'USD';
}
