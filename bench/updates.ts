import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { startAppStack } from '../dev/local-stack/app-stack';
import { customerBody } from './customers';

/**
 * `node dist-dev/bench/updates.js [--customers 200] [--connections 8] [--rounds 3]`: customer
 * updates (issue 17) beside creates, in the same run on one local stack (the real host, Azurite,
 * the emulator): per round, `--customers` creates with `Customer-Reference` and `Prefer: wait`
 * (accept → D365 → linked, one round trip each), then one `PATCH` by reference with `Prefer: wait`
 * per customer just created (link read, merge, claim, D365 read by key, PATCH with If-Match, link
 * write), each at `--connections` in flight. Reports throughput (requests/s) and p50 / p95 / p99
 * latency of both, per round and their medians, and the update / create throughput ratio.
 * Writes the JSON to --out (default bench/updates.json) and prints it.
 */
const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const CUSTOMERS = arg('customers', 200);
const CONNECTIONS = arg('connections', 8);
const ROUNDS = arg('rounds', 3);
const outAt = process.argv.indexOf('--out');
const OUT = outAt > 0 ? process.argv[outAt + 1]! : 'bench/updates.json';

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Figures {
  requests: number;
  ok: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Runs `count` requests, `CONNECTIONS` at a time; latency of each, and the throughput of the whole. */
async function measure(count: number, send: (i: number) => Promise<boolean>): Promise<Figures> {
  const latencies: number[] = [];
  let ok = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < count) {
        const i = next++;
        const at = performance.now();
        if (await send(i)) ok += 1;
        latencies.push(performance.now() - at);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    requests: count,
    ok,
    perSecond: round(count / seconds),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
  };
}

async function main(): Promise<void> {
  const stack = await startAppStack({
    settings: {
      RATE_LIMIT_PER_MINUTE: '0',
      MAX_CONCURRENT_WAITS: String(CONNECTIONS * 2),
      'AzureWebJobs.reconcileCustomers.Disabled': 'true',
      'AzureWebJobs.purgeRecords.Disabled': 'true',
    },
  });
  const rounds: { create: Figures; update: Figures }[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const tag = randomBytes(3).toString('hex');
      const create = await measure(CUSTOMERS, async (i) => {
        const response = await fetch(`${stack.url}/api/customers`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            prefer: 'wait=30',
            'customer-reference': `bench-${tag}-${i}`,
          },
          body: customerBody(tag, i),
        });
        await response.arrayBuffer();
        return response.status === 201;
      });
      const update = await measure(CUSTOMERS, async (i) => {
        const response = await fetch(`${stack.url}/api/customers/references/bench-${tag}-${i}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/merge-patch+json', prefer: 'wait=30' },
          body: JSON.stringify({
            Customer: { ContactNumber: `+1425555${String(i % 10_000).padStart(4, '0')}` },
          }),
        });
        const body = (await response.json()) as { outcome?: string };
        return response.status === 200 && body.outcome === 'updated';
      });
      rounds.push({ create, update });
      console.log(`round ${round + 1}: create ${JSON.stringify(create)} update ${JSON.stringify(update)}`);
    }
  } finally {
    await stack.stop();
  }
  const med = (pick: (r: (typeof rounds)[number]) => number) => median(rounds.map(pick));
  const result = {
    customers: CUSTOMERS,
    connections: CONNECTIONS,
    rounds,
    median: {
      createPerSecond: med((r) => r.create.perSecond),
      updatePerSecond: med((r) => r.update.perSecond),
      createP95: med((r) => r.create.p95),
      updateP95: med((r) => r.update.p95),
      updateToCreate: med((r) => Math.round((r.update.perSecond / r.create.perSecond) * 100) / 100),
    },
  };
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result.median));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
