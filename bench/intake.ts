import { randomBytes } from 'node:crypto';
import { startAzurite } from '../dev/azurite';
import { runJsonScript, startServerScript } from './child-script';
import { CpuUsage, measureCpu } from './cpu';
import { newTag } from './customers';
import { BenchEmulator } from './emulator-control';
import { LoadInput, LoadResult } from './load-client';
import { BenchOptions } from './options';
import { startOurHost } from './our-host';
import { RssReport, sampleRss } from './rss';
import { ratio } from './stats';

export interface IntakeRun extends LoadResult {
  cpu: CpuUsage | null;
  /** Memory of the server under test during this run (and its warm-up). */
  rss: RssReport;
  /** Open-loop rate asked for (half-rate runs only). */
  targetRate?: number;
}

export interface IntakeResult {
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** App settings of the host for this phase (the worker is off: both sides only write). */
  settings: Record<string, string>;
  /** One baseline run and one of ours per round, alternated, each on a fresh Azurite. */
  rounds: { baseline: IntakeRun; ours: IntakeRun }[];
  /** Means over the rounds (requests per second) and their ratio, ours / baseline. */
  baselineRequestsPerSecond: number;
  oursRequestsPerSecond: number;
  throughputRatio: number;
  throughputRatios: number[];
  /** Both, open loop at half the mean saturating rate of ours. */
  halfRate: number;
  baselineHalfRate: IntakeRun;
  oursHalfRate: IntakeRun;
}

/** The intake's settings: the worker and the reconciler off, so both sides do only the writes. */
export const INTAKE_SETTINGS = {
  'AzureWebJobs.processCustomer.Disabled': 'true',
  'AzureWebJobs.reconcileCustomers.Disabled': 'true',
};

async function load(url: string, pid: number, options: BenchOptions, rate?: number): Promise<IntakeRun> {
  const input: LoadInput = {
    url,
    connections: options.intakeConnections,
    seconds: options.intakeSeconds,
    warmupSeconds: options.intakeWarmupSeconds,
    tag: newTag(),
    ...(rate ? { rate } : {}),
  };
  const rss = sampleRss(pid);
  const cpu = measureCpu();
  const result = await runJsonScript<LoadResult>('load-client', input);
  return { ...result, cpu: cpu.stop(), rss: rss.stop(), ...(rate ? { targetRate: rate } : {}) };
}

/** A fresh Azurite and the bare baseline server on it, for one run. */
async function baselineRun(options: BenchOptions, rate?: number): Promise<IntakeRun> {
  const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  try {
    const suffix = randomBytes(4).toString('hex');
    const server = await startServerScript('baseline-server', {
      BENCH_STORAGE: azurite.connectionString,
      BENCH_TABLE: `base${suffix}`,
      BENCH_QUEUE: `base-${suffix}`,
    });
    try {
      return await load(server.url, server.pid, options, rate);
    } finally {
      await server.stop();
    }
  } finally {
    await azurite.stop();
  }
}

/** A fresh Azurite and our host on it, for one run. */
async function oursRun(options: BenchOptions, emulator: BenchEmulator, rate?: number): Promise<IntakeRun> {
  const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  try {
    const host = await startOurHost(azurite.connectionString, emulator, INTAKE_SETTINGS);
    try {
      return await load(`${host.url}/api/customers`, host.pid, options, rate);
    } finally {
      await host.stop();
    }
  } finally {
    await azurite.stop();
  }
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

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
    const baseline = await baselineRun(options);
    log(`intake ${round}/${count}: ours (POST /api/customers on the host), ${connections}`);
    const ours = await oursRun(options, emulator);
    rounds.push({ baseline, ours });
  }
  const baselineRequestsPerSecond = mean(rounds.map((r) => r.baseline.requestsPerSecond));
  const oursRequestsPerSecond = mean(rounds.map((r) => r.ours.requestsPerSecond));
  const halfRate = Math.max(1, Math.round(oursRequestsPerSecond / 2));
  log(`intake: baseline, open loop at half the saturating rate of ours (${halfRate} requests/s)`);
  const baselineHalfRate = await baselineRun(options, halfRate);
  log(`intake: ours, open loop at ${halfRate} requests/s`);
  const oursHalfRate = await oursRun(options, emulator, halfRate);
  return {
    connections: options.intakeConnections,
    seconds: options.intakeSeconds,
    warmupSeconds: options.intakeWarmupSeconds,
    settings: INTAKE_SETTINGS,
    rounds,
    baselineRequestsPerSecond: Math.round(baselineRequestsPerSecond * 10) / 10,
    oursRequestsPerSecond: Math.round(oursRequestsPerSecond * 10) / 10,
    throughputRatio: ratio(oursRequestsPerSecond, baselineRequestsPerSecond),
    throughputRatios: rounds.map((r) => ratio(r.ours.requestsPerSecond, r.baseline.requestsPerSecond)),
    halfRate,
    baselineHalfRate,
    oursHalfRate,
  };
}
