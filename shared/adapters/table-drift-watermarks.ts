import { RestError, TableClient, TableEntityResult } from '@azure/data-tables';
import type { DriftWatermark } from '../domain/drift-repair';
import { DriftWatermarks, StatusConflictError } from '../ports';

/**
 * Drift repair's rows (issue 30) in the backfill table (BACKFILL_TABLE_NAME), apart from the jobs
 * (whose PartitionKey is a job ID): PartitionKey `drift-repair`, RowKey = the source's name. Times
 * and the cursor only, no personal data. Every write after the insert is conditional on the ETag.
 * The F&O safety net (issue 29) keeps its rows of the same shape under its own PartitionKey.
 */
const PARTITION = 'drift-repair';

type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

function toEntity(row: Omit<DriftWatermark, 'etag'>, partition: string): Entity {
  const entity: Entity = {
    partitionKey: partition,
    rowKey: row.source,
    watermark: row.watermark,
    passFrom: row.pass?.from,
    passTo: row.pass?.to,
    passCursor: row.pass?.cursor,
    lastRunAt: row.lastRunAt,
    leaseOwner: row.leaseOwner,
    leaseUntil: row.leaseUntil,
  };
  // Replace drops the columns left out: a field cleared (the lease, the pass) is gone.
  for (const [key, value] of Object.entries(entity)) if (value === undefined) delete entity[key];
  return entity;
}

function fromEntity(entity: TableEntityResult<Record<string, unknown>>): DriftWatermark {
  const text = (name: string): string | undefined => {
    const value = entity[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const [watermark, from, to, cursor] = [
    text('watermark'),
    text('passFrom'),
    text('passTo'),
    text('passCursor'),
  ];
  const [lastRunAt, leaseOwner, leaseUntil] = [text('lastRunAt'), text('leaseOwner'), text('leaseUntil')];
  return {
    source: entity.rowKey ?? '',
    ...(watermark !== undefined && { watermark }),
    ...(from !== undefined &&
      to !== undefined && { pass: { from, to, ...(cursor !== undefined && { cursor }) } }),
    ...(lastRunAt !== undefined && { lastRunAt }),
    ...(leaseOwner !== undefined && { leaseOwner }),
    ...(leaseUntil !== undefined && { leaseUntil }),
    etag: entity.etag ?? '',
  };
}

const isStatus = (error: unknown, ...codes: number[]): boolean =>
  error instanceof RestError && codes.includes(error.statusCode ?? 0);

export function tableDriftWatermarks(
  getClient: () => Promise<TableClient>,
  partition: string = PARTITION,
): DriftWatermarks {
  return {
    async get(source) {
      const client = await getClient();
      try {
        return fromEntity(await client.getEntity(partition, source));
      } catch (error) {
        if (isStatus(error, 404)) return undefined;
        throw error;
      }
    },
    async create(source) {
      const client = await getClient();
      try {
        const response = await client.createEntity(toEntity({ source }, partition));
        return { source, etag: response.etag ?? '' };
      } catch (error) {
        if (isStatus(error, 409)) throw new StatusConflictError(source);
        throw error;
      }
    },
    async save(row, changes) {
      const client = await getClient();
      const { etag, ...rest } = row;
      const next = { ...rest, ...changes };
      try {
        const response = await client.updateEntity(toEntity(next, partition), 'Replace', { etag });
        return { ...next, etag: response.etag ?? '' };
      } catch (error) {
        if (isStatus(error, 412, 404)) throw new StatusConflictError(row.source);
        throw error;
      }
    },
  };
}
