import { odata, RestError, TableClient } from '@azure/data-tables';
import { AttentionEntry, AttentionView, rowKeyAtOrBefore } from '../../domain/operations/attention';
import type { AttentionQuery, OpenFailure, OperationsIndex } from '../../ports';
import {
  counterKeyOf,
  CountedRow,
  readCounts,
  readRow,
  REQUEST_ROWS_ONLY,
  viewCounters,
} from './table-view-counters';

/**
 * The operations index in its own table (OPERATIONS_TABLE_NAME), apart from the status records:
 * one partition per view (`view-failed`, `view-needs_review`, `view-retrying`, `view-resolved`), row
 * key = inverted time + correlation ID, so a page of a view, newest first, is one range query of one
 * partition, and the filters (error code, source, legal entity) run in the service. A page's cursor
 * is the last row key it returned: the next page starts after it, whatever was added meanwhile.
 * Partitions `open-<customer identity key>` list each customer's open failures (automatic resolution).
 * Every view keeps counters of its rows per error code, source and legal entity, changed in the same
 * transaction as the row (table-view-counters.ts): the counts of a view without a time range read
 * those counters, not the view's rows.
 */
const FIELDS = [
  'correlationId',
  'status',
  'kind',
  'errorCode',
  'source',
  'legalEntity',
  'createdAt',
  'at',
  'resolution',
] as const satisfies readonly (keyof AttentionEntry)[];

const partitionOf = (view: AttentionView): string => `view-${view}`;
/** A customer's open failures: `open-<customerIdentityKey>` (a SHA-256: no e-mail in a key). */
const openPartition = (customerKey: string): string => `open-${customerKey}`;

const isStatus = (error: unknown, code: number): boolean =>
  error instanceof RestError && error.statusCode === code;

function toRow(entry: AttentionEntry): CountedRow {
  const row: Record<string, unknown> = {
    partitionKey: partitionOf(entry.view),
    rowKey: entry.rowKey,
    attempts: entry.attempts,
  };
  for (const field of FIELDS) row[field] = entry[field] ?? '';
  return row as CountedRow;
}

/** Thrown when a row kept changing under `put` (another writer of the same request's row). */
export class OperationsRowContendedError extends Error {
  constructor(readonly view: AttentionView) {
    super(`A row of operations view ${view} kept changing while it was written.`);
    this.name = 'OperationsRowContendedError';
  }
}

function fromRow(row: Record<string, unknown>): AttentionEntry {
  const entry: Record<string, unknown> = {
    view: String(row.partitionKey).slice('view-'.length),
    rowKey: row.rowKey,
    attempts: Number(row.attempts ?? 0),
  };
  for (const field of FIELDS) {
    const value = row[field];
    if (typeof value === 'string' && value !== '') entry[field] = value;
  }
  return entry as unknown as AttentionEntry;
}

/** The service-side filter of a query (the view's partition, the time range, the equality filters). */
function filterOf(query: Omit<AttentionQuery, 'limit'>, after?: string): string {
  const parts = [odata`PartitionKey eq ${partitionOf(query.view)}`, REQUEST_ROWS_ONLY];
  // Newest first: `to` is the smallest row key, `from` the largest ('.' sorts after '-<id>').
  if (query.to !== undefined) parts.push(odata`RowKey ge ${rowKeyAtOrBefore(query.to)}`);
  if (query.from !== undefined) parts.push(odata`RowKey lt ${`${rowKeyAtOrBefore(query.from)}.`}`);
  if (after !== undefined) parts.push(odata`RowKey gt ${after}`);
  if (query.errorCode !== undefined) parts.push(odata`errorCode eq ${query.errorCode}`);
  if (query.source !== undefined) parts.push(odata`source eq ${query.source}`);
  if (query.legalEntity !== undefined) parts.push(odata`legalEntity eq ${query.legalEntity}`);
  return parts.join(' and ');
}

const encodeCursor = (rowKey: string): string => Buffer.from(rowKey, 'utf8').toString('base64url');
/** The row key a cursor stands for, or undefined for a cursor this index did not write. */
export function decodeCursor(cursor: string): string | undefined {
  const rowKey = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^\d{13}-[0-9a-f-]{36}$/.test(rowKey) ? rowKey : undefined;
}

export function tableOperationsIndex(table: () => Promise<TableClient>): OperationsIndex {
  const counters = viewCounters();
  return {
    async put(entry) {
      const client = await table();
      const row = toRow(entry);
      // A new row: inserted with its count. There already: replaced, and recounted when its code,
      // source or legal entity changed (a retry series' row keeps its key while its error changes).
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        if ((await counters.insert(client, row)) === 'inserted') return;
        const stored = await readRow(client, row.partitionKey, row.rowKey);
        if (stored === undefined) continue;
        if (counterKeyOf(stored) === counterKeyOf(row)) {
          try {
            await client.updateEntity(row, 'Replace', { etag: stored.etag });
            return;
          } catch (error) {
            if (!isStatus(error, 412) && !isStatus(error, 404)) throw error;
            continue; // changed or removed meanwhile: look again
          }
        }
        await counters.delete(client, stored);
      }
      throw new OperationsRowContendedError(entry.view);
    },
    async remove(entry) {
      const client = await table();
      const stored = await readRow(client, partitionOf(entry.view), entry.rowKey);
      if (stored !== undefined) await counters.delete(client, stored);
    },
    async list(query) {
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const client = await table();
      const entries: AttentionEntry[] = [];
      let more = false;
      const pages = client
        .listEntities<Record<string, unknown>>({ queryOptions: { filter: filterOf(query, after) } })
        .byPage({ maxPageSize: Math.min(1000, query.limit + 1) });
      for await (const page of pages) {
        for (const row of page) {
          if (entries.length === query.limit) {
            more = true;
            break;
          }
          entries.push(fromRow(row));
        }
        if (more) break;
      }
      const last = entries.at(-1);
      return { entries, ...(more && last !== undefined && { cursor: encodeCursor(last.rowKey) }) };
    },
    async putOpen(customerKey, failure) {
      await (
        await table()
      ).upsertEntity(
        {
          partitionKey: openPartition(customerKey),
          rowKey: failure.correlationId,
          createdAt: failure.createdAt,
        },
        'Replace',
      );
    },
    async removeOpen(customerKey, correlationId) {
      try {
        await (await table()).deleteEntity(openPartition(customerKey), correlationId);
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
      }
    },
    async openFailures(customerKey, limit) {
      const client = await table();
      const found: OpenFailure[] = [];
      const pages = client
        .listEntities<{ createdAt?: string }>({
          queryOptions: { filter: odata`PartitionKey eq ${openPartition(customerKey)}` },
        })
        .byPage({ maxPageSize: limit });
      for await (const page of pages) {
        for (const row of page) found.push({ correlationId: row.rowKey!, createdAt: String(row.createdAt) });
        break;
      }
      return found.slice(0, limit);
    },
    async countByCode(query) {
      const client = await table();
      if (query.from === undefined && query.to === undefined)
        return readCounts(client, partitionOf(query.view), query);
      // A time range: the matching rows' codes, read (O(rows in the range)).
      const counts: Record<string, number> = {};
      const rows = client.listEntities<Record<string, unknown>>({
        queryOptions: { filter: filterOf(query), select: ['errorCode'] },
      });
      for await (const row of rows) {
        const code = typeof row.errorCode === 'string' && row.errorCode !== '' ? row.errorCode : 'none';
        counts[code] = (counts[code] ?? 0) + 1;
      }
      return counts;
    },
  };
}
