// Over 300 lines: the entity's CDM field list, its deserializer, POST and GET in one place (CustomersV3 splits them over four files).
import { checkPostalAddress } from './address-reference';
import { EntityFieldType } from './customer-entity';
import { odataError, ODATA_WRITE_EXCEPTION } from './d365-errors';
import { deserializeODataEntity } from './d365-odata-create';
import { nextLink } from './d365-odata';
import { crossCompany } from './d365-odata-key';
import { ODATA_HEADERS, sendODataError } from './d365-odata-entity';
import { checkLocationRoles } from './location-roles';
import { companyExists, mustBeFilledIn, notInRelatedTable } from './d365-validation';
import { answerCommitted, isPlainObject, parseJson, RequestContext, sendJson } from './http';
import { FilterExpression, ODataQueryError, parseFilter } from './odata-filter';
import { matchesFilter } from './odata-filter-match';
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
  const names = select ?? Object.keys(POSTAL_FIELDS);
  const result: Record<string, unknown> = {};
  for (const name of names) {
    const type = POSTAL_FIELDS[name];
    result[name] = all[name] ?? (type === 'decimal' ? 0 : typeof type === 'object' ? 'No' : '');
  }
  return result;
}

/** A failed write on the entity, in F&O's shape (as CustomersV3's, d365-errors.ts). */
function writeFailed(infolog: string[]): ReturnType<typeof odataError> {
  return odataError('An error has occurred.', {
    message: `Write failed for table row of type 'CustomerPostalAddressEntity'. Infolog: ${infolog.join('; ')}`,
    type: ODATA_WRITE_EXCEPTION,
  });
}

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
  else if (ctx.method === 'GET') queryPostalAddresses(state, ctx);
  else
    sendODataError(
      ctx,
      405,
      odataError(`The HTTP method '${ctx.method}' is not supported on ${POSTAL_ENTITY_SET}.`),
    );
}

function createPostalAddress(state: EmulatorState, ctx: RequestContext): void {
  const parsed = parseJson(ctx.body);
  const body = parsed.ok && isPlainObject(parsed.value) ? parsed.value : undefined;
  const read = body
    ? deserializeODataEntity(body, POSTAL_FIELDS, POSTAL_ENTITY_TYPE)
    : { ok: false as const, message: 'The request body is not a valid JSON object.' };
  if (!read.ok) {
    sendODataError(
      ctx,
      400,
      odataError('An error has occurred.', { message: read.message, type: 'Microsoft.OData.ODataException' }),
    );
    return;
  }
  const input = read.entity;
  const text = (name: string): string => String(input[name] ?? '').trim();
  // The customer's company: CustomerLegalEntityId, else the row's dataAreaId, else the user's default company.
  const legalEntity = (
    text('CustomerLegalEntityId') ||
    text('dataAreaId') ||
    state.options.defaultLegalEntity
  ).toUpperCase();
  const account = text('CustomerAccountNumber');
  if (!companyExists(state.options, legalEntity)) {
    sendODataError(ctx, 400, writeFailed([`Error: Company '${legalEntity}' does not exist.`]));
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
    sendODataError(
      ctx,
      400,
      writeFailed([...warnings.map((w) => `Warning: ${w}`), 'Error: Error found when validating record.']),
    );
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
  let record: PostalAddressRecord | undefined;
  const preview: PostalAddressRecord = {
    ...pending,
    locationId: '',
    effective: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    expiration: '',
  };
  answerCommitted(
    ctx,
    () => {
      const shown = record ?? preview;
      sendJson(
        ctx.res,
        201,
        {
          '@odata.context': `${ctx.origin}/data/$metadata#${POSTAL_ENTITY_SET}/$entity`,
          ...postalRepresentation(shown),
        },
        { ...ODATA_HEADERS, Location: keyPath(ctx.origin, shown) },
      );
    },
    () => {
      record = state.postalAddresses.add(pending);
      state.stats.postalAddressesCreated += 1;
    },
  );
}

const SUPPORTED = new Set(['$filter', '$select', '$top', '$skip', '$count', '$format']);

function queryPostalAddresses(state: EmulatorState, ctx: RequestContext): void {
  const params = ctx.url.searchParams;
  let filter: FilterExpression | undefined;
  let select: string[] | undefined;
  let top: number | undefined;
  let skip = 0;
  try {
    for (const name of params.keys())
      if (name.startsWith('$') && !SUPPORTED.has(name))
        throw new ODataQueryError(`The query parameter '${name}' is not supported.`, name);
    const filterText = params.get('$filter');
    filter =
      filterText === null
        ? undefined
        : parseFilter(filterText, { fields: POSTAL_FIELDS, type: POSTAL_ENTITY_TYPE });
    const selectText = params.get('$select');
    if (selectText !== null && !selectText.split(',').some((f) => f.trim() === '*')) {
      select = selectText.split(',').map((f) => f.trim());
      for (const field of select)
        if (!(field in POSTAL_FIELDS))
          throw new ODataQueryError(
            `Could not find a property named '${field}' on type '${POSTAL_ENTITY_TYPE}'.`,
            '$select',
          );
    }
    for (const [name, set] of [
      ['$top', (n: number) => (top = n)],
      ['$skip', (n: number) => (skip = n)],
    ] as const) {
      const value = params.get(name);
      if (value === null) continue;
      if (!/^\d+$/.test(value.trim()))
        throw new ODataQueryError(
          `Invalid value '${value}' for ${name} query option found. The ${name} query option requires a non-negative integer value.`,
          name,
        );
      set(Number(value.trim()));
    }
  } catch (error) {
    if (!(error instanceof ODataQueryError)) throw error;
    sendODataError(ctx, 400, odataError(`The query specified in the URI is not valid. ${error.message}`));
    return;
  }
  // Without cross-company=true only the user's default company's rows are visible (as for CustomersV3).
  const rows = state.postalAddresses
    .all()
    .filter((r) => crossCompany(ctx.url) || r.legalEntity === state.options.defaultLegalEntity)
    .map((r) => ({ record: r, fields: postalRepresentation(r) as Record<string, string | number> }))
    .filter((row) => !filter || matchesFilter(row.fields, filter));
  const end = top === undefined ? rows.length : Math.min(rows.length, skip + top);
  const pageEnd = Math.min(end, skip + state.settings.pageSize);
  const page = rows.slice(skip, pageEnd);
  sendJson(
    ctx.res,
    200,
    {
      '@odata.context': `${ctx.origin}/data/$metadata#${POSTAL_ENTITY_SET}${select ? `(${select.join(',')})` : ''}`,
      ...((params.get('$count') ?? '').toLowerCase() === 'true' ? { '@odata.count': rows.length } : {}),
      value: page.map((row) => postalRepresentation(row.record, select)),
      ...(pageEnd < end && {
        '@odata.nextLink': nextLink(ctx, pageEnd, top === undefined ? undefined : end - pageEnd),
      }),
    },
    ODATA_HEADERS,
  );
}
