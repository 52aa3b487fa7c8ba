import { TableClient } from '@azure/data-tables';
import { BenchEmulator } from './emulator-control';
import { sleep } from './http-client';

/** A status record as the bench reads it from the table (timestamps as epoch ms, host clock). */
export interface StatusRow {
  correlationId: string;
  status: string;
  createdAt: number;
  updatedAt: number;
  attempts: number;
  outcome?: string;
  errorCode?: string;
}

const TERMINAL = new Set(['succeeded', 'failed']);

export async function readStatusRows(table: TableClient): Promise<StatusRow[]> {
  const rows: StatusRow[] = [];
  const entities = table.listEntities<Record<string, unknown>>({
    queryOptions: {
      select: ['PartitionKey', 'status', 'createdAt', 'updatedAt', 'attempts', 'outcome', 'errorCode'],
    },
  });
  for await (const e of entities) {
    // The table also holds the fleet gate's rows and the identity claims: only status records count.
    if (typeof e.status !== 'string' || typeof e.createdAt !== 'string') continue;
    rows.push({
      correlationId: String(e.partitionKey),
      status: String(e.status),
      createdAt: Date.parse(String(e.createdAt)),
      updatedAt: Date.parse(String(e.updatedAt)),
      attempts: Number(e.attempts ?? 0),
      ...(e.outcome ? { outcome: String(e.outcome) } : {}),
      ...(e.errorCode ? { errorCode: String(e.errorCode) } : {}),
    });
  }
  return rows;
}

/**
 * Waits until `expected` requests have ended (succeeded or failed). Watches the emulator's
 * customer counter (cheap) and reads the table only when the counter is done or has not moved
 * for 5 s (retries waiting on the queue, failures), so the drain is not slowed by table scans.
 */
export async function waitForTerminal(
  table: TableClient,
  emulator: BenchEmulator,
  expected: number,
  timeoutMs: number,
  progress?: (created: number) => void,
): Promise<{ rows: StatusRow[]; timedOut: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let lastCreated = -1;
  let lastChange = Date.now();
  let lastReport = Date.now();
  for (;;) {
    const { customersCreated } = await emulator.stats();
    if (customersCreated !== lastCreated) {
      lastCreated = customersCreated;
      lastChange = Date.now();
    }
    if (progress && Date.now() - lastReport >= 10_000) {
      progress(customersCreated);
      lastReport = Date.now();
    }
    if (customersCreated >= expected || Date.now() - lastChange > 5_000) {
      const rows = await readStatusRows(table);
      const ended = rows.filter((r) => TERMINAL.has(r.status)).length;
      // Every accepted request ended: the rest were never accepted (the intake refused them).
      if (ended >= expected || (ended === rows.length && Date.now() - lastChange > 5_000)) {
        return { rows, timedOut: false };
      }
      lastChange = Date.now();
    }
    if (Date.now() > deadline) return { rows: await readStatusRows(table), timedOut: true };
    await sleep(customersCreated >= expected ? 100 : 250);
  }
}
