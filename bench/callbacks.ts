import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { startAppStack } from '../dev/local-stack/app-stack';
import { newCallbackSecret, startCallbackReceiver } from '../dev/local-stack/callback-receiver';
import { customerBody } from './customers';
import { emulatorVault } from '../dev/local-stack/emulator-clients';

/**
 * `node dist-dev/bench/callbacks.js [--seconds 10] [--rounds 3] [--connections 16] [--latency 200]`:
 * the result-callback figures on the local stack (the real host, Azurite, the emulator, an HTTPS
 * receiver verifying with `standardwebhooks`):
 * - callback delivery latency: request ended (the event's `timestamp`, the record's `updatedAt`)
 *   → the receiver took it, at a low open-loop rate (10/s), worker on, p50 / p95 / p99;
 * - intake throughput with callbacks off (no `Callback-Url`) and on (every request has one),
 *   alternated in rounds on one stack in the same run, the worker off as in the intake phase of
 *   `npm run bench` (both sides only write; with it on, the D365 backlog the load builds swamps
 *   the figure on 2 cores); the ratio is on / off per round, and their median.
 * Writes the JSON to --out (default bench/callbacks.json) and prints it.
 */
const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const SECONDS = arg('seconds', 10);
const ROUNDS = arg('rounds', 3);
const CONNECTIONS = arg('connections', 16);
const LATENCY_REQUESTS = arg('latency', 200);
const outAt = process.argv.indexOf('--out');
const OUT = outAt > 0 ? process.argv[outAt + 1]! : 'bench/callbacks.json';

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const secret = newCallbackSecret();
  const receiver = await startCallbackReceiver(secret);
  const start = (extra: Record<string, string>) =>
    startAppStack({
      extraCaCertPems: [receiver.caCertPem],
      settings: {
        CALLBACK_ALLOWED_HOSTS: `127.0.0.1:${receiver.port}`,
        CALLBACK_ALLOWED_PRIVATE_ADDRESSES: '127.0.0.1',
        // One load generator stands for many terminals: the per-caller budget is off, as in bench/our-host.ts.
        RATE_LIMIT_PER_MINUTE: '0',
        'AzureWebJobs.reconcileCustomers.Disabled': 'true',
        'AzureWebJobs.purgeRecords.Disabled': 'true',
        ...extra,
      },
    });
  let stack = await start({});
  try {
    const vault = emulatorVault(stack.emulator.url);
    await vault.setSecret('callback-signing-secret', secret);
    const callbackUrl = receiver.url('/bench');

    // Delivery latency at a low rate, the worker on.
    const latencyPath = '/latency';
    const tag = randomBytes(4).toString('hex');
    for (let i = 0; i < LATENCY_REQUESTS; i++) {
      void fetch(`${stack.url}/api/customers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'callback-url': receiver.url(latencyPath) },
        body: customerBody(tag, i),
      });
      await new Promise((r) => setTimeout(r, 100));
    }
    await receiver.waitFor(
      (all) => all.filter((e) => e.path === latencyPath).length >= LATENCY_REQUESTS,
      120_000,
    );
    const latencies = receiver
      .events()
      .filter((e) => e.path === latencyPath)
      .map((e) => e.receivedAt - Date.parse(e.body.timestamp))
      .sort((a, b) => a - b);
    await stack.stop();
    // Intake throughput, the worker off, on a fresh stack.
    stack = await start({ 'AzureWebJobs.processCustomer.Disabled': 'true' });
    const run = async (withCallbacks: boolean, seconds: number): Promise<number> => {
      const tag = randomBytes(4).toString('hex');
      let n = 0;
      let ok = 0;
      const instance = autocannon({
        url: `${stack.url}/api/customers`,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          {
            setupRequest: (request) => ({
              ...request,
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                ...(withCallbacks && { 'callback-url': callbackUrl }),
              },
              body: customerBody(tag, n++),
            }),
          },
        ],
      });
      let refused = 0;
      instance.on('response', (_c, status) => {
        if (status === 202) ok++;
        else refused++;
      });
      const result = await instance;
      if (refused > 0) console.error(`${refused} answers were not 202`);
      return ok / result.duration;
    };

    await run(true, 3); // warm-up (both paths)
    await run(false, 3);
    const rounds: { off: number; on: number; ratio: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so a backlog left by one run weighs on both alike.
      const first = round % 2 === 0 ? false : true;
      const a = await run(first, SECONDS);
      const b = await run(!first, SECONDS);
      const off = first ? b : a;
      const on = first ? a : b;
      rounds.push({ off: Math.round(off), on: Math.round(on), ratio: Math.round((on / off) * 1000) / 1000 });
      console.error(`round ${round + 1}: off ${off.toFixed(0)}/s, on ${on.toFixed(0)}/s`);
    }

    // Interleaved: the same connections alternate off / on request by request, so whatever else
    // the machine does weighs on both alike; throughput on / off = mean latency off / on.
    const interleaved = { off: [] as number[], on: [] as number[] };
    const tagI = randomBytes(4).toString('hex');
    let m = 0;
    const until = Date.now() + SECONDS * ROUNDS * 1000;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, worker) => {
        for (let k = worker % 2; Date.now() < until; k++) {
          const on = k % 2 === 1;
          const started = performance.now();
          const answer = await fetch(`${stack.url}/api/customers`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(on && { 'callback-url': callbackUrl }) },
            body: customerBody(tagI, m++),
          });
          await answer.arrayBuffer();
          if (answer.status === 202)
            (on ? interleaved.on : interleaved.off).push(performance.now() - started);
        }
      }),
    );
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const interleavedRatio = Math.round((mean(interleaved.off) / mean(interleaved.on)) * 1000) / 1000;
    console.error(
      `interleaved: off ${interleaved.off.length} req, mean ${mean(interleaved.off).toFixed(1)} ms; on ${interleaved.on.length} req, mean ${mean(interleaved.on).toFixed(1)} ms`,
    );
    const report = {
      connections: CONNECTIONS,
      seconds: SECONDS,
      rounds,
      throughputRatio: median(rounds.map((r) => r.ratio)),
      interleaved: {
        offRequests: interleaved.off.length,
        onRequests: interleaved.on.length,
        offMeanMs: Math.round(mean(interleaved.off) * 10) / 10,
        onMeanMs: Math.round(mean(interleaved.on) * 10) / 10,
        throughputRatio: interleavedRatio,
      },
      deliveryLatencyMs: {
        requests: latencies.length,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        max: latencies.at(-1),
      },
      workerDuringThroughput: 'off',
      duplicatesDelivered: receiver.deliveries().length - receiver.events().length,
      invalidSignatures: receiver.invalid().length,
    };
    writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await stack.stop();
    await receiver.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
