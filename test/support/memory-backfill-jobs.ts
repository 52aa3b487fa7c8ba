import { StatusConflictError } from '../../shared/ports';
import type { BackfillJobs } from '../../shared/ports';
import type { BackfillJob } from '../../shared/domain/backfill';

/**
 * Backfill jobs in memory, with the table adapter's optimistic concurrency: each write gives a new
 * ETag, a save with a stale one is a StatusConflictError, and a change to `undefined` removes the field.
 */
export function memoryBackfillJobs(): BackfillJobs & { rows: Map<string, BackfillJob> } {
  const rows = new Map<string, BackfillJob>();
  let version = 0;
  return {
    rows,
    async create(job) {
      const stored = { ...job, etag: String(++version) };
      rows.set(job.jobId, stored);
      return { ...stored };
    },
    async get(jobId) {
      const job = rows.get(jobId);
      return job && { ...job, counts: { ...job.counts } };
    },
    async save(job, changes) {
      const stored = rows.get(job.jobId);
      if (!stored || stored.etag !== job.etag) throw new StatusConflictError(job.jobId);
      const next = { ...stored, ...changes, etag: String(++version) } as BackfillJob;
      for (const [key, value] of Object.entries(changes))
        if (value === undefined) delete (next as unknown as Record<string, unknown>)[key];
      rows.set(job.jobId, next);
      return { ...next };
    },
  };
}
