import { resolve } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { startAzurite } from '@d365-customer-sync/functions-host';
import { fleetGate as shippedGate } from '../shared/adapters/d365/fleet-gate';
import { tableIdentityClaims } from '../shared/adapters/table-identity-claims';
import { startStorageCounter, StorageCounts } from './storage-counter';

type GateFactory = typeof shippedGate;

/**
 * The fleet gate's and the identity claim's cost per D365 call, on Azurite behind the counting
 * proxy: `node dist-dev/bench/fleet-gate.js [calls] [gate module]`. Uncontended (one caller, one
 * at a time), and contended (3 gates as 3 instances, 4 callers each, 4 slots, 20 ms calls): storage
 * transactions per call, by operation, calls per second and the peak in flight. A second argument
 * loads another build of the gate (a module exporting `fleetGate`) for a before/after comparison.
 */
async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 300);
  const fleetGate: GateFactory = process.argv[3]
    ? ((await import(resolve(process.argv[3]))) as { fleetGate: GateFactory }).fleetGate
    : shippedGate;
  const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  const counter = await startStorageCounter(azurite.connectionString);
  try {
    const client = TableClient.fromConnectionString(counter.connectionString, 'benchgate', {
      allowInsecureConnection: true,
    });
    await client.createTable();
    const table = async (): Promise<TableClient> => client;
    const percentile = (values: number[], p: number): number =>
      [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
    const perCall = (counts: StorageCounts, n: number) =>
      Object.fromEntries(
        [['total', counts.total], ...Object.entries(counts.byOperation)].map(([op, v]) => [
          op,
          Math.round(((v as number) / n) * 100) / 100,
        ]),
      );

    const gate = fleetGate(table, { slots: 4, callTimeoutMs: 30_000 });
    const single: number[] = [];
    counter.reset();
    for (let i = 0; i < calls; i += 1) {
      const t = performance.now();
      const slot = await gate.acquire(10_000);
      if (!('run' in slot)) throw new Error('no slot');
      await slot.run(async () => undefined);
      await slot.release();
      single.push(performance.now() - t);
    }
    const uncontended = perCall(counter.counts(), calls);
    const claims = tableIdentityClaims(table);
    const claim: number[] = [];
    for (let i = 0; i < calls; i += 1) {
      const t = performance.now();
      const held = await claims.claim(`k${i}`, 'owner', new Date(Date.now() + 60_000).toISOString());
      if ('held' in held) throw new Error('held');
      await held.extend(new Date(Date.now() + 90_000).toISOString());
      await held.release();
      claim.push(performance.now() - t);
    }
    const gates = [0, 1, 2].map(() => fleetGate(table, { slots: 4, callTimeoutMs: 30_000 }));
    const waits: number[] = [];
    let inFlight = 0;
    let peak = 0;
    counter.reset();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 12 }, async (_, c) => {
        for (let i = 0; i < calls / 12; i += 1) {
          const t = performance.now();
          const slot = await gates[c % 3]!.acquire(60_000);
          if (!('run' in slot)) throw new Error('no slot');
          waits.push(performance.now() - t);
          await slot.run(async () => {
            peak = Math.max(peak, ++inFlight);
            await new Promise((r) => setTimeout(r, 20)); // a 20 ms D365 call
            inFlight -= 1;
          });
          await slot.release();
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const contended = perCall(counter.counts(), calls);
    console.table({
      'gate, uncontended (acquire+release), ms': { p50: percentile(single, 50), p95: percentile(single, 95) },
      'identity claim (claim+extend+release), ms': { p50: percentile(claim, 50), p95: percentile(claim, 95) },
      'gate, 3 instances x 4 callers, 4 slots, 20 ms calls: wait ms': {
        p50: percentile(waits, 50),
        p95: percentile(waits, 95),
      },
    });
    console.log('storage transactions per call, uncontended:', JSON.stringify(uncontended));
    console.log('storage transactions per call, contended:', JSON.stringify(contended));
    console.log(
      `contended: ${calls} calls in ${seconds.toFixed(1)} s (${(calls / seconds).toFixed(1)}/s; 4 slots of 20 ms allow 200/s), peak ${peak} in flight (cap 4)`,
    );
  } finally {
    await counter.stop();
    await azurite.stop();
  }
}

void main();
