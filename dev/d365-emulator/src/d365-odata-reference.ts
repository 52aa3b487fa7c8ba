import { CustomerEntity, EntityFieldType } from './customer-entity';
import { odataError } from './d365-errors';
import { crossCompany } from './d365-odata-key';
import { ODATA_HEADERS, sendODataError } from './d365-odata-entity';
import { RequestContext, sendJson } from './http';
import { FilterExpression, ODataQueryError, parseFilter } from './odata-filter';
import { matchesFilter } from './odata-filter-match';
import { EmulatorState } from './state';

/**
 * The reference data a configuration names, read-only, as F&O's standard data entities expose it
 * (Microsoft Learn, "Open Data Protocol (OData)" for F&O: `/data/<public collection name>`,
 * `cross-company=true`; the collections and keys as integrations query them, e.g.
 * `/data/LegalEntities?$select=LegalEntityId,Name`, `/data/CustomerGroups(dataAreaId='usmf',
 * CustomerGroupId='…')?cross-company=true`, `/data/Currencies`):
 *
 * - `LegalEntities` (LegalEntityId, Name): the emulator's companies (`legalEntities`);
 * - `CustomerGroups` (dataAreaId, CustomerGroupId, Description): the customer groups in every
 *   company; company-specific, so without `cross-company=true` only the default company's;
 * - `Currencies` (CurrencyCode, Name): every ISO 4217 code (shared, not per company).
 *
 * `GET` with `$filter` (the same parser as CustomersV3), `$select` and `$top`. `npm run doctor`
 * reads them to check that the legal entity, customer group and currency a configuration names exist.
 */
interface ReferenceSet {
  type: string;
  fields: Record<string, EntityFieldType>;
  companySpecific: boolean;
  rows(state: EmulatorState): CustomerEntity[];
}

const currencyNames = new Intl.DisplayNames(['en'], { type: 'currency' });

const SETS: Record<string, ReferenceSet> = {
  LegalEntities: {
    type: 'Microsoft.Dynamics.DataEntities.LegalEntity',
    fields: { LegalEntityId: 'string', Name: 'string' },
    companySpecific: false,
    rows: (state) => state.options.legalEntities.map((id) => ({ LegalEntityId: id, Name: `Contoso ${id}` })),
  },
  CustomerGroups: {
    type: 'Microsoft.Dynamics.DataEntities.CustomerGroup',
    fields: { dataAreaId: 'string', CustomerGroupId: 'string', Description: 'string' },
    companySpecific: true,
    rows: (state) =>
      state.options.legalEntities.flatMap((company) =>
        state.options.customerGroups.map((group) => ({
          dataAreaId: company.toLowerCase(),
          CustomerGroupId: group,
          Description: `Customer group ${group}`,
        })),
      ),
  },
  Currencies: {
    type: 'Microsoft.Dynamics.DataEntities.Currency',
    fields: { CurrencyCode: 'string', Name: 'string' },
    companySpecific: false,
    rows: () =>
      Intl.supportedValuesOf('currency').map((code) => ({
        CurrencyCode: code,
        Name: currencyNames.of(code) ?? code,
      })),
  },
};

export const REFERENCE_ENTITY_SETS = Object.keys(SETS);

export const isReferenceSet = (name: string | undefined): boolean => name !== undefined && name in SETS;

export function handleReferenceSet(state: EmulatorState, ctx: RequestContext, name: string): void {
  const set = SETS[name]!;
  if (ctx.method !== 'GET') {
    sendODataError(ctx, 405, odataError(`The HTTP method '${ctx.method}' is not supported on ${name}.`));
    return;
  }
  const params = ctx.url.searchParams;
  let filter: FilterExpression | undefined;
  let select: string[] | undefined;
  let top: number | undefined;
  try {
    for (const option of params.keys()) {
      if (option.startsWith('$') && !['$filter', '$select', '$top', '$format'].includes(option))
        throw new ODataQueryError(`The query parameter '${option}' is not supported.`, option);
    }
    const filterText = params.get('$filter');
    filter =
      filterText === null ? undefined : parseFilter(filterText, { fields: set.fields, type: set.type });
    select = params
      .get('$select')
      ?.split(',')
      .map((f) => f.trim());
    for (const field of select ?? []) {
      if (!(field in set.fields))
        throw new ODataQueryError(
          `Could not find a property named '${field}' on type '${set.type}'.`,
          '$select',
        );
    }
    const topText = params.get('$top');
    if (topText !== null) {
      if (!/^\d+$/.test(topText.trim()))
        throw new ODataQueryError(`Invalid value '${topText}' for $top query option found.`, '$top');
      top = Number(topText);
    }
  } catch (error) {
    if (!(error instanceof ODataQueryError)) throw error;
    sendODataError(ctx, 400, odataError(`The query specified in the URI is not valid. ${error.message}`));
    return;
  }
  const defaultCompany = state.options.defaultLegalEntity.toLowerCase();
  const rows = set
    .rows(state)
    .filter((row) => !set.companySpecific || crossCompany(ctx.url) || row.dataAreaId === defaultCompany)
    .filter((row) => !filter || matchesFilter(row, filter))
    .slice(0, top);
  const pick = (row: CustomerEntity) =>
    select ? Object.fromEntries(select.map((field) => [field, row[field] ?? null])) : row;
  sendJson(
    ctx.res,
    200,
    {
      '@odata.context': `${ctx.origin}/data/$metadata#${name}${select ? `(${select.join(',')})` : ''}`,
      value: rows.map((row) => ({ '@odata.etag': 'W/"1"', ...pick(row) })),
    },
    ODATA_HEADERS,
  );
}
