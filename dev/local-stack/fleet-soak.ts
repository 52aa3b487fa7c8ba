// `npm run soak -- --fleet`: the fleet audit (fleet-audit.ts) at soak size from the command line,
// its report printed and, with `--out <file>`, written as JSON with the run's options and the
// machine's load (a soak on a loaded machine runs slower; the load says how loaded).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { FleetAuditOptions, fleetAuditPassed, FleetAuditReport, runFleetAudit } from './fleet-audit';
import { numberArg, stringArg } from './soak-args';

/** The 1-minute load average over the run: at its start, its end, and the highest sampled. */
export interface LoadFigures {
  cores: number;
  atStart: number[];
  atEnd: number[];
  /** The highest 1-minute load average sampled (every 10 s). */
  peak1m: number;
  /** The mean of the 1-minute samples. */
  mean1m: number;
}

/** Samples the load average every `everyMs` until stopped. */
export function sampleLoad(everyMs = 10_000, read: () => number[] = loadavg): { stop(): LoadFigures } {
  const atStart = read().map(round2);
  const samples = [atStart[0]!];
  const timer = setInterval(() => samples.push(round2(read()[0]!)), everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const atEnd = read().map(round2);
      samples.push(atEnd[0]!);
      return {
        cores: cpus().length,
        atStart,
        atEnd,
        peak1m: Math.max(...samples),
        mean1m: round2(samples.reduce((sum, v) => sum + v, 0) / samples.length),
      };
    },
  };
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** The fleet audit's options from the flags (the last given wins: see soak-args.ts). */
export function fleetSoakOptions(argv: readonly string[]): Omit<FleetAuditOptions, 'log'> {
  const arg = (name: string, fallback: number): number => numberArg(argv, name, fallback);
  return {
    hosts: arg('hosts', 3),
    customers: arg('customers', 5000),
    concurrency: arg('concurrency', 32),
    faultProbability: arg('faults', 0.2),
    kills: arg('kills', arg('restarts', 10)),
    pairs: arg('pairs', 50),
    waiters: arg('waiters', 24),
    slowLatencyMs: arg('latency', 3000),
    cap: arg('cap', 4),
    settleSeconds: arg('settle', 900),
    updates: {
      customers: arg('update-customers', 200),
      updatesPerCustomer: arg('updates', 5),
      conflicts: arg('conflicts', 20),
      faultProbability: arg('faults', 0.2),
      concurrency: arg('concurrency', 32),
      settleSeconds: arg('settle', 900),
    },
  };
}

/** `npm run soak -- --fleet`: e.g. `--customers 5000 --hosts 3 --kills 10 --out bench/soak.json`. */
export async function fleetSoak(argv: readonly string[]): Promise<boolean> {
  const options = fleetSoakOptions(argv);
  const startedAt = new Date().toISOString();
  const load = sampleLoad();
  let report: FleetAuditReport;
  let loadFigures: LoadFigures;
  try {
    const log = (line: string): void => console.log(`${new Date().toISOString()} ${line}`);
    report = await runFleetAudit({ ...options, log });
  } finally {
    loadFigures = load.stop();
    console.log(`fleet soak: load average ${JSON.stringify(loadFigures)}`);
  }
  const { lostRecords, peakCalls, updates, ...figures } = report;
  console.table(figures);
  if (updates) console.table(updates);
  if (lostRecords) console.log(`fleet soak: lost records ${JSON.stringify(lostRecords)}`);
  if (peakCalls) console.log(`fleet soak: D365 calls at the peak ${JSON.stringify(peakCalls)}`);
  const ok = fleetAuditPassed(report);
  const out = stringArg(argv, 'out');
  if (out) {
    const file = { startedAt, commit: commit(), passed: ok, options, load: loadFigures, report };
    writeFileSync(out, `${JSON.stringify(file, null, 2)}\n`);
    console.log(`fleet soak: wrote ${out}`);
  }
  console.log(
    ok ? 'fleet audit: 0 lost, 0 duplicated, 0 orphans, 0 wrongly linked, peak ≤ cap' : 'fleet audit: FAILED',
  );
  return ok;
}
