import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startAzurite } from '@d365-customer-sync/functions-host';
import { runJsonScript, startServerScript } from './child-script';
import { CpuUsage, measureCpu, processCpuMs, waitForQuiet } from './cpu';
import { newTag } from './customers';
import { BenchEmulator } from './emulator-control';
import { LoadInput, LoadResult } from './load-client';
import { BenchOptions } from './options';
import { startOurHost } from './our-host';
import { Probe, probe, ProbeSegment, ProfileSummary, summarizeCpuProfileFile } from './probe';
import { repoRoot } from './paths';
import { RssReport, sampleRss } from './rss';
import { ratio } from './stats';

export interface IntakeRun extends LoadResult {
  cpu: CpuUsage | null;
  /**
   * CPU time per request (ms, warm-up included) of the server under test and of Azurite: what a
   * request costs each process, whatever else the machine was doing.
   */
  cpuMsPerRequest: { server: number | null; azurite: number | null };
  /** Memory of the server under test during this run (and its warm-up). */
  rss: RssReport;
  /** Open-loop rate asked for (half-rate runs only). */
  targetRate?: number;
  /**
   * Inside the server during the measured run (`loop-probe.ts`): event-loop delay and utilisation,
   * GC pauses; undefined when the probe wrote nothing.
   */
  probe?: ProbeSegment;
  /** The CPU profile of the measured run (the extra profiled run only). */
  cpuProfile?: ProfileSummary;
}

export interface IntakeResult {
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** App settings of the host for this phase (the worker is off: both sides only write). */
  settings: Record<string, string>;
  /** One baseline run and one of ours per round, alternated, each on a fresh Azurite. */
  rounds: { baseline: IntakeRun; ours: IntakeRun }[];
  /** Means over the rounds (requests per second). */
  baselineRequestsPerSecond: number;
  oursRequestsPerSecond: number;
  /** ours / baseline requests per second, per round, and their median (the figure reported). */
  throughputRatios: number[];
  throughputRatio: number;
  /**
   * Requests per second per core the bench's processes used (load generator, server, Azurite,
   * emulator), ours / baseline, per round and median: less sensitive to what else runs on the
   * machine than raw throughput.
   */
  efficiencyRatios: number[];
  efficiencyRatio: number;
  /** Both, open loop at half the mean saturating rate of ours. */
  halfRate: number;
  baselineHalfRate: IntakeRun;
  oursHalfRate: IntakeRun;
  /**
   * With `--intake-cpu-profile 1`: one more open-loop run of ours at `halfRate` under the inspector's
   * profiler (after the measured ones, whose figures it would distort), its profile summarized.
   */
  oursProfiled?: IntakeRun;
  /** The same for the baseline, to compare where each spends its CPU. */
  baselineProfiled?: IntakeRun;
}

/**
 * The intake's settings: the workers and the timers off, so both sides do only the writes (the
 * callback worker too: idle, it polls its queue 4 times a second, Azurite work the baseline has not).
 */
export const INTAKE_SETTINGS = {
  'AzureWebJobs.processCustomer.Disabled': 'true',
  'AzureWebJobs.deliverCallbacks.Disabled': 'true',
  'AzureWebJobs.reconcileCustomers.Disabled': 'true',
  'AzureWebJobs.purgeRecords.Disabled': 'true',
};

export type Log = (line: string) => void;

/**
 * One load run: the URL, the processes whose CPU counts, the open-loop rate (none: saturate), and
 * for the webhook phase the sender whose signed requests to post (`url` is then the host's base).
 */
export interface LoadTarget {
  url: string;
  pids: { server: number; azurite: number };
  rate?: number;
  route?: LoadInput['route'];
  secrets?: LoadInput['secrets'];
  /** The probe preloaded into the server: the load generator marks its measured run for it. */
  probe?: Probe;
}

/** Waits for a quiet machine, then runs the load generator once against `target`, measuring CPU and memory. */
export async function load(target: LoadTarget, options: BenchOptions, log: Log): Promise<IntakeRun> {
  const { url, pids, rate } = target;
  await waitForQuiet(log);
  const input: LoadInput = {
    url,
    connections: options.intakeConnections,
    seconds: options.intakeSeconds,
    warmupSeconds: options.intakeWarmupSeconds,
    tag: newTag(),
    ...(rate ? { rate } : {}),
    ...(target.route ? { route: target.route, secrets: target.secrets } : {}),
    ...(target.probe ? { markPid: pids.server } : {}),
  };
  const rss = sampleRss(pids.server);
  const cpu = measureCpu();
  const before = { server: processCpuMs(pids.server), azurite: processCpuMs(pids.azurite) };
  const result = await runJsonScript<LoadResult>('load-client', input);
  const handled = result.requests + (result.warmupRequests ?? 0);
  const perRequest = (pid: number, start: number | null): number | null => {
    const end = processCpuMs(pid);
    return end === null || start === null || handled === 0
      ? null
      : Math.round(((end - start) / handled) * 1000) / 1000;
  };
  const cpuMsPerRequest = {
    server: perRequest(pids.server, before.server),
    azurite: perRequest(pids.azurite, before.azurite),
  };
  const usage = cpu.stop();
  const inside = await target.probe?.measured(2);
  const profile = inside?.cpuProfile
    ? summarizeCpuProfileFile(inside.cpuProfile, { repo: repoRoot() })
    : undefined;
  return {
    ...result,
    cpu: usage,
    cpuMsPerRequest,
    rss: rss.stop(),
    ...(rate ? { targetRate: rate } : {}),
    ...(inside ? { probe: inside } : {}),
    ...(profile ? { cpuProfile: profile } : {}),
  };
}

