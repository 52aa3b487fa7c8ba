import { ENTITY_FIELDS, ENTITY_SET, ENTITY_TYPE } from './customer-entity';
import { odataError } from './d365-errors';
import { createCustomer } from './d365-odata-create';
import { resolveKey, visible } from './d365-odata-key';
import { updateCustomer } from './d365-odata-update';
import { etag, ODATA_HEADERS, representation, sendODataError } from './d365-odata-entity';
import { RequestContext, sendEmpty, sendJson } from './http';
import { FilterExpression, ODataQueryError, parseFilter } from './odata-filter';
import { matchesFilter } from './odata-filter-match';
import { EmulatorState } from './state';
import { handlePostalAddresses, POSTAL_ENTITY_SET } from './d365-odata-postal-addresses';
import { CONTACT_ENTITY_SET, handleContactPersons } from './d365-odata-contact-persons';
import { handleReferenceSet, isReferenceSet, REFERENCE_ENTITY_SETS } from './d365-odata-reference';

/**
 * Emulated F&O OData endpoint `/data` with the standard `CustomersV3` entity: create (POST), query
 * (GET with `$filter`, `$select`, `$top`, `$skip`, `$orderby`, `$count`, `cross-company`), read by key
 * and update by key (PATCH, d365-odata-update.ts).
 * Without `cross-company=true` only the default company is visible, as for an F&O user.
 */
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
        value: [
          { name: ENTITY_SET, kind: 'EntitySet', url: ENTITY_SET },
          { name: POSTAL_ENTITY_SET, kind: 'EntitySet', url: POSTAL_ENTITY_SET },
          { name: CONTACT_ENTITY_SET, kind: 'EntitySet', url: CONTACT_ENTITY_SET },
          ...REFERENCE_ENTITY_SETS.map((name) => ({ name, kind: 'EntitySet', url: name })),
        ],
      },
      ODATA_HEADERS,
    );
    return;
  }
  const segment = decodeURIComponent(path);
  const match = /^([A-Za-z0-9_]+)(?:\((.*)\))?$/.exec(segment);
  if (match?.[1] === POSTAL_ENTITY_SET) {
    handlePostalAddresses(state, ctx, match[2] !== undefined);
    return;
  }
  if (match?.[1] === CONTACT_ENTITY_SET) {
    handleContactPersons(state, ctx, match[2] !== undefined);
    return;
  }
  if (match && match[2] === undefined && isReferenceSet(match[1])) {
    handleReferenceSet(state, ctx, match[1]!);
    return;
  }
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
    if (ctx.method === 'PATCH') updateCustomer(state, ctx, keyText);
    else if (ctx.method === 'GET') readByKey(state, ctx, keyText);
    else
      sendODataError(
        ctx,
        405,
        odataError(`The emulator supports only GET and PATCH on a single ${ENTITY_SET} entity.`),
      );
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

const QUERY_INVALID = 'The query specified in the URI is not valid.';
const SUPPORTED_OPTIONS = new Set([
  '$filter',
  '$select',
  '$top',
  '$skip',
  '$orderby',
  '$count',
  '$format',
  '$expand',
]);

/**
 * `$expand` (first level, OData 4.01 §5.1.3): a comma list of navigation properties. The emulator's
 * `CustomersV3` models none (the app needs only the entity's own fields: lookups read
 * `CustomerAccount` and `PrimaryContactEmail`), so every name is refused as F&O's OData library
 * refuses a name the entity type does not have: 400 "Could not find a property named …".
 */
function checkExpand(value: string | null): void {
  if (value === null) return;
  for (const part of value.split(',')) {
    const name = part.trim().replace(/\(.*\)$/s, '');
    if (name === '' || name === '*')
      throw new ODataQueryError(`Syntax error at position 0 in '${value}'.`, '$expand');
    throw new ODataQueryError(
      `Could not find a property named '${name}' on type '${ENTITY_TYPE}'.`,
      '$expand',
    );
  }
}

/**
 * Server-driven paging (OData 4.01 Protocol §11.2.6.7; F&O pages at 10,000 entities): the link to the
 * rest of a result, `$skip` and `$top` rewritten and every other option kept as the client sent it.
 * Clients must treat it as opaque.
 */
export function nextLink(ctx: RequestContext, skip: number, top: number | undefined): string {
  const kept = ctx.url.search
    .replace(/^\?/, '')
    .split('&')
    .filter((part) => {
      const name = decodeURIComponent(part.split('=')[0] ?? '');
      return part !== '' && name !== '$skip' && name !== '$top';
    });
  const paging = [`$skip=${skip}`, ...(top === undefined ? [] : [`$top=${top}`])];
  return `${ctx.origin}${ctx.url.pathname}?${[...kept, ...paging].join('&')}`;
}

function readByKey(state: EmulatorState, ctx: RequestContext, keyText: string): void {
  const record = resolveKey(state, ctx, keyText);
  if (!record) return;
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
      throw new ODataQueryError(
        `Could not find a property named '${field}' on type '${ENTITY_TYPE}'.`,
        '$select',
      );
  }
  return fields;
}

function parseCount(name: string, value: string | null): number | undefined {
  if (value === null) return undefined;
  if (!/^\d+$/.test(value.trim())) {
    throw new ODataQueryError(
      `Invalid value '${value}' for ${name} query option found. The ${name} query option requires a non-negative integer value.`,
      name,
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
      throw new ODataQueryError(
        `Could not find a property named '${field}' on type '${ENTITY_TYPE}'.`,
        '$orderby',
      );
    if (rest.length > 0 || !['asc', 'desc'].includes(direction))
      throw new ODataQueryError(`Syntax error in $orderby '${value}'.`, '$orderby');
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
        throw new ODataQueryError(`The query parameter '${name}' is not supported.`, name);
      }
    }
    const filterText = params.get('$filter');
    filter = filterText === null ? undefined : parseFilter(filterText);
    select = parseSelect(params.get('$select'));
    top = parseCount('$top', params.get('$top'));
    skip = parseCount('$skip', params.get('$skip'));
    orderBy = parseOrderBy(params.get('$orderby'));
    checkExpand(params.get('$expand'));
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
  const start = skip ?? 0;
  const end = top === undefined ? matching.length : Math.min(matching.length, start + top);
  const pageEnd = Math.min(end, start + state.settings.pageSize);
  const page = matching.slice(start, pageEnd);
  const more = pageEnd < end;
  const context = `${ctx.origin}/data/$metadata#${ENTITY_SET}${select ? `(${select.join(',')})` : ''}`;
  sendJson(
    ctx.res,
    200,
    {
      '@odata.context': context,
      ...((params.get('$count') ?? '').toLowerCase() === 'true' ? { '@odata.count': matching.length } : {}),
      value: page.map((record) => representation(record, select)),
      ...(more && {
        '@odata.nextLink': nextLink(ctx, pageEnd, top === undefined ? undefined : end - pageEnd),
      }),
    },
    ODATA_HEADERS,
  );
}
