import { createHash } from 'node:crypto';
import { odata, RestError, TableClient, TransactionAction } from '@azure/data-tables';

/**
 * Counters of the operations index's views (issue 31), so that the first page of a view with its
 * counts per error code reads O(page) rows instead of every row of the view.
 *
 * Each view partition (`view-failed`, …) holds, beside its request rows, counter rows keyed
 * `~n-<hash of (error code, source, legal entity)>-<shard>`: `n` is how many request rows of the
 * partition have that code, source and legal entity and a correlation ID of that shard. A request row
 * is inserted or deleted only in an entity group transaction with its counter's change, so the sum
 * of the counters is exactly the number of rows, whatever fails or is retried: Azure Table storage
 * applies a transaction's operations all or none, within one partition
 * (https://learn.microsoft.com/rest/api/storageservices/performing-entity-group-transactions).
 * A counter is changed under its ETag (If-Match; a concurrent change answers 412 and the change is
 * read and tried again: https://learn.microsoft.com/rest/api/storageservices/update-entity2), and
 * spread over COUNTER_SHARDS rows by correlation ID, so that a replay's concurrent transitions of one
 * code seldom meet on one row. Reading the counts of a view is one query of its counter rows: at most
 * (codes × sources × legal entities seen) × COUNTER_SHARDS rows, however many requests the view holds.
 *
 * Counter row keys start with `~`, after every request row key (digits): request queries keep
 * `RowKey lt '~'` (REQUEST_ROWS_ONLY).
 */
export const COUNTER_SHARDS = 16;
const COUNTER_PREFIX = '~n-';
/** The filter that keeps a view's queries to its request rows (not its counters). */
export const REQUEST_ROWS_ONLY = odata`RowKey lt ${'~'}`;
/** How often a counter change is read and tried again after a concurrent change (412). */
const COUNTER_TRIES = 20;

/** A request row's fields that decide its counter (the index writes them as '' when absent). */
export interface CountedRow {
  partitionKey: string;
  rowKey: string;
  correlationId: string;
  errorCode: string;
  source: string;
  legalEntity: string;
  [field: string]: unknown;
}

/** Thrown when a counter stayed contended through every try; names the partition, never a value. */
export class ViewCounterContendedError extends Error {
  constructor(
    readonly partitionKey: string,
    readonly tries: number,
  ) {
    super(`The counter of operations view ${partitionKey} changed under ${tries} tries in a row.`);
    this.name = 'ViewCounterContendedError';
  }
}

const codeOf = (row: Pick<CountedRow, 'errorCode'>): string =>
  typeof row.errorCode === 'string' && row.errorCode !== '' ? row.errorCode : 'none';

/** The counter row of a request row: its code, source and legal entity, and its shard. */
export function counterKeyOf(
  row: Pick<CountedRow, 'errorCode' | 'source' | 'legalEntity' | 'correlationId'>,
) {
  const group = createHash('sha256')
    .update(`${codeOf(row)}\n${row.source}\n${row.legalEntity}`)
    .digest('hex')
    .slice(0, 16);
  const shard = createHash('sha256').update(row.correlationId).digest()[0]! % COUNTER_SHARDS;
  return `${COUNTER_PREFIX}${group}-${String(shard).padStart(2, '0')}`;
}

const isStatus = (error: unknown, code: number): boolean =>
  error instanceof RestError && error.statusCode === code;

interface Counter {
  n: number;
  etag: string;
}

async function readCounter(client: TableClient, partitionKey: string, rowKey: string) {
  try {
    const row = await client.getEntity<{ n?: number }>(partitionKey, rowKey, {
      queryOptions: { select: ['n'] },
    });
    return { n: Number(row.n ?? 0), etag: row.etag } satisfies Counter;
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw error;
  }
}

/** The request row as stored, or undefined when there is none. */
export async function readRow(client: TableClient, partitionKey: string, rowKey: string) {
  try {
    return await client.getEntity<CountedRow>(partitionKey, rowKey);
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw error;
  }
}

type Outcome = 'done' | 'row-conflict';

/** Runs `work` after every earlier work of the same key (one line per key). */
function lineUp() {
  const lines = new Map<string, Promise<unknown>>();
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const run = (lines.get(key) ?? Promise.resolve()).then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    lines.set(key, settled);
    void settled.then(() => {
      if (lines.get(key) === settled) lines.delete(key);
    });
    return run;
  };
}

const etagOf = (answer: { subResponses: { etag?: string }[] }, at: number): string | undefined =>
  answer.subResponses[at]?.etag?.trim();

const counterCreate = (row: CountedRow, rowKey: string, n: number): TransactionAction => [
  'create',
  {
    partitionKey: row.partitionKey,
    rowKey,
    errorCode: codeOf(row),
    source: row.source,
    legalEntity: row.legalEntity,
    n,
  },
];

