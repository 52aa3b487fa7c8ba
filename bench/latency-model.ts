import { loadavg } from 'node:os';
import { startAzurite } from '@d365-customer-sync/functions-host';
import { processCpuMs } from './cpu';
import { callsWithin } from './critical-path';
import { customerBody, newTag } from './customers';
import { BenchEmulator } from './emulator-control';
import { postJson } from './http-client';
import {
  D365Call,
  medianBreakdown,
  RequestBreakdown,
  requestBreakdown,
  timeline,
  TimelineStep,
} from './latency-breakdown';
import { BenchOptions } from './options';
import { startOurHost } from './our-host';
import { distribution, Distribution } from './stats';
import { StorageCall, startStorageCounter, StorageCounter } from './storage-counter';

/**
 * The storage latency model's figure: 4 ms a call. Microsoft publishes no latency figure for
 * standard Table or Queue Storage ("Fast, but no upper bounds on latency",
 * https://learn.microsoft.com/azure/cosmos-db/table-support, the comparison table); single-digit
 * milliseconds within a region is the order that page sets against it (Cosmos DB for Table: < 10 ms
 * reads, < 15 ms writes at p99), and 4 ms is the figure issue 33 states. Change it with
 * `--storage-delay-ms`.
 */
export const STORAGE_DELAY_SOURCE =
  'issue 33; no published figure for standard Table/Queue Storage (learn.microsoft.com/azure/cosmos-db/table-support: "Fast, but no upper bounds on latency"; Cosmos DB for Table p99 < 10 ms reads, < 15 ms writes)';

/** One arm's `Prefer: wait` creates: their latency and where it went. */
export interface LatencyArm {
  customers: number;
  latency: Distribution;
  /** p99 − D365 time: the storage calls' and our own share. */
  p99OverD365Ms: number;
  /** The medians over the requests of each part (latency-breakdown.ts). */
  breakdown: Record<string, number>;
  /**
   * The host's process CPU (user + system) over the arm's requests, per request, less what it spends
   * idle (its listeners' polls and timers, measured over 10 s before the requests) for as long.
   */
  hostCpuMsPerRequest: number | null;
}

/** `Prefer: wait` creates one at a time with every storage call delayed by `delayMs`. */
export interface LatencyModelResult extends LatencyArm {
  delayMs: number;
  source: string;
  /** D365 time of one `link` create (lookup + create, the emulator's latency each). */
  d365Ms: number;
  /**
   * The same creates, alternated one for one with the model's in the same run, on a host whose
   * storage calls are not held: what the machine alone makes of them.
   */
  withoutModel: LatencyArm;
  /** Azurite's process CPU over both arms' requests, per request (its idle share taken off the same way). */
  azuriteCpuMsPerRequest: number | null;
  /**
   * What the model's p50 would be on a machine with a core free for each process: the D365 time,
   * the round trips in a row at `delayMs` each, and every CPU millisecond the host and Azurite
   * spent per request as if all of it were on the critical path (an upper bound for that part).
   */
  quietEstimateMs: number | null;
  /** The slowest request with the model: its parts and its calls in order. */
  slowest: { breakdown: RequestBreakdown; steps: TimelineStep[] };
  loadAverageAtStart: number[];
}

/** How long the processes are watched idle before the requests (their idle CPU is taken off theirs). */
const IDLE_WINDOW_MS = 10_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Traced {
  status: number;
  breakdown: RequestBreakdown;
  steps: TimelineStep[];
}

interface Arm {
  url: string;
  pid: number;
  counter: StorageCounter;
  traced: Traced[];
  stop(): Promise<unknown>;
}

/** The D365 calls within [from, to] of the emulator's log, on the bench's clock. */
function d365Within(log: D365Call[], from: number, to: number): D365Call[] {
  return log.filter((c) => c.start >= from && c.start <= to);
}

async function traceOne(
  arm: Arm,
  tag: string,
  i: number,
): Promise<{ from: number; to: number; calls: StorageCall[]; status: number }> {
  arm.counter.record();
  const from = performance.now();
  const answer = await postJson(`${arm.url}/api/customers`, customerBody(tag, i), {
    headers: { prefer: 'wait=25' },
  });
  const to = performance.now();
  return { from, to, calls: callsWithin(arm.counter.calls(), from, to), status: answer.status };
}

function summarizeArm(traced: Traced[], d365Ms: number): Omit<LatencyArm, 'hostCpuMsPerRequest'> {
  const ok = traced.filter((t) => t.status === 201);
  const latency = distribution(ok.map((t) => t.breakdown.ms));
  return {
    customers: ok.length,
    latency,
    p99OverD365Ms: Math.round(latency.p99 - d365Ms),
    breakdown: medianBreakdown(ok.map((t) => t.breakdown)),
  };
}

