import { RestError, TableClient, TableEntityResult } from '@azure/data-tables';
import type { BackfillCounts, BackfillJob } from '../domain/backfill';
import { emptyCounts } from '../domain/backfill';
import { BackfillJobs, StatusConflictError } from '../ports';

/**
 * Backfill jobs in Azure Table storage (BACKFILL_TABLE_NAME): PartitionKey = job ID, RowKey = '',
 * the counts as one JSON column. Every write after the insert is conditional on the ETag.
 */
type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

function toEntity(job: Omit<BackfillJob, 'etag'>): Entity {
  const { jobId, counts, ...rest } = job;
  const entity: Entity = { partitionKey: jobId, rowKey: '', ...rest, counts: JSON.stringify(counts) };
  // A field cleared (the cursor after the last page) is written empty: Replace drops it anyway.
  for (const [key, value] of Object.entries(entity)) if (value === undefined) delete entity[key];
  return entity;
}

function fromEntity(entity: TableEntityResult<Record<string, unknown>>): BackfillJob {
  const text = (name: string): string | undefined => {
    const value = entity[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  let counts: BackfillCounts = emptyCounts();
  try {
    counts = { ...counts, ...(JSON.parse(text('counts') ?? '{}') as Partial<BackfillCounts>) };
  } catch {
    // A damaged column reads as no counts; the next page's save writes them again.
  }
  const since = text('since');
  const cursor = text('cursor');
  const endedAt = text('endedAt');
  const error = text('error');
  return {
    jobId: entity.partitionKey ?? '',
    source: text('source') ?? '',
    ...(since !== undefined && { since }),
    dryRun: entity.dryRun === true,
    ...((text('read') === 'bulk' || text('read') === 'csv') && { read: text('read') as 'bulk' | 'csv' }),
    state: (text('state') ?? 'running') as BackfillJob['state'],
    page: Number(entity.page ?? 0),
    ...(typeof entity.total === 'number' && { total: entity.total }),
    ...(cursor !== undefined && { cursor }),
    counts,
    startedBy: text('startedBy') ?? '',
    startedAt: text('startedAt') ?? '',
    updatedAt: text('updatedAt') ?? '',
    ...(endedAt !== undefined && { endedAt }),
    ...(error !== undefined && { error }),
    etag: entity.etag ?? '',
  };
}

const isStatus = (error: unknown, ...codes: number[]): boolean =>
  error instanceof RestError && codes.includes(error.statusCode ?? 0);

export function tableBackfillJobs(getClient: () => Promise<TableClient>): BackfillJobs {
  return {
    async create(job) {
      const client = await getClient();
      try {
        const response = await client.createEntity(toEntity(job));
        return { ...job, etag: response.etag ?? '' };
      } catch (error) {
        if (isStatus(error, 409)) throw new StatusConflictError(job.jobId);
        throw error;
      }
    },
    async get(jobId) {
      const client = await getClient();
      try {
        return fromEntity(await client.getEntity(jobId, ''));
      } catch (error) {
        if (isStatus(error, 404)) return undefined;
        throw error;
      }
    },
    async save(job, changes) {
      const client = await getClient();
      const { etag, ...rest } = job;
      const next = { ...rest, ...changes };
      try {
        const response = await client.updateEntity(toEntity(next), 'Replace', { etag });
        return { ...next, etag: response.etag ?? '' };
      } catch (error) {
        if (isStatus(error, 412, 404)) throw new StatusConflictError(job.jobId);
        throw error;
      }
    },
  };
}
