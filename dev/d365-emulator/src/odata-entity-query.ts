import { EntityFieldType } from './customer-entity';
import { odataError } from './d365-errors';
import { nextLink } from './d365-odata';
import { crossCompany } from './d365-odata-key';
import { ODATA_HEADERS, sendODataError } from './d365-odata-entity';
import { RequestContext, sendJson } from './http';
import { FilterExpression, ODataQueryError, parseFilter } from './odata-filter';
import { matchesFilter } from './odata-filter-match';

/** One row of an entity set: its representation, all fields or those selected. */
export type EntityRow = (select?: string[]) => Record<string, unknown>;

export interface EntityQuery {
  entitySet: string;
  entityType: string;
  fields: Record<string, EntityFieldType>;
  pageSize: number;
  /** The rows the caller may see: every company's with `cross-company=true`, else the default company's. */
  rows: (crossCompany: boolean) => EntityRow[];
}

const SUPPORTED = new Set(['$filter', '$select', '$top', '$skip', '$count', '$format']);

/** The query options as F&O reads them; throws ODataQueryError for what it would refuse. */
function readOptions(
  params: URLSearchParams,
  query: EntityQuery,
): { filter?: FilterExpression; select?: string[]; top?: number; skip: number } {
  for (const name of params.keys())
    if (name.startsWith('$') && !SUPPORTED.has(name))
      throw new ODataQueryError(`The query parameter '${name}' is not supported.`, name);
  const filterText = params.get('$filter');
  const filter =
    filterText === null
      ? undefined
      : parseFilter(filterText, { fields: query.fields, type: query.entityType });
  let select: string[] | undefined;
  const selectText = params.get('$select');
  if (selectText !== null && !selectText.split(',').some((f) => f.trim() === '*')) {
    select = selectText.split(',').map((f) => f.trim());
    for (const field of select)
      if (!(field in query.fields))
        throw new ODataQueryError(
          `Could not find a property named '${field}' on type '${query.entityType}'.`,
          '$select',
        );
  }
  const count = (name: '$top' | '$skip'): number | undefined => {
    const value = params.get(name);
    if (value === null) return undefined;
    if (!/^\d+$/.test(value.trim()))
      throw new ODataQueryError(
        `Invalid value '${value}' for ${name} query option found. The ${name} query option requires a non-negative integer value.`,
        name,
      );
    return Number(value.trim());
  };
  return { filter, select, top: count('$top'), skip: count('$skip') ?? 0 };
}

/** Answers a GET of an entity set: `$filter`, `$select`, `$top`, `$skip`, `$count`, server paging. */
export function answerEntityQuery(ctx: RequestContext, query: EntityQuery): void {
  const params = ctx.url.searchParams;
  let options: ReturnType<typeof readOptions>;
  try {
    options = readOptions(params, query);
  } catch (error) {
    if (!(error instanceof ODataQueryError)) throw error;
    sendODataError(ctx, 400, odataError(`The query specified in the URI is not valid. ${error.message}`));
    return;
  }
  const { filter, select, top, skip } = options;
  const rows = query
    .rows(crossCompany(ctx.url))
    .filter((row) => !filter || matchesFilter(row() as Record<string, string | number>, filter));
  const end = top === undefined ? rows.length : Math.min(rows.length, skip + top);
  const pageEnd = Math.min(end, skip + query.pageSize);
  sendJson(
    ctx.res,
    200,
    {
      '@odata.context': `${ctx.origin}/data/$metadata#${query.entitySet}${select ? `(${select.join(',')})` : ''}`,
      ...((params.get('$count') ?? '').toLowerCase() === 'true' ? { '@odata.count': rows.length } : {}),
      value: rows.slice(skip, pageEnd).map((row) => row(select)),
      ...(pageEnd < end && {
        '@odata.nextLink': nextLink(ctx, pageEnd, top === undefined ? undefined : end - pageEnd),
      }),
    },
    ODATA_HEADERS,
  );
}
