import {
  completeEntity,
  CustomerEntity,
  defaultCurrency,
  defaultLanguage,
  ENTITY_FIELD_NAMES,
  ENTITY_FIELDS,
  ENTITY_SET,
  ENTITY_TYPE,
  EntityFieldType,
} from './customer-entity';
import { CustomerRecord } from './customers-store';
import { odataError, odataWriteFailed } from './d365-errors';
import {
  checkCountry,
  checkCurrency,
  checkCustomerGroup,
  checkEmail,
  companyExists,
  companyMissingMessage,
} from './d365-validation';
import { answerCommitted, isPlainObject, parseJson, RequestContext, sendEmpty, sendJson } from './http';
import { FilterExpression, matchesFilter, ODataQueryError, parseFilter } from './odata-filter';
import { EmulatorState } from './state';

/**
 * Emulated F&O OData endpoint `/data` with the standard `CustomersV3` entity: create (POST), query
 * (GET with `$filter`, `$select`, `$top`, `$skip`, `$orderby`, `$count`, `cross-company`) and read by key.
 * Without `cross-company=true` only the default company is visible, as for an F&O user.
 */
const ODATA_HEADERS = { 'OData-Version': '4.0' };
const QUERY_INVALID = 'The query specified in the URI is not valid.';
const SUPPORTED_OPTIONS = new Set(['$filter', '$select', '$top', '$skip', '$orderby', '$count', '$format']);

function etag(record: CustomerRecord): string {
  return `W/"${Buffer.from(`1,${record.recId}`).toString('base64')}"`;
}

function keyPath(origin: string, record: CustomerRecord): string {
  const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`;
  return `${origin}/data/${ENTITY_SET}(dataAreaId=${quote(record.legalEntity.toLowerCase())},CustomerAccount=${quote(record.account)})`;
}

function sendODataError(ctx: RequestContext, status: number, body: unknown): void {
  sendJson(ctx.res, status, body, ODATA_HEADERS);
}

export function handleOData(state: EmulatorState, ctx: RequestContext): void {
  const path = ctx.url.pathname.replace(/^\/data\/?/, '');
  if (path === '') {
    if (ctx.method !== 'GET') {
      sendEmpty(ctx.res, 405, { Allow: 'GET' });
      return;
    }
    sendJson(
      ctx.res,
      200,
      {
        '@odata.context': `${ctx.origin}/data/$metadata`,
        value: [{ name: ENTITY_SET, kind: 'EntitySet', url: ENTITY_SET }],
      },
      ODATA_HEADERS,
    );
    return;
  }
  const segment = decodeURIComponent(path);
  const match = /^([A-Za-z0-9_]+)(?:\((.*)\))?$/.exec(segment);
  if (!match || match[1] !== ENTITY_SET) {
    sendODataError(
      ctx,
      404,
      odataError(
        `No HTTP resource was found that matches the request URI '${ctx.origin}${ctx.url.pathname}'.`,
      ),
    );
    return;
  }
  const keyText = match[2];
  if (keyText !== undefined) {
    if (ctx.method !== 'GET') {
      sendODataError(
        ctx,
        405,
        odataError(`The emulator supports only GET on a single ${ENTITY_SET} entity.`),
      );
      return;
    }
    readByKey(state, ctx, keyText);
    return;
  }
  if (ctx.method === 'POST') createCustomer(state, ctx);
  else if (ctx.method === 'GET') query(state, ctx);
  else
    sendODataError(
      ctx,
      405,
      odataError(`The HTTP method '${ctx.method}' is not supported on ${ENTITY_SET}.`),
    );
}

const crossCompany = (url: URL): boolean =>
  (url.searchParams.get('cross-company') ?? '').toLowerCase() === 'true';

function visible(state: EmulatorState, url: URL): CustomerRecord[] {
  const all = state.customers.all();
  return crossCompany(url) ? all : all.filter((c) => c.legalEntity === state.options.defaultLegalEntity);
}

function representation(record: CustomerRecord, select?: string[]): Record<string, unknown> {
  const fields = select ?? ENTITY_FIELD_NAMES;
  const result: Record<string, unknown> = { '@odata.etag': etag(record) };
  for (const field of fields) result[field] = record.fields[field];
  return result;
}

function parseKey(text: string): Record<string, string> | undefined {
  const key: Record<string, string> = {};
  const pattern = /\s*([A-Za-z_]+)\s*=\s*'((?:[^']|'')*)'\s*(,|$)/y;
  let index = 0;
  while (index < text.length) {
    pattern.lastIndex = index;
    const m = pattern.exec(text);
    if (!m) return undefined;
    key[m[1] ?? ''] = (m[2] ?? '').replace(/''/g, "'");
    index = pattern.lastIndex;
  }
  return key;
}

function readByKey(state: EmulatorState, ctx: RequestContext, keyText: string): void {
  const key = parseKey(keyText);
  if (
    !key ||
    key.dataAreaId === undefined ||
    key.CustomerAccount === undefined ||
    Object.keys(key).length !== 2
  ) {
    sendODataError(
      ctx,
      400,
      odataError(
        `The number of keys specified in the URI does not match number of key properties for the resource '${ENTITY_TYPE}'.`,
      ),
    );
    return;
  }
  const record = visible(state, ctx.url).find(
    (c) =>
      c.legalEntity.toLowerCase() === key.dataAreaId?.toLowerCase() &&
      c.account.toLowerCase() === key.CustomerAccount?.toLowerCase(),
  );
  if (!record) {
    sendODataError(ctx, 404, odataError(`Resource not found for the segment '${ENTITY_SET}'.`));
    return;
  }
  sendJson(
    ctx.res,
    200,
    { '@odata.context': `${ctx.origin}/data/$metadata#${ENTITY_SET}/$entity`, ...representation(record) },
    { ...ODATA_HEADERS, ETag: etag(record) },
  );
}

