import { TableClient } from '@azure/data-tables';
import { startAzurite } from '@d365-customer-sync/functions-host';
import { fleetGate } from '../shared/adapters/d365/fleet-gate';
import { tableIdentityClaims } from '../shared/adapters/table-identity-claims';

/**
 * The fleet gate's and the identity claim's cost per D365 call, on Azurite: `node
 * dist-dev/bench/fleet-gate.js [calls]`. Uncontended (one caller: acquire = one partition query +
 * one conditional write, release = one write) and contended (3 gates, as 3 instances, 12 callers, 4 slots).
 */
async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 300);
  const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  try {
    const client = TableClient.fromConnectionString(azurite.connectionString, 'benchgate', {
      allowInsecureConnection: true,
    });
    await client.createTable();
    const table = async (): Promise<TableClient> => client;
    const percentile = (values: number[], p: number): number =>
      [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

    const gate = fleetGate(table, { slots: 4, callTimeoutMs: 30_000 });
    const single: number[] = [];
    for (let i = 0; i < calls; i += 1) {
      const t = performance.now();
      const slot = await gate.acquire(10_000);
      if (!('run' in slot)) throw new Error('no slot');
      await slot.run(async () => undefined);
      await slot.release();
      single.push(performance.now() - t);
    }
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
    console.table({
      'gate, uncontended (acquire+release), ms': { p50: percentile(single, 50), p95: percentile(single, 95) },
      'identity claim (claim+extend+release), ms': { p50: percentile(claim, 50), p95: percentile(claim, 95) },
      'gate, 3 instances x 4 callers, 4 slots, 20 ms calls: wait ms': {
        p50: percentile(waits, 50),
        p95: percentile(waits, 95),
      },
    });
    console.log(`contended: ${calls} calls in ${seconds.toFixed(1)} s, peak ${peak} in flight (cap 4)`);
  } finally {
    await azurite.stop();
  }
}

void main();
