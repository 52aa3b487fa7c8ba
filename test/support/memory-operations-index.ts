import { AttentionEntry, invertedTime } from '../../shared/domain/operations/attention';
import type { OpenFailure, OperationsIndex } from '../../shared/ports';

/** The table adapter's filter: the view, the equality filters, and the time range by row key (newest first). */
function matches(e: AttentionEntry, query: Omit<Parameters<OperationsIndex['list']>[0], 'limit'>): boolean {
  return (
    e.view === query.view &&
    (query.errorCode === undefined || e.errorCode === query.errorCode) &&
    (query.source === undefined || e.source === query.source) &&
    (query.legalEntity === undefined || e.legalEntity === query.legalEntity) &&
    (query.to === undefined || e.rowKey >= invertedTime(query.to)) &&
    (query.from === undefined || e.rowKey < `${invertedTime(query.from)}.`)
  );
}

/** An in-memory operations index that counts its calls (the cost of the index per request). */
export function memoryOperationsIndex(): OperationsIndex & {
  rows: Map<string, AttentionEntry>;
  open: Map<string, Map<string, OpenFailure>>;
  /** Queries of a customer's open failures (one per succeeded create). */
  openQueries: number;
  calls: { put: number; remove: number };
  failNext: number;
} {
  const rows = new Map<string, AttentionEntry>();
  const open = new Map<string, Map<string, OpenFailure>>();
  const key = (e: Pick<AttentionEntry, 'view' | 'rowKey'>) => `${e.view}/${e.rowKey}`;
  const self = {
    rows,
    open,
    openQueries: 0,
    calls: { put: 0, remove: 0 },
    failNext: 0,
    async put(entry: AttentionEntry) {
      self.calls.put += 1;
      if (self.failNext > 0) {
        self.failNext -= 1;
        throw new Error('storage unavailable');
      }
      rows.set(key(entry), { ...entry });
    },
    async remove(entry: Pick<AttentionEntry, 'view' | 'rowKey'>) {
      self.calls.remove += 1;
      rows.delete(key(entry));
    },
    async list(query: Parameters<OperationsIndex['list']>[0]) {
      const all = [...rows.values()]
        .filter((e) => matches(e, query))
        .sort((a, b) => a.rowKey.localeCompare(b.rowKey));
      // As the table: the next page starts after the cursor's row key, whether that row is still there or not.
      const start = query.cursor === undefined ? 0 : all.filter((e) => e.rowKey <= query.cursor!).length;
      const entries = all.slice(start, start + query.limit);
      const more = start + query.limit < all.length;
      return { entries, ...(more && { cursor: entries.at(-1)!.rowKey }) };
    },
    async putOpen(customerKey: string, failure: OpenFailure) {
      self.calls.put += 1;
      open.set(customerKey, (open.get(customerKey) ?? new Map()).set(failure.correlationId, { ...failure }));
    },
    async removeOpen(customerKey: string, correlationId: string) {
      self.calls.remove += 1;
      open.get(customerKey)?.delete(correlationId);
    },
    async openFailures(customerKey: string, limit: number) {
      self.openQueries += 1;
      return [...(open.get(customerKey)?.values() ?? [])].slice(0, limit);
    },
    async countByCode(query: Parameters<OperationsIndex['countByCode']>[0]) {
      const counts: Record<string, number> = {};
      for (const e of rows.values())
        if (matches(e, query)) counts[e.errorCode ?? 'none'] = (counts[e.errorCode ?? 'none'] ?? 0) + 1;
      return counts;
    },
  };
  return self;
}
