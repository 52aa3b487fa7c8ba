import { startAzurite } from '@d365-customer-sync/functions-host';
import { drainSettings } from './end-to-end';
import { customerBody, newTag } from './customers';
import { BenchEmulator } from './emulator-control';
import { openLoop, postJson } from './http-client';
import { BenchOptions } from './options';
import { startOurHost } from './our-host';
import { waitForTerminal } from './status-table';
import { distribution, Distribution } from './stats';

/** One run of the keyed-intake check: the same load with and without an Idempotency-Key. */
export interface KeyedRun {
  keyed: boolean;
  customers: number;
  ratePerSecond: number;
  acceptToSucceeded: Distribution;
  /** Customers that took longer than a minute from acceptance to success. */
  overOneMinute: number;
  /** How often the host ran processCustomer, and how often the app claimed a request. */
  invocations: number;
  claims: number;
}

export interface KeyedResult {
  settings: Record<string, string>;
  runs: KeyedRun[];
}

/**
 * Opt-in (`--only keyed`): requests with an Idempotency-Key are written `accepting`, queued, then
 * marked `queued`. A worker that reads the record before that last write loses its claim to it and
 * puts the message back for PROCESSING_LEASE_SECONDS. This counts how often that happens under a
 * steady load (deliveries without a claim) and what it costs (customers over a minute), keyed and
 * not keyed, with the drain settings and DUPLICATE_POLICY=create.
 */
export async function runKeyedIntake(
  options: BenchOptions,
  emulator: BenchEmulator,
  log: (line: string) => void,
): Promise<KeyedResult> {
  const settings = { ...drainSettings(options), DUPLICATE_POLICY: 'create' };
  const customers = options.keyedCustomers;
  const rate = options.keyedRate;
  const runs: KeyedRun[] = [];
  await emulator.settings({
    latencyMs: options.d365LatencyMs,
    throttle: { ratePerSecond: options.throttleRate || null },
  });
  for (const keyed of [false, true]) {
    await emulator.reset();
    const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
    try {
      const host = await startOurHost(azurite.connectionString, emulator, settings);
      try {
        log(
          `keyed intake: ${customers} customers at ${rate}/s, ${keyed ? 'with' : 'without'} Idempotency-Key`,
        );
        const tag = newTag();
        await openLoop(rate, customers, (i) =>
          postJson(`${host.url}/api/customers`, customerBody(tag, i), {
            headers: keyed ? { 'idempotency-key': `${tag}-${i}` } : {},
          }),
        );
        const { rows } = await waitForTerminal(
          host.table,
          emulator,
          customers,
          options.drainTimeoutSeconds * 1000,
        );
        const latencies = rows.filter((r) => r.status === 'succeeded').map((r) => r.updatedAt - r.createdAt);
        runs.push({
          keyed,
          customers,
          ratePerSecond: rate,
          acceptToSucceeded: distribution(latencies),
          overOneMinute: latencies.filter((ms) => ms > 60_000).length,
          invocations: host.events.processCustomer ?? 0,
          claims: host.events['customer.processing'] ?? 0,
        });
      } finally {
        await host.stop();
      }
    } finally {
      await azurite.stop();
    }
  }
  return { settings, runs };
}
