import { odata, RestError, TableClient } from '@azure/data-tables';
import type { ReplayJob } from '../../domain/operations/replay-job';
import type { ReplayJobs } from '../../ports';

/**
 * Bulk replay jobs in the operations table (OPERATIONS_TABLE_NAME), partition `replay-jobs`, one row
 * per job (row key = job ID): the job as JSON (filters, counts, the in-flight IDs, at most 500 given
 * IDs: no personal data) beside `state` and `createdAt` for the lists. Every write but the first is
 * conditional on the row's ETag, so one tick (or one cancel) at a time changes a job.
 */
export const REPLAY_PARTITION = 'replay-jobs';
const RECENT_DAYS = 30;

type Row = { partitionKey: string; rowKey: string; job: string; state: string; createdAt: string };

const toRow = (stored: ReplayJob | Omit<ReplayJob, 'etag'>): Row => {
  const { etag: _etag, ...job } = stored as ReplayJob;
  return {
    partitionKey: REPLAY_PARTITION,
    rowKey: job.id,
    job: JSON.stringify(job),
    state: job.finishedAt === undefined ? job.state : 'finished',
    createdAt: job.createdAt,
  };
};

const fromRow = (row: { job?: unknown; etag?: string }): ReplayJob => ({
  ...(JSON.parse(String(row.job)) as Omit<ReplayJob, 'etag'>),
  etag: String(row.etag),
});

const isStatus = (error: unknown, ...codes: number[]): boolean =>
  error instanceof RestError && codes.includes(error.statusCode ?? 0);

export function tableReplayJobs(table: () => Promise<TableClient>): ReplayJobs {
  const list = async (filter: string): Promise<ReplayJob[]> => {
    const client = await table();
    const jobs: ReplayJob[] = [];
    for await (const row of client.listEntities<Row>({ queryOptions: { filter } })) jobs.push(fromRow(row));
    return jobs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  };
  return {
    async create(job) {
      const answer = await (await table()).createEntity(toRow(job));
      return { ...job, etag: String(answer.etag) };
    },
    async get(id) {
      try {
        return fromRow(await (await table()).getEntity<Row>(REPLAY_PARTITION, id));
      } catch (error) {
        if (isStatus(error, 404)) return undefined;
        throw error;
      }
    },
    async save(job) {
      try {
        const answer = await (await table()).updateEntity(toRow(job), 'Replace', { etag: job.etag });
        return { ...job, etag: String(answer.etag) };
      } catch (error) {
        if (isStatus(error, 404, 409, 412)) return undefined;
        throw error;
      }
    },
    async recent(limit) {
      // The last 30 days' jobs (operators start a few a day at most), newest first.
      const since = new Date(Date.now() - RECENT_DAYS * 86_400_000).toISOString();
      return (await list(odata`PartitionKey eq ${REPLAY_PARTITION} and createdAt ge ${since}`)).slice(
        0,
        limit,
      );
    },
    async running() {
      return list(odata`PartitionKey eq ${REPLAY_PARTITION} and state ne ${'finished'}`);
    },
  };
}