/**
 * `--latency-model-customers` `Prefer: wait` creates (`link`), one at a time, alternated between a
 * host behind the latency model's proxy and one behind a proxy that holds nothing (same Azurite,
 * same emulator, same machine mood), each traced and broken down.
 */
export async function runLatencyModel(
  options: BenchOptions,
  emulator: BenchEmulator,
  log: (line: string) => void,
): Promise<LatencyModelResult> {
  log(`latency model: ${options.storageDelayMs} ms a storage call, against none, alternated`);
  await emulator.settings({ latencyMs: options.d365LatencyMs, throttle: { ratePerSecond: null } });
  const loadAverageAtStart = loadavg().map((v) => Math.round(v * 100) / 100);
  const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  const arms: Arm[] = [];
  try {
    for (const delayMs of [options.storageDelayMs, 0]) {
      const counter = await startStorageCounter(azurite.connectionString, { delayMs });
      const host = await startOurHost(counter.connectionString, emulator, { DUPLICATE_POLICY: 'link' });
      arms.push({
        url: host.url,
        pid: host.pid,
        counter,
        traced: [],
        stop: () => host.stop().then(() => counter.stop()),
      });
    }
    const tag = newTag();
    const raw: { arm: Arm; from: number; to: number; calls: StorageCall[]; status: number }[] = [];
    // Warm each host (the secret, the token, the tables) outside the figures.
    for (const [k, arm] of arms.entries()) await traceOne(arm, tag, k);
    const cpuNow = (): (number | null)[] => [
      ...arms.map((a) => processCpuMs(a.pid)),
      processCpuMs(azurite.pid),
    ];
    // What the processes spend idle (the listeners' polls, the timers), per millisecond: taken off below.
    const idleFrom = { at: performance.now(), cpu: cpuNow() };
    await sleep(IDLE_WINDOW_MS);
    const idleTo = { at: performance.now(), cpu: cpuNow() };
    const cpuBefore = { at: performance.now(), cpu: cpuNow() };
    for (let i = 1; i <= options.latencyModelCustomers; i += 1)
      for (const [k, arm] of arms.entries()) raw.push({ arm, ...(await traceOne(arm, tag, 10 * i + k)) });
    const cpuAfter = { at: performance.now(), cpu: cpuNow() };
    const cpuPer = (i: number, requests: number): number | null => {
      const [a, b, c, d] = [idleFrom.cpu[i], idleTo.cpu[i], cpuBefore.cpu[i], cpuAfter.cpu[i]];
      if (a == null || b == null || c == null || d == null) return null;
      const idlePerMs = (b - a) / (idleTo.at - idleFrom.at);
      const busy = d - c - idlePerMs * (cpuAfter.at - cpuBefore.at);
      return Math.round((Math.max(0, busy) / requests) * 10) / 10;
    };
    const origin = performance.timeOrigin;
    const d365 = (await emulator.requests('d365')).map((r) => ({
      start: r.atMs - origin,
      end: r.atMs - origin + (r.durationMs ?? 0),
      endpoint: r.endpoint,
    }));
    for (const r of raw) {
      const own = d365Within(d365, r.from, r.to);
      r.arm.traced.push({
        status: r.status,
        breakdown: requestBreakdown(r.calls, own, r.from, r.to),
        steps: timeline(r.calls, own, r.from),
      });
    }
    const d365Ms = 2 * options.d365LatencyMs;
    const [model, plain] = arms as [Arm, Arm];
    const withModel = {
      ...summarizeArm(model.traced, d365Ms),
      hostCpuMsPerRequest: cpuPer(0, raw.length / 2),
    };
    const azuriteCpuMsPerRequest = cpuPer(2, raw.length);
    const slowest = [...model.traced].sort((a, b) => b.breakdown.ms - a.breakdown.ms)[0];
    return {
      delayMs: options.storageDelayMs,
      source: STORAGE_DELAY_SOURCE,
      d365Ms,
      ...withModel,
      withoutModel: { ...summarizeArm(plain.traced, d365Ms), hostCpuMsPerRequest: cpuPer(1, raw.length / 2) },
      azuriteCpuMsPerRequest,
      quietEstimateMs:
        withModel.hostCpuMsPerRequest === null || azuriteCpuMsPerRequest === null
          ? null
          : Math.round(
              d365Ms +
                withModel.breakdown.sequential! * options.storageDelayMs +
                withModel.hostCpuMsPerRequest +
                azuriteCpuMsPerRequest,
            ),
      slowest: slowest
        ? { breakdown: slowest.breakdown, steps: slowest.steps }
        : { breakdown: requestBreakdown([], [], 0, 0), steps: [] },
      loadAverageAtStart,
    };
  } finally {
    for (const arm of arms.reverse()) await arm.stop().catch(() => undefined);
    await azurite.stop();
  }
}
