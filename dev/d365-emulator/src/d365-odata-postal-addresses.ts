import { checkPostalAddress } from './address-reference';
import { EntityFieldType } from './customer-entity';
import { odataError } from './d365-errors';
import { sendODataError } from './d365-odata-entity';
import { checkLocationRoles } from './location-roles';
import { companyExists, mustBeFilledIn, notInRelatedTable } from './d365-validation';
import { RequestContext } from './http';
import { answerEntityQuery } from './odata-entity-query';
import {
  answerCreated,
  readEntityBody,
  representFields,
  validationFailed,
  writeFailed,
} from './odata-entity-write';
import { canonicalRoles, PostalAddressRecord } from './postal-addresses-store';
import { EmulatorState } from './state';

/**
 * F&O's `CustomerPostalAddresses` entity (CDM `CustomerPostalAddressEntity`,
 * schemaDocuments/core/operationsCommon/Entities/Finance/AccountsReceivable/CustomerPostalAddressEntity.cdm.json;
 * Microsoft Learn, Common Data Model, "Customer postal addresses in AccountsReceivable"): a customer's
 * postal addresses, one row per party location. POST adds one to an existing customer; GET lists them
 * with `$filter`, `$select`, `$top`, `cross-company` (README "Customer postal addresses").
 */
export const POSTAL_ENTITY_SET = 'CustomerPostalAddresses';
export const POSTAL_ENTITY_TYPE = 'Microsoft.Dynamics.DataEntities.CustomerPostalAddress';

const noYes: EntityFieldType = { enum: 'Microsoft.Dynamics.DataEntities.NoYes', values: ['No', 'Yes'] };
const YES_NO_FIELDS = [
  'IsLocationOwner',
  'IsPostalAddress',
  'IsPrimary',
  'IsPrimaryTaxRegistration',
  'IsPrivate',
  'IsPrivatePostalAddress',
  'IsRoleBusiness',
  'IsRoleDelivery',
  'IsRoleHome',
  'IsRoleInvoice',
] as const;
const STRING_FIELDS = [
  'dataAreaId',
  'CustomerAccountNumber',
  'CustomerLegalEntityId',
  'FormattedAddress',
  'AttentionToAddressLine',
  'BuildingCompliment',
  'AddressApartment',
  'AddressBuilding',
  'AddressCity',
  'AddressCityInKana',
  'AddressCountryRegionId',
  'AddressCountryRegionISOCode',
  'AddressCountyId',
  'AddressDescription',
  'AddressDistrictName',
  'AddressLocationId',
  'AddressPostBox',
  'AddressState',
  'AddressStreet',
  'AddressStreetInKana',
  'AddressStreetNumber',
  'AddressTimeZone',
  'AddressZipCode',
  'AddressLocationRoles',
  'DunsNumber',
  'Effective',
  'Expiration',
  'AddressDefaultRoles',
] as const;

/** Every CDM attribute of the entity, with the OData types its `$metadata` gives (NoYes enums, decimals). */
export const POSTAL_FIELDS: Record<string, EntityFieldType> = {
  ...Object.fromEntries(STRING_FIELDS.map((name) => [name, 'string' as const])),
  ...Object.fromEntries(YES_NO_FIELDS.map((name) => [name, noYes])),
  AddressLatitude: 'decimal',
  AddressLongitude: 'decimal',
};

/** Role flags of the entity and the LogisticsLocationRole each stands for. */
const ROLE_FLAGS = {
  IsRoleBusiness: 'Business',
  IsRoleDelivery: 'Delivery',
  IsRoleHome: 'Home',
  IsRoleInvoice: 'Invoice',
};