/** A fresh Azurite and the bare baseline server on it, for one run. */
async function baselineRun(
  options: BenchOptions,
  log: Log,
  rate?: number,
  { profile = false } = {},
): Promise<IntakeRun> {
  const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  try {
    const suffix = randomBytes(4).toString('hex');
    const inside = profile
      ? probe('intake-baseline-half-rate', { profileDir: join(options.outDir, 'profiles') })
      : probe('intake-baseline');
    const server = await startServerScript('baseline-server', {
      BENCH_STORAGE: azurite.connectionString,
      BENCH_TABLE: `base${suffix}`,
      BENCH_QUEUE: `base-${suffix}`,
      ...inside.env,
    });
    try {
      return await load(
        { url: server.url, pids: { server: server.pid, azurite: azurite.pid }, rate, probe: inside },
        options,
        log,
      );
    } finally {
      await server.stop();
    }
  } finally {
    await azurite.stop();
  }
}

/** A fresh Azurite and our host on it, for one run. */
async function oursRun(
  options: BenchOptions,
  emulator: BenchEmulator,
  log: Log,
  rate?: number,
  { profile = false } = {},
): Promise<IntakeRun> {
  const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  try {
    const inside = profile
      ? probe('intake-ours-half-rate', { profileDir: join(options.outDir, 'profiles') })
      : probe('intake-ours');
    const host = await startOurHost(azurite.connectionString, emulator, INTAKE_SETTINGS, { env: inside.env });
    try {
      return await load(
        {
          url: `${host.url}/api/customers`,
          pids: { server: host.pid, azurite: azurite.pid },
          rate,
          probe: inside,
        },
        options,
        log,
      );
    } finally {
      await host.stop();
    }
  } finally {
    await azurite.stop();
  }
}

export const mean = (values: number[]): number =>
  values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
export const median = (values: number[]): number => {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[middle]!
    : Math.round(((sorted[middle - 1]! + sorted[middle]!) / 2) * 100) / 100;
};

/**
 * Item 1. The baseline (bare node:http doing the same two writes) and our intake
 * (`POST /api/customers` on the Functions host), each against a fresh in-memory Azurite, at the
 * same fixed concurrency for the same time, alternated for `intakeRounds` rounds; then both open
 * loop at half the mean saturating rate of ours.
 */
export async function runIntake(
  options: BenchOptions,
  emulator: BenchEmulator,
  log: (line: string) => void,
): Promise<IntakeResult> {
  const rounds: { baseline: IntakeRun; ours: IntakeRun }[] = [];
  const count = Math.max(1, options.intakeRounds);
  const connections = `${options.intakeConnections} connections, ${options.intakeSeconds} s`;
  for (let round = 1; round <= count; round += 1) {
    log(`intake ${round}/${count}: baseline (bare node:http, same writes), ${connections}`);
    const baseline = await baselineRun(options, log);
    log(`intake ${round}/${count}: ours (POST /api/customers on the host), ${connections}`);
    const ours = await oursRun(options, emulator, log);
    rounds.push({ baseline, ours });
  }
  const baselineRequestsPerSecond = mean(rounds.map((r) => r.baseline.requestsPerSecond));
  const oursRequestsPerSecond = mean(rounds.map((r) => r.ours.requestsPerSecond));
  const throughputRatios = rounds.map((r) => ratio(r.ours.requestsPerSecond, r.baseline.requestsPerSecond));
  const perCore = (run: IntakeRun): number => run.requestsPerSecond / (run.cpu?.benchCores || NaN);
  const efficiencyRatios = rounds.map((r) => ratio(perCore(r.ours), perCore(r.baseline)));
  const halfRate = Math.max(1, Math.round(oursRequestsPerSecond / 2));
  log(`intake: baseline, open loop at half the saturating rate of ours (${halfRate} requests/s)`);
  const baselineHalfRate = await baselineRun(options, log, halfRate);
  log(`intake: ours, open loop at ${halfRate} requests/s`);
  const oursHalfRate = await oursRun(options, emulator, log, halfRate);
  let profiled: { baselineProfiled: IntakeRun; oursProfiled: IntakeRun } | undefined;
  if (options.intakeCpuProfile > 0) {
    log(`intake: both again at ${halfRate} requests/s under the CPU profiler (not measured figures)`);
    profiled = {
      baselineProfiled: await baselineRun(options, log, halfRate, { profile: true }),
      oursProfiled: await oursRun(options, emulator, log, halfRate, { profile: true }),
    };
  }
  return {
    connections: options.intakeConnections,
    seconds: options.intakeSeconds,
    warmupSeconds: options.intakeWarmupSeconds,
    settings: INTAKE_SETTINGS,
    rounds,
    baselineRequestsPerSecond: Math.round(baselineRequestsPerSecond * 10) / 10,
    oursRequestsPerSecond: Math.round(oursRequestsPerSecond * 10) / 10,
    throughputRatios,
    throughputRatio: median(throughputRatios),
    efficiencyRatios,
    efficiencyRatio: median(efficiencyRatios),
    halfRate,
    baselineHalfRate,
    oursHalfRate,
    ...profiled,
  };
}
