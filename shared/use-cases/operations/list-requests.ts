import type { AttentionEntry } from '../../domain/operations/attention';
import type { AttentionQuery, OperationsIndex } from '../../ports';

/** One row of the operators' list: codes, source, legal entity and times; never personal data. */
export type ListedRequest = Omit<AttentionEntry, 'rowKey'>;

export interface RequestPage {
  items: ListedRequest[];
  /** Give it back as `cursor` for the next page; absent on the last page. */
  cursor?: string;
  /** On the first page only: how many requests of the view match the filter, per error code. */
  counts?: { total: number; byCode: Record<string, number> };
}

/**
 * A page of the requests that need an operator (issue 31), newest first, from the operations index
 * alone (no status record is read). The first page also counts the matches per error code, with the
 * same filter but the code (so the counts show what else the view holds).
 */
export async function listRequests(
  query: AttentionQuery,
  deps: { index: OperationsIndex },
): Promise<RequestPage> {
  const { errorCode: _code, limit: _limit, cursor: _cursor, ...countFilter } = query;
  const [page, byCode] = await Promise.all([
    deps.index.list(query),
    query.cursor === undefined ? deps.index.countByCode(countFilter) : Promise.resolve(undefined),
  ]);
  return {
    items: page.entries.map(({ rowKey: _rowKey, ...item }) => item),
    ...(page.cursor !== undefined && { cursor: page.cursor }),
    ...(byCode !== undefined && {
      counts: { total: Object.values(byCode).reduce((sum, n) => sum + n, 0), byCode },
    }),
  };
}
