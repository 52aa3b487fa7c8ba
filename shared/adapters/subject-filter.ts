import { odata } from '@azure/data-tables';
import type { SubjectQuery } from '../domain/privacy/subject-query';

/**
 * The OData pre-filter of a privacy query (issue 27) on the columns records and links share
 * (`source`, `sourceCustomerId`, `emailKey`, `legalEntity`, `customerAccount`); the adapters apply
 * the exact rule (`recordMatches` / `linkMatches`) to what the service returns. Every value goes
 * through the SDK's `odata` template (quotes doubled). Undefined: the query names nothing, and
 * finds nothing (never everything).
 */
export function subjectFilter(query: SubjectQuery): string | undefined {
  const identifiers = [
    ...(query.references ?? []).map(
      (r) => odata`(source eq ${r.source} and sourceCustomerId eq ${r.sourceCustomerId})`,
    ),
    ...(query.emailKeys ?? []).map((key) => odata`emailKey eq ${key}`),
    ...(query.accounts ?? []).map((a) => odata`customerAccount eq ${a.customerAccount}`),
  ];
  const bySource = query.source === undefined ? undefined : odata`source eq ${query.source}`;
  if (query.wholeSource) return bySource; // undefined without a source: a query for nothing
  if (identifiers.length === 0) return undefined;
  const any = `(${identifiers.join(' or ')})`;
  return bySource === undefined ? any : `${bySource} and ${any}`;
}
