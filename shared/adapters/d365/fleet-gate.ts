import { randomUUID } from 'node:crypto';
import { RestError, TableClient, TableEntityResult } from '@azure/data-tables';
import { transient } from '../../domain/failure';
import { D365Gate, GateSlot } from '../../ports';
import { localSemaphore, throttledFor } from './d365-gate';

/** The partition of the status table that holds the gate: rows `slot-0` … `slot-N-1` and `pause`. */
export const GATE_PARTITION = '~d365-gate';

export interface FleetGateOptions {
  /** Slots across the fleet (D365_MAX_CONCURRENCY). */
  slots: number;
  /** How long one D365 call may take (D365_TIMEOUT_MS): a held slot always covers one more call. */
  callTimeoutMs: number;
  now?: () => number;
}

interface SlotRow {
  partitionKey: string;
  rowKey: string;
  holder: string;
  /** Epoch ms until which the holder owns the slot; 0 = free. A killed holder's slot frees itself then. */
  until: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const conflict = (error: unknown): boolean =>
  error instanceof RestError && [404, 409, 412].includes(error.statusCode ?? 0);

/**
 * The D365 gate of the whole fleet, as a semaphore of N rows in one Table partition (the status
 * table's storage account, so no new resource): a slot is taken by a conditional write (insert, or
 * replace with the row's ETag) of a row that is free or whose holder's time ran out; one query of the
 * partition shows every slot and the shared throttling pause (`pause` row, `until`). Invocations of
 * one instance queue in memory first, so at most N of them poll storage.
 */
export function fleetGate(table: () => Promise<TableClient>, options: FleetGateOptions): D365Gate {
  const now = options.now ?? Date.now;
  const local = localSemaphore(options.slots);
  // A slot is held across a lookup and a create: two calls, plus a margin for the writes around them.
  const holdMs = 2 * options.callTimeoutMs + 5_000;
  let knownPause = 0;

  const readPartition = async (client: TableClient) => {
    const rows = new Map<string, TableEntityResult<SlotRow>>();
    for await (const row of client.listEntities<SlotRow>({
      queryOptions: { filter: `PartitionKey eq '${GATE_PARTITION}'` },
    }))
      rows.set(row.rowKey!, row);
    knownPause = Math.max(knownPause, Number(rows.get('pause')?.until ?? 0));
    return rows;
  };

  /** One try at a free fleet slot: the held row, or undefined when every slot is taken. */
  const tryTake = async (client: TableClient, rows: Map<string, TableEntityResult<SlotRow>>) => {
    const holder = randomUUID();
    const offset = Math.floor(Math.random() * options.slots);
    for (let k = 0; k < options.slots; k += 1) {
      const rowKey = `slot-${(offset + k) % options.slots}`;
      const row = rows.get(rowKey);
      if (row && Number(row.until) > now()) continue;
      const entity: SlotRow = { partitionKey: GATE_PARTITION, rowKey, holder, until: now() + holdMs };
      try {
        const written = row
          ? await client.updateEntity(entity, 'Replace', { etag: row.etag })
          : await client.createEntity(entity);
        return { entity, etag: written.etag ?? '' };
      } catch (error) {
        if (!conflict(error)) throw error;
      }
    }
    return undefined;
  };

  return {
    async acquire(maxWaitMs) {
      const deadline = now() + maxWaitMs;
      if (knownPause > deadline) return { retryAt: knownPause, reason: 'paused' };
      if (!(await local.acquire(maxWaitMs))) return { retryAt: now() + 100, reason: 'busy' };
      try {
        const client = await table();
        for (let backoff = 25; ; backoff = Math.min(400, backoff * 2)) {
          const rows = await readPartition(client);
          if (knownPause > now()) {
            if (knownPause > deadline) break;
            await sleep(knownPause - now());
            continue;
          }
          const taken = await tryTake(client, rows);
          if (taken) return heldSlot(client, taken);
          if (now() + backoff > deadline) break;
          await sleep(backoff * (0.5 + Math.random()));
        }
      } catch (error) {
        local.release();
        throw error;
      }
      local.release();
      return knownPause > now()
        ? { retryAt: knownPause, reason: 'paused' }
        : { retryAt: now() + 100, reason: 'busy' };
    },

    async pause(seconds) {
      const until = now() + seconds * 1000;
      knownPause = Math.max(knownPause, until);
      const client = await table();
      for (let tries = 0; tries < 3; tries += 1) {
        const rows = await readPartition(client);
        const row = rows.get('pause');
        if (row && Number(row.until) >= until) return;
        const entity = { partitionKey: GATE_PARTITION, rowKey: 'pause', holder: '', until };
        try {
          if (row) await client.updateEntity(entity, 'Replace', { etag: row.etag });
          else await client.createEntity(entity);
          return;
        } catch (error) {
          if (!conflict(error)) throw error;
        }
      }
    },

    pausedUntil: () => knownPause,
  };

  function heldSlot(client: TableClient, taken: { entity: SlotRow; etag: string }): GateSlot {
    let { etag } = taken;
    const { entity } = taken;
    let released = false;
    return {
      async run(call) {
        while (knownPause > now()) await sleep(knownPause - now());
        if (entity.until - now() < options.callTimeoutMs + 2_000) {
          // Keep the slot for one more call; a conflict means our time ran out and someone took it.
          entity.until = now() + holdMs;
          try {
            etag = (await client.updateEntity(entity, 'Replace', { etag })).etag ?? '';
          } catch (error) {
            if (conflict(error)) throw transient('the fleet D365 slot ran out before the call');
            throw error;
          }
        }
        try {
          return await call();
        } catch (error) {
          // Paused here before the slot goes to the next waiter; the use-case then tells the fleet.
          const seconds = throttledFor(error);
          if (seconds !== undefined) knownPause = Math.max(knownPause, now() + seconds * 1000);
          throw error;
        }
      },
      async release() {
        if (released) return;
        released = true;
        try {
          await client.updateEntity({ ...entity, holder: '', until: 0 }, 'Replace', { etag });
        } catch (error) {
          if (!conflict(error)) throw error;
        } finally {
          local.release();
        }
      },
    };
  }
}
