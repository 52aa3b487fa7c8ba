import { ColdStartResult } from './cold-start';
import { CountsResult } from './counts';
import { LatencyModelResult } from './latency-model';
import { FleetResult } from './fleet';
import { FairnessResult } from './fairness';
import type { FoEventsResult } from './fo-events';
import { DrainRun, EndToEndResult } from './end-to-end';
import { IntakeResult } from './intake';
import { KeyedResult } from './keyed-intake';
import { SettleCostResult } from './settle-cost';
import { LowLoadResult } from './low-load';
import { NaiveResult, ScenarioRun } from './naive-comparison';
import { BenchOptions } from './options';
import { RssReport } from './rss';
import { WebhookIntakeResult } from './webhook-intake';

/** Everything `npm run bench` measured: written to bench/results.json. */
export interface Results {
  machine: {
    cpu: string;
    cores: number;
    memoryGiB: number;
    node: string;
    os: string;
    date: string;
    commit: string;
    /** Tracked files changed since the commit (0: the figures are the commit's). */
    uncommittedChanges: number;
    loadAverageAtStart: number[];
  };
  options: BenchOptions;
  /**
   * The headline counts (issue 33), machine-independent: the longest chain of storage calls one
   * `Prefer: wait` create (`DUPLICATE_POLICY=link`, the default) waits for, and storage
   * transactions per customer (`create`: the counts phase's queued creates, one host; `fleet`: the
   * fleet phase's, every call of 3 hosts over the drain). Null when the phase did not run.
   */
  preferWaitSequentialStorageCalls?: number | null;
  storageTransactionsPerCustomer?: { create: number | null; fleet: number | null };
  durationSeconds: number;
  /** Time spent waiting for other processes on the machine to go quiet before measurements. */
  quietWaitSeconds: number;
  intake?: IntakeResult;
  webhooks?: WebhookIntakeResult;
  endToEnd?: EndToEndResult;
  lowLoad?: LowLoadResult;
  naive?: NaiveResult;
  coldStart?: ColdStartResult;
  keyed?: KeyedResult;
  fleet?: FleetResult;
  settle?: SettleCostResult;
  fairness?: FairnessResult;
  /** Issue 29: D365 changes to the shop (opt-in phase `fo-events`). */
  foEvents?: FoEventsResult;
  counts?: CountsResult;
  /** Issue 33: `Prefer: wait` with the storage latency model, against none, and where the time went. */
  latencyModel?: LatencyModelResult;
  errors: { phase: string; message: string }[];
  targets: TargetCheck[];
}

/** One target of bench/targets.ts, with what this run measured and whether it was met (null: not decided here). */
export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

/** Memory reports of every host process of the run (intake, drains, low load). */
export const hostRss = (r: Results): (RssReport | undefined)[] => [
  ...(r.intake?.rounds.map((round) => round.ours.rss) ?? []),
  r.intake?.oursHalfRate.rss,
  ...(r.webhooks?.rounds.flatMap((round) => Object.values(round).map((run) => run.rss)) ?? []),
  ...Object.values(r.webhooks?.halfRateRuns ?? {}).map((run) => run.rss),
  ...(r.endToEnd?.runs.map((d) => d.rss) ?? []),
  ...(r.lowLoad?.rss ?? []),
];

/** A drain run: the sized one (drain settings) of a duplicate policy, or the one with the shipped settings. */
export const drainOf = (
  r: Results,
  which: { policy: DrainRun['duplicatePolicy']; shipped?: boolean },
): DrainRun | undefined =>
  r.endToEnd?.runs.find(
    (d) => d.duplicatePolicy === which.policy && d.label.includes('shipped') === (which.shipped ?? false),
  );

/** One side of one scenario of the naive comparison. */
export const scenarioOf = (
  r: Results,
  name: ScenarioRun['scenario'],
  side: ScenarioRun['side'],
): ScenarioRun | undefined => r.naive?.runs.find((s) => s.scenario === name && s.side === side);

/** The headline counts of a run, from the counts and fleet phases (see `Results`). */
export function headlineCounts(
  r: Results,
): Required<Pick<Results, 'preferWaitSequentialStorageCalls' | 'storageTransactionsPerCustomer'>> {
  const fleet = r.fleet ? Math.round((r.fleet.storage.total / r.fleet.customers) * 100) / 100 : null;
  return {
    preferWaitSequentialStorageCalls: r.counts?.preferWait.link.shortest.sequential ?? null,
    storageTransactionsPerCustomer: { create: r.counts?.perCustomer.create.storage ?? null, fleet },
  };
}