function parseSelect(value: string | null): string[] | undefined {
  if (value === null) return undefined;
  const fields = value.split(',').map((f) => f.trim());
  if (fields.includes('*')) return undefined;
  for (const field of fields) {
    if (!(field in ENTITY_FIELDS))
      throw new ODataQueryError(`Could not find a property named '${field}' on type '${ENTITY_TYPE}'.`);
  }
  return fields;
}

function parseCount(name: string, value: string | null): number | undefined {
  if (value === null) return undefined;
  if (!/^\d+$/.test(value.trim())) {
    throw new ODataQueryError(
      `Invalid value '${value}' for ${name} query option found. The ${name} query option requires a non-negative integer value.`,
    );
  }
  return Number(value.trim());
}

function parseOrderBy(value: string | null): { field: string; descending: boolean }[] {
  if (value === null)
    return [
      { field: 'dataAreaId', descending: false },
      { field: 'CustomerAccount', descending: false },
    ];
  return value.split(',').map((part) => {
    const [field = '', direction = 'asc', ...rest] = part.trim().split(/\s+/);
    if (!(field in ENTITY_FIELDS))
      throw new ODataQueryError(`Could not find a property named '${field}' on type '${ENTITY_TYPE}'.`);
    if (rest.length > 0 || !['asc', 'desc'].includes(direction))
      throw new ODataQueryError(`Syntax error in $orderby '${value}'.`);
    return { field, descending: direction === 'desc' };
  });
}