const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`;

function keyPath(origin: string, r: PostalAddressRecord): string {
  const le = quote(r.legalEntity.toLowerCase());
  return `${origin}/data/${POSTAL_ENTITY_SET}(dataAreaId=${le},CustomerAccountNumber=${quote(r.account)},CustomerLegalEntityId=${le},AddressLocationId=${quote(r.locationId)},Effective=${r.effective})`;
}

/** The entity as F&O returns it (every field; blank ones empty, flags No). */
export function postalRepresentation(r: PostalAddressRecord, select?: string[]): Record<string, unknown> {
  const roles = new Set(r.roles);
  const all: Record<string, unknown> = {
    dataAreaId: r.legalEntity.toLowerCase(),
    CustomerAccountNumber: r.account,
    CustomerLegalEntityId: r.legalEntity.toLowerCase(),
    AddressLocationId: r.locationId,
    Effective: r.effective,
    Expiration: r.expiration,
    AddressDescription: r.description,
    AddressStreet: r.street,
    AddressCity: r.city,
    AddressState: r.state,
    AddressZipCode: r.zipCode,
    AddressCountryRegionId: r.countryRegionId,
    AddressLocationRoles: r.roles.join(';'),
    FormattedAddress: [r.street, `${r.city}, ${r.state} ${r.zipCode}`.trim(), r.countryRegionId]
      .filter((line) => line !== '' && line !== ',')
      .join('\n'),
    IsPrimary: r.isPrimary ? 'Yes' : 'No',
    IsPostalAddress: 'Yes',
    IsLocationOwner: 'Yes',
    ...Object.fromEntries(
      Object.entries(ROLE_FLAGS).map(([flag, role]) => [flag, roles.has(role) ? 'Yes' : 'No']),
    ),
  };
  return representFields(all, POSTAL_FIELDS, select);
}

const TABLE = 'CustomerPostalAddressEntity';

/** `/data/CustomerPostalAddresses`: POST (create) and GET (query); nothing else by key in the emulator. */
export function handlePostalAddresses(state: EmulatorState, ctx: RequestContext, keyed: boolean): void {
  if (keyed) {
    sendODataError(
      ctx,
      405,
      odataError(`The emulator supports only POST and GET of the ${POSTAL_ENTITY_SET} entity set.`),
    );
    return;
  }
  if (ctx.method === 'POST') createPostalAddress(state, ctx);
  else if (ctx.method === 'GET')
    answerEntityQuery(ctx, {
      entitySet: POSTAL_ENTITY_SET,
      entityType: POSTAL_ENTITY_TYPE,
      fields: POSTAL_FIELDS,
      pageSize: state.settings.pageSize,
      // Without cross-company=true only the user's default company's rows are visible (as for CustomersV3).
      rows: (crossCompany) =>
        state.postalAddresses
          .all()
          .filter((r) => crossCompany || r.legalEntity === state.options.defaultLegalEntity)
          .map((r) => (select?: string[]) => postalRepresentation(r, select)),
    });
  else
    sendODataError(
      ctx,
      405,
      odataError(`The HTTP method '${ctx.method}' is not supported on ${POSTAL_ENTITY_SET}.`),
    );
}

function createPostalAddress(state: EmulatorState, ctx: RequestContext): void {
  const input = readEntityBody(ctx, POSTAL_FIELDS, POSTAL_ENTITY_TYPE);
  if (!input) return;
  const text = (name: string): string => String(input[name] ?? '').trim();
  // The customer's company: CustomerLegalEntityId, else the row's dataAreaId, else the user's default company.
  const legalEntity = (
    text('CustomerLegalEntityId') ||
    text('dataAreaId') ||
    state.options.defaultLegalEntity
  ).toUpperCase();
  const account = text('CustomerAccountNumber');
  if (!companyExists(state.options, legalEntity)) {
    sendODataError(ctx, 400, writeFailed(TABLE, [`Error: Company '${legalEntity}' does not exist.`]));
    return;
  }
  const roleNames = [
    ...canonicalRoles(text('AddressLocationRoles')),
    ...Object.entries(ROLE_FLAGS)
      .filter(([flag]) => input[flag] === 'Yes')
      .map(([, role]) => role),
  ];
  const warnings = [
    ...(account === '' ? [mustBeFilledIn('Customer account')] : []),
    ...(account !== '' && !state.customers.find(legalEntity, account)
      ? [notInRelatedTable(account, 'Customer account', 'Customers')]
      : []),
    ...checkLocationRoles(text('AddressLocationRoles') || undefined),
    ...checkPostalAddress(state.settings.addressReference, {
      country: text('AddressCountryRegionId'),
      state: text('AddressState') || undefined,
      zip: text('AddressZipCode') || undefined,
    }),
  ];
  if (warnings.length > 0) {
    sendODataError(ctx, 400, validationFailed(TABLE, warnings));
    return;
  }
  const pending = {
    legalEntity,
    account: state.customers.find(legalEntity, account)!.account,
    description: text('AddressDescription'),
    street: text('AddressStreet'),
    city: text('AddressCity'),
    state: text('AddressState'),
    zipCode: text('AddressZipCode'),
    countryRegionId: text('AddressCountryRegionId').toUpperCase(),
    roles: [...new Set(roleNames)],
    isPrimary: input.IsPrimary === 'Yes',
    via: 'postalAddresses' as const,
  };
  answerCreated<PostalAddressRecord>(ctx, {
    entitySet: POSTAL_ENTITY_SET,
    preview: {
      ...pending,
      locationId: '',
      effective: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      expiration: '',
    },
    commit: () => {
      const added = state.postalAddresses.add(pending);
      state.stats.postalAddressesCreated += 1;
      return added;
    },
    represent: (row) => postalRepresentation(row),
    location: (row) => keyPath(ctx.origin, row),
  });
}
