import { StatusConflictError, StatusStore } from '../../shared/ports';
import { StatusRecord } from '../../shared/domain/status';

/** An in-memory StatusStore with the same optimistic-concurrency rules as the Table one. */
export function memoryStatusStore(): StatusStore & { records: Map<string, StatusRecord> } {
  const records = new Map<string, StatusRecord>();
  let version = 0;
  const etag = (): string => `W/"${++version}"`;
  return {
    records,
    async create(record) {
      if (records.has(record.correlationId)) throw new StatusConflictError(record.correlationId);
      const stored = { ...record, etag: etag() };
      records.set(record.correlationId, stored);
      return stored;
    },
    async get(id) {
      const record = records.get(id);
      return record && { ...record };
    },
    async update(current, changes) {
      const stored = records.get(current.correlationId);
      if (!stored || stored.etag !== current.etag) throw new StatusConflictError(current.correlationId);
      const next: StatusRecord = { ...stored, ...changes, etag: etag() };
      for (const [key, value] of Object.entries(changes))
        if (value === undefined) delete (next as unknown as Record<string, unknown>)[key];
      records.set(current.correlationId, next);
      return { ...next };
    },
    async findLeaseExpired(leaseBefore, limit) {
      return [...records.values()]
        .filter(
          (r) =>
            (r.status === 'processing' || r.status === 'submitting') &&
            r.leaseUntil !== undefined &&
            r.leaseUntil < leaseBefore,
        )
        .slice(0, limit)
        .map((r) => ({ ...r }));
    },
    async findStale(statuses, updatedBefore, limit) {
      return [...records.values()]
        .filter((r) => statuses.includes(r.status) && r.updatedAt < updatedBefore)
        .slice(0, limit)
        .map((r) => ({ ...r }));
    },
    async findCreatedBefore(createdBefore, limit) {
      return [...records.values()]
        .filter((r) => r.createdAt < createdBefore)
        .slice(0, limit)
        .map((r) => ({ ...r }));
    },
    async findWriteBacks(state, limit) {
      return [...records.values()]
        .filter((r) => r.writeBack === state)
        .slice(0, limit)
        .map((r) => ({ ...r }));
    },
    async delete(record) {
      const stored = records.get(record.correlationId);
      if (stored && stored.etag === record.etag) records.delete(record.correlationId);
    },
  };
}
