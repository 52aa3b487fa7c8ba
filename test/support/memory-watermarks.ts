import { StatusConflictError } from '../../shared/ports';
import type { DriftWatermarks } from '../../shared/ports';
import type { DriftWatermark } from '../../shared/domain/drift-repair';

/** In-memory DriftWatermarks with the Table adapter's ETag rules (drift repair's and the F&O safety net's rows). */
export function memoryWatermarks(): DriftWatermarks & { rows: Map<string, DriftWatermark> } {
  const rows = new Map<string, DriftWatermark>();
  let version = 0;
  return {
    rows,
    async get(source) {
      const row = rows.get(source);
      return row && { ...row };
    },
    async create(source) {
      if (rows.has(source)) throw new StatusConflictError(source);
      const row = { source, etag: String(++version) };
      rows.set(source, row);
      return { ...row };
    },
    async save(row, changes) {
      const stored = rows.get(row.source);
      if (!stored || stored.etag !== row.etag) throw new StatusConflictError(row.source);
      const next = { ...stored, ...changes, etag: String(++version) } as DriftWatermark;
      for (const [key, value] of Object.entries(changes))
        if (value === undefined) delete (next as unknown as Record<string, unknown>)[key];
      rows.set(row.source, next);
      return { ...next };
    },
  };
}
