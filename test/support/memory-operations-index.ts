import type { AttentionEntry } from '../../shared/domain/operations/attention';
import type { OperationsIndex } from '../../shared/ports';

/** An in-memory operations index that counts its calls (the cost of the index per request). */
export function memoryOperationsIndex(): OperationsIndex & {
  rows: Map<string, AttentionEntry>;
  calls: { put: number; remove: number };
  failNext: number;
} {
  const rows = new Map<string, AttentionEntry>();
  const key = (e: Pick<AttentionEntry, 'view' | 'rowKey'>) => `${e.view}/${e.rowKey}`;
  const self = {
    rows,
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
        .filter(
          (e) => e.view === query.view && (query.errorCode === undefined || e.errorCode === query.errorCode),
        )
        .sort((a, b) => a.rowKey.localeCompare(b.rowKey));
      const start = query.cursor === undefined ? 0 : all.findIndex((e) => e.rowKey === query.cursor) + 1;
      const entries = all.slice(start, start + query.limit);
      const more = start + query.limit < all.length;
      return { entries, ...(more && { cursor: entries.at(-1)!.rowKey }) };
    },
    async countByCode(query: Parameters<OperationsIndex['countByCode']>[0]) {
      const counts: Record<string, number> = {};
      for (const e of rows.values())
        if (e.view === query.view) counts[e.errorCode ?? 'none'] = (counts[e.errorCode ?? 'none'] ?? 0) + 1;
      return counts;
    },
  };
  return self;
}