function query(state: EmulatorState, ctx: RequestContext): void {
  const params = ctx.url.searchParams;
  let filter: FilterExpression | undefined;
  let select: string[] | undefined;
  let top: number | undefined;
  let skip: number | undefined;
  let orderBy: { field: string; descending: boolean }[];
  try {
    for (const name of params.keys()) {
      if (name.startsWith('$') && !SUPPORTED_OPTIONS.has(name)) {
        throw new ODataQueryError(`The query parameter '${name}' is not supported.`);
      }
    }
    const filterText = params.get('$filter');
    filter = filterText === null ? undefined : parseFilter(filterText);
    select = parseSelect(params.get('$select'));
    top = parseCount('$top', params.get('$top'));
    skip = parseCount('$skip', params.get('$skip'));
    orderBy = parseOrderBy(params.get('$orderby'));
  } catch (error) {
    if (!(error instanceof ODataQueryError)) throw error;
    sendODataError(ctx, 400, odataError(`${QUERY_INVALID} ${error.message}`));
    return;
  }
  const matching = visible(state, ctx.url).filter((c) => !filter || matchesFilter(c.fields, filter));
  matching.sort((a, b) => {
    for (const { field, descending } of orderBy) {
      const x = a.fields[field] ?? '';
      const y = b.fields[field] ?? '';
      const order =
        typeof x === 'number' && typeof y === 'number'
          ? x - y
          : String(x).toLowerCase().localeCompare(String(y).toLowerCase());
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  });
  const page = matching.slice(skip ?? 0, top === undefined ? undefined : (skip ?? 0) + top);
  const context = `${ctx.origin}/data/$metadata#${ENTITY_SET}${select ? `(${select.join(',')})` : ''}`;
  sendJson(
    ctx.res,
    200,
    {
      '@odata.context': context,
      ...((params.get('$count') ?? '').toLowerCase() === 'true' ? { '@odata.count': matching.length } : {}),
      value: page.map((record) => representation(record, select)),
    },
    ODATA_HEADERS,
  );
}

/** Checks the JSON types of a posted entity as the OData deserializer does (400 before any business rule). */
function deserializeEntity(
  body: Record<string, unknown>,
): { ok: true; entity: CustomerEntity } | { ok: false; message: string } {
  const entity: CustomerEntity = {};
  for (const [name, value] of Object.entries(body)) {
    if (name.startsWith('@odata.') || name.includes('@')) continue;
    const type = ENTITY_FIELDS[name] as EntityFieldType | undefined;
    if (type === undefined) {
      return {
        ok: false,
        message: `The property '${name}' does not exist on type '${ENTITY_TYPE}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
      };
    }
    if (type === 'string') {
      if (value === null) continue;
      if (typeof value !== 'string') {
        return {
          ok: false,
          message: `Cannot convert a primitive value to the expected type 'Edm.String'. See the inner exception for more details.`,
        };
      }
      entity[name] = value;
    } else if (type === 'decimal') {
      if (typeof value !== 'number') {
        return {
          ok: false,
          message: `Cannot convert the literal '${String(value)}' to the expected type 'Edm.Decimal'.`,
        };
      }
      entity[name] = value;
    } else {
      const member =
        typeof value === 'string'
          ? type.values.find((v) => v.toLowerCase() === value.toLowerCase())
          : undefined;
      if (value === null) {
        return {
          ok: false,
          message: `A null value was found for the property named '${name}', which has the expected type '${type.enum}[Nullable=False]'. The expected type '${type.enum}[Nullable=False]' does not allow null values.`,
        };
      }
      if (member === undefined) {
        return {
          ok: false,
          message: `The value '${String(value)}' is not valid for the enum type '${type.enum}'.`,
        };
      }
      entity[name] = member;
    }
  }
  return { ok: true, entity };
}

function createCustomer(state: EmulatorState, ctx: RequestContext): void {
  const parsed = parseJson(ctx.body);
  if (!parsed.ok || !isPlainObject(parsed.value)) {
    sendODataError(
      ctx,
      400,
      odataError('An error has occurred.', {
        message: `The request body is not a valid JSON object: ${parsed.ok ? 'not an object' : parsed.error}`,
        type: 'Microsoft.OData.ODataException',
      }),
    );
    return;
  }
  const deserialized = deserializeEntity(parsed.value);
  if (!deserialized.ok) {
    sendODataError(
      ctx,
      400,
      odataError('An error has occurred.', {
        message: deserialized.message,
        type: 'Microsoft.OData.ODataException',
      }),
    );
    return;
  }
  const input = deserialized.entity;
  const requestedCompany = String(input.dataAreaId ?? state.options.defaultLegalEntity);
  const legalEntity = requestedCompany.trim().toUpperCase();
  if (!companyExists(state.options, legalEntity)) {
    sendODataError(ctx, 400, odataWriteFailed([`Error: ${companyMissingMessage(requestedCompany)}`]));
    return;
  }
  const requestedAccount = String(input.CustomerAccount ?? '').trim();
  const warnings = [
    ...checkCustomerGroup(state.options, String(input.CustomerGroupId ?? '')),
    ...checkCurrency(String(input.SalesCurrencyCode ?? '')),
    ...checkEmail(String(input.PrimaryContactEmail ?? '')),
    ...(input.AddressCountryRegionId !== undefined ? checkCountry(String(input.AddressCountryRegionId)) : []),
  ];
  if (warnings.length > 0) {
    sendODataError(
      ctx,
      400,
      odataWriteFailed([
        ...warnings.map((w) => `Warning: ${w}`),
        'Error: Error found when validating record.',
      ]),
    );
    return;
  }
  if (requestedAccount !== '' && state.customers.find(legalEntity, requestedAccount)) {
    sendODataError(
      ctx,
      400,
      odataWriteFailed([
        `Error: Cannot create a record in Customers (CustTable). Customer account: ${requestedAccount}. The record already exists.`,
      ]),
    );
    return;
  }
  const account = requestedAccount || state.customers.nextAccount(legalEntity);
  const partyType = String(input.PartyType ?? (input.OrganizationName ? 'Organization' : 'Person'));
  const fields = completeEntity({
    ...input,
    dataAreaId: legalEntity.toLowerCase(),
    CustomerAccount: account,
    PartyType: partyType,
    PartyNumber: state.customers.nextPartyNumber(),
    CustomerGroupId: String(input.CustomerGroupId).trim(),
    SalesCurrencyCode: String(input.SalesCurrencyCode || defaultCurrency(legalEntity)).toUpperCase(),
    LanguageId: String(input.LanguageId || defaultLanguage(legalEntity)),
    NameAlias:
      String(input.NameAlias ?? '') ||
      String(input.OrganizationName ?? '') ||
      [input.PersonFirstName, input.PersonMiddleName, input.PersonLastName].filter(Boolean).join(' '),
  });
  const record = state.customers.add({ account, legalEntity, via: 'odata', fields });
  state.stats.customersCreated += 1;
  const location = keyPath(ctx.origin, record);
  const headers = { ...ODATA_HEADERS, Location: location, ETag: etag(record) };
  answerCommitted(ctx, () => {
    if (/return=minimal/i.test(String(ctx.req.headers.prefer ?? ''))) {
      sendEmpty(ctx.res, 204, {
        ...headers,
        'OData-EntityId': location,
        'Preference-Applied': 'return=minimal',
      });
      return;
    }
    sendJson(
      ctx.res,
      201,
      { '@odata.context': `${ctx.origin}/data/$metadata#${ENTITY_SET}/$entity`, ...representation(record) },
      headers,
    );
  });
}