export interface ViewCounters {
  /** Inserts a request row and counts it; `exists` (nothing changed) when the row was there already. */
  insert(client: TableClient, row: CountedRow): Promise<'inserted' | 'exists'>;
  /** Deletes a stored request row and uncounts it; `absent` when it was gone already. */
  delete(client: TableClient, stored: CountedRow): Promise<'deleted' | 'absent'>;
}

/**
 * The counted row changes of one instance: it keeps the last known value and ETag of each counter
 * row (a change needs no read while this instance is the only one changing it) and a line per
 * counter row (its own concurrent changes of one counter wait for each other instead of colliding on
 * the ETag). Another instance's change still answers 412: the counter is read again.
 */
export function viewCounters(): ViewCounters {
  const known = new Map<string, Counter>();
  const inLine = lineUp();

  /**
   * Runs `rowAction` (the request row's create or delete) with its counter's change of `delta`, in
   * one transaction. `row-conflict`: the row was already there (create) or gone (delete), and
   * nothing changed. A counter that moved meanwhile is read again and the change tried again.
   */
  const counted = (
    client: TableClient,
    row: CountedRow,
    delta: 1 | -1,
    rowAction: TransactionAction,
    rowExists: () => Promise<boolean>,
  ): Promise<Outcome> => {
    const { partitionKey } = row;
    const rowKey = counterKeyOf(row);
    const cacheKey = `${client.tableName}\n${partitionKey}\n${rowKey}`;
    return inLine(cacheKey, async () => {
      for (let attempt = 1; attempt <= COUNTER_TRIES; attempt += 1) {
        const cached = known.get(cacheKey);
        const counter = cached ?? (await readCounter(client, partitionKey, rowKey));
        const counterAction: TransactionAction =
          counter === undefined
            ? counterCreate(row, rowKey, delta)
            : ['update', { partitionKey, rowKey, n: counter.n + delta }, 'Merge', { etag: counter.etag }];
        try {
          const etag = etagOf(await client.submitTransaction([rowAction, counterAction]), 1);
          if (etag === undefined) known.delete(cacheKey);
          else known.set(cacheKey, { n: (counter?.n ?? 0) + delta, etag });
          return 'done';
        } catch (error) {
          known.delete(cacheKey);
          if (isStatus(error, 412)) {
            // Another instance changed the counter: read it again, after a short random pause.
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
            continue;
          }
          // 404: the row was gone already, or (a counter known from before) the table is a new one.
          if (isStatus(error, 404) && cached !== undefined) continue;
          if (isStatus(error, 404) && delta < 0) return 'row-conflict';
          // 409: the row existed, or another instance created the counter first.
          if (isStatus(error, 409) && delta > 0) {
            if (counter !== undefined || (await rowExists())) return 'row-conflict';
            continue;
          }
          throw error;
        }
      }
      throw new ViewCounterContendedError(partitionKey, COUNTER_TRIES);
    });
  };

  return {
    async insert(client, row) {
      const exists = async () => Boolean(await readRow(client, row.partitionKey, row.rowKey));
      return (await counted(client, row, 1, ['create', row], exists)) === 'done' ? 'inserted' : 'exists';
    },
    async delete(client, stored) {
      const action: TransactionAction = [
        'delete',
        { partitionKey: stored.partitionKey, rowKey: stored.rowKey },
      ];
      return (await counted(client, stored, -1, action, async () => false)) === 'done' ? 'deleted' : 'absent';
    },
  };
}

/**
 * The counts of a view partition per error code, for the rows of one code, source and / or legal
 * entity when given: one query of the partition's counter rows, the equality filters run in the service.
 */
export async function readCounts(
  client: TableClient,
  partitionKey: string,
  filter: { errorCode?: string; source?: string; legalEntity?: string },
): Promise<Record<string, number>> {
  const parts = [
    odata`PartitionKey eq ${partitionKey}`,
    odata`RowKey ge ${COUNTER_PREFIX}`,
    odata`RowKey lt ${`${COUNTER_PREFIX.slice(0, -1)}.`}`,
  ];
  if (filter.errorCode !== undefined) parts.push(odata`errorCode eq ${filter.errorCode}`);
  if (filter.source !== undefined) parts.push(odata`source eq ${filter.source}`);
  if (filter.legalEntity !== undefined) parts.push(odata`legalEntity eq ${filter.legalEntity}`);
  const counts: Record<string, number> = {};
  const rows = client.listEntities<{ errorCode?: string; n?: number }>({
    queryOptions: { filter: parts.join(' and '), select: ['errorCode', 'n'] },
  });
  for await (const row of rows) {
    const code = String(row.errorCode ?? 'none');
    counts[code] = (counts[code] ?? 0) + Number(row.n ?? 0);
  }
  for (const [code, n] of Object.entries(counts)) if (n === 0) delete counts[code];
  return counts;
}
