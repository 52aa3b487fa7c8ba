import { RestError, TableClient } from '@azure/data-tables';

/** The partition of the status table that holds the gate: rows `slot-0` … `slot-N-1`, `pause`, `want-<instance>`. */
export const GATE_PARTITION = '~d365-gate';

/** One row of the gate partition as the gate sees it. */
export interface GateRow {
  rowKey: string;
  /** The instance holding a slot (or wanting one); '' for a free slot. */
  holder: string;
  /** Epoch ms until which the row holds (a slot's lease, the pause's end, a want's expiry); 0 = free. */
  until: number;
  /** A `want-` row: since when its instance has waited without taking a slot from the fleet (epoch ms). */
  since?: number;
  /** A slot row: when its last D365 call started (epoch ms), for the pacing of `D365_MAX_REQUESTS_PER_SECOND`. */
  calledAt?: number;
  etag: string;
}

/**
 * The gate partition, as the small port the fleet gate works on (Table storage in production,
 * memory in unit tests). Every write is conditional except `upsert`, which only writes rows that
 * belong to one instance (its `want-` row).
 */
export interface GateRows {
  /** Every row of the partition: one query. */
  list(): Promise<GateRow[]>;
  /**
   * Writes the row if it is unchanged since `etag`, or, without an etag, only if it does not exist.
   * Resolves the new etag, or `undefined` when someone else changed (or created) it first.
   */
  write(row: Omit<GateRow, 'etag'>, etag: string | undefined): Promise<string | undefined>;
  /** Writes the row whatever it holds. */
  upsert(row: Omit<GateRow, 'etag'>): Promise<void>;
  /** Deletes the row if it is unchanged since `etag` (gone or changed: nothing). */
  remove(rowKey: string, etag: string): Promise<void>;
}

const conflict = (error: unknown): boolean =>
  error instanceof RestError && [404, 409, 412].includes(error.statusCode ?? 0);

/** The gate partition in Table storage (the status table's account, so no new resource). */
export function tableGateRows(table: () => Promise<TableClient>): GateRows {
  const entity = (row: Omit<GateRow, 'etag'>) => ({
    partitionKey: GATE_PARTITION,
    rowKey: row.rowKey,
    holder: row.holder,
    until: row.until,
    ...(row.since === undefined ? {} : { since: row.since }),
    ...(row.calledAt === undefined ? {} : { calledAt: row.calledAt }),
  });
  return {
    async list() {
      const client = await table();
      const rows: GateRow[] = [];
      for await (const row of client.listEntities<{
        holder?: string;
        until?: number;
        since?: number;
        calledAt?: number;
      }>({
        queryOptions: { filter: `PartitionKey eq '${GATE_PARTITION}'` },
      }))
        rows.push({
          rowKey: row.rowKey!,
          holder: String(row.holder ?? ''),
          until: Number(row.until ?? 0),
          ...(row.since === undefined ? {} : { since: Number(row.since) }),
          ...(row.calledAt === undefined ? {} : { calledAt: Number(row.calledAt) }),
          etag: row.etag,
        });
      return rows;
    },
    async write(row, etag) {
      const client = await table();
      try {
        const written =
          etag === undefined
            ? await client.createEntity(entity(row))
            : await client.updateEntity(entity(row), 'Replace', { etag });
        return written.etag ?? '';
      } catch (error) {
        if (conflict(error)) return undefined;
        throw error;
      }
    },
    async upsert(row) {
      await (await table()).upsertEntity(entity(row), 'Replace');
    },
    async remove(rowKey, etag) {
      try {
        await (await table()).deleteEntity(GATE_PARTITION, rowKey, { etag });
      } catch (error) {
        if (!conflict(error)) throw error;
      }
    },
  };
}
