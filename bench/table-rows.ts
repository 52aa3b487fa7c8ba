// Over 300 lines: one row builder per section of the one table, kept together so their wording stays parallel.
import { ms, n, pcts, sum, x } from './cells';
import { KeyedResult } from './keyed-intake';
import { ScenarioRun } from './naive-comparison';
import { drainOf, hostRss, Results, scenarioOf } from './results';
import { peakRssMb, rssSlope } from './rss';
import { ratio } from './stats';
import { TARGET_CELLS } from './targets';
import { webhookRows } from './webhook-rows';
import { billRows, fleetRows } from './fleet-rows';
import { intakeProbeRows } from './intake-probe-rows';
import { countsRows } from './counts-rows';

/** One line of the table: a measure, ours next to its baseline. */
export interface Row {
  section: string;
  /** Two leading spaces: a sub-measure of the row above. */
  measure: string;
  ours: string;
  baseline?: string;
  ratio?: string;
  target?: string;
}

export const HEADER = ['', 'measure', 'ours', 'baseline', 'ours/baseline', 'target'];

/** A row as the table's cells, in HEADER's order. */
export const cells = (row: Row): string[] => [
  row.section,
  row.measure,
  row.ours,
  row.baseline ?? '',
  row.ratio ?? '',
  row.target ?? '',
];

type Section = Omit<Row, 'section'>;

function intakeRows(r: Results): Section[] {
  const i = r.intake;
  if (!i) return [];
  const base = i.rounds.map((round) => round.baseline);
  const ours = i.rounds.map((round) => round.ours);
  type Runs = typeof ours;
  const perCore = (runs: Runs): number =>
    sum(runs.map((run) => run.requestsPerSecond)) / sum(runs.map((run) => run.cpu?.benchCores ?? NaN));
  const cpuPer = (runs: Runs, key: 'server' | 'azurite'): number =>
    sum(runs.map((run) => run.cpuMsPerRequest?.[key] ?? NaN)) / runs.length;
  const last = (runs: Runs): Runs[number] | undefined => runs[runs.length - 1];
  const peak = (runs: Runs): number | null => peakRssMb(runs.map((o) => o.rss));
  return [
    {
      measure: `throughput (req/s), ${i.connections} connections, ${i.rounds.length} × ${i.seconds} s`,
      ours: n(i.oursRequestsPerSecond),
      baseline: n(i.baselineRequestsPerSecond),
      ratio: x(i.throughputRatio),
      target: TARGET_CELLS.intake,
    },
    {
      measure: '  req per core-second of the bench processes',
      ours: n(perCore(ours)),
      baseline: n(perCore(base)),
      ratio: x(i.efficiencyRatio),
    },
    {
      measure: '  CPU ms per request: server under test; Azurite',
      ours: `${n(cpuPer(ours, 'server'), 2)}; ${n(cpuPer(ours, 'azurite'), 2)}`,
      baseline: `${n(cpuPer(base, 'server'), 2)}; ${n(cpuPer(base, 'azurite'), 2)}`,
      ratio: x(ratio(cpuPer(ours, 'server'), cpuPer(base, 'server'))),
    },
    {
      measure: 'p50 / p95 / p99, saturated (last round)',
      ours: pcts(last(ours)?.latency),
      baseline: pcts(last(base)?.latency),
      ratio: x(ratio(last(ours)?.latency.p99 ?? NaN, last(base)?.latency.p99 ?? NaN)),
    },
    {
      measure: `p50 / p95 / p99, open loop at ${n(i.halfRate)}/s (½ of ours)`,
      ours: pcts(i.oursHalfRate.latency),
      baseline: pcts(i.baselineHalfRate.latency),
      ratio: x(ratio(i.oursHalfRate.latency.p99, i.baselineHalfRate.latency.p99)),
      target: TARGET_CELLS.intakeHalfRate,
    },
    ...intakeProbeRows(i),
    {
      measure: 'errors (non-2xx, timeouts)',
      ours: n(sum([...ours, i.oursHalfRate].map((o) => o.errors))),
      baseline: n(sum([...base, i.baselineHalfRate].map((o) => o.errors))),
    },
    {
      measure: 'peak RSS under load',
      ours: `${n(peak(ours))} MB`,
      baseline: `${n(peak(base))} MB`,
      ratio: x(ratio(peak(ours) ?? NaN, peak(base) ?? NaN)),
      target: TARGET_CELLS.peakRss,
    },
  ];
}

function endToEndRows(r: Results): Section[] {
  return (r.endToEnd?.runs ?? []).flatMap((d): Section[] => {
    const calls = d.duplicatePolicy === 'link' ? 'lookup + create' : 'create only';
    const target = d.label.includes('shipped') ? '' : TARGET_CELLS.drain;
    return [
      {
        measure: `drain ${n(d.customers)}, ${d.label}: ${calls}`,
        ours: `${n(d.drainSeconds, 1)} s`,
        baseline: `${n(d.minimumSeconds, 1)} s (N / rate)`,
        ratio: x(d.drainRatio),
        target,
      },
      ...(d.duplicatePolicy === 'link'
        ? [
            {
              measure: `  vs its ${n(d.d365.requests - d.d365.throttled)} D365 requests / rate`,
              ours: `${n(d.drainSeconds, 1)} s`,
              baseline: `${n(d.minimumForRequestsSeconds, 1)} s`,
              ratio: x(d.drainRatioForRequests),
              target,
            },
          ]
        : []),
      {
        measure: '  accept → succeeded p50 / p95 / p99',
        ours: pcts(d.acceptToSucceeded),
        baseline: `D365 latency ${ms(d.d365LatencyMs)}`,
      },
      {
        measure: '  not accepted / failed / D365 429s / retried; D365 served per s',
        ours: `${d.submit.errors} / ${d.failed} / ${d.d365.throttled} / ${d.attempts.retried}; ${n(d.d365.servedPerSecond, 1)}/s`,
        baseline: `throttle ${d.throttleRate}/s`,
        ratio: x(ratio(d.d365.servedPerSecond, d.throttleRate)),
      },
    ];
  });
}

function lowLoadRows(r: Results): Section[] {
  const l = r.lowLoad;
  if (!l) return [];
  const firsts = l.firstCustomer.map((f) => f.ms);
  return [
    ...l.variants.map((v): Section => {
      const calls = v.duplicatePolicy === 'link' ? 2 : 1;
      const floor = calls * l.d365LatencyMs;
      return {
        measure: `cashier ${v.ratePerSecond}/s, ${v.label}: p50 / p95 / p99`,
        ours: pcts(v.clientFelt),
        baseline: `${n(floor)} ms (${calls} × D365)`,
        ratio: x(ratio(v.clientFelt.p99, floor)),
        target: TARGET_CELLS.lowLoad({ d365LatencyMs: l.d365LatencyMs, preferWait: v.preferWait > 0 }),
      };
    }),
    {
      measure: `first customer after a start (reads the secret, 2 tokens), ${firsts.length} hosts`,
      ours: `${n(Math.min(...firsts))}–${ms(Math.max(...firsts))}`,
    },
  ];
}

function authRows(r: Results): Section[] {
  const link = drainOf(r, { policy: 'link' })?.auth.per1000;
  const naive = scenarioOf(r, 'steady', 'naive')?.auth.per1000;
  if (!link && !naive) return [];
  return [
    {
      measure: 'token requests per 1,000 customers (one instance)',
      ours: n(link?.tokenRequests, 1),
      baseline: n(naive?.tokenRequests, 1),
      ratio: x(ratio(link?.tokenRequests ?? NaN, naive?.tokenRequests ?? NaN)),
      target: TARGET_CELLS.tokenRequests,
    },
    {
      measure: 'Key Vault reads per 1,000 customers',
      ours: n(link?.keyVaultReads, 1),
      baseline: n(naive?.keyVaultReads, 1),
      target: TARGET_CELLS.keyVaultReads,
    },
  ];
}

function naiveRows(r: Results): Section[] {
  const nv = r.naive;
  if (!nv) return [];
  const run = (name: ScenarioRun['scenario'], side: ScenarioRun['side']) => scenarioOf(r, name, side);
  const naiveSteady = run('steady', 'naive');
  const naiveRetry = run('retry', 'naive');
  const sides = ['ours', 'ours, Prefer: wait'] as const;
  const retryTitle = `retrying client (D365 ${n(nv.retry.d365LatencyMs / 1000, 1)} s > ${n(nv.retry.clientTimeoutMs / 1000, 1)} s timeout)`;
  return [
    ...sides.flatMap((side): Section[] => {
      const o = run('steady', side);
      if (!o) return [];
      const how = side === 'ours' ? 'via queue' : 'Prefer: wait';
      return [
        {
          measure: `steady ${nv.ratePerSecond}/s: p50 / p95 / p99, ours ${how}`,
          ours: pcts(o.latency),
          baseline: pcts(naiveSteady?.latency),
          ratio: x(ratio(o.latency.p99, naiveSteady?.latency.p99 ?? NaN)),
        },
      ];
    }),
    {
      measure: 'steady: errors',
      ours: n(run('steady', 'ours')?.errors),
      baseline: n(naiveSteady?.errors),
      target: TARGET_CELLS.zeroErrors,
    },
    {
      measure: `429 storm (${nv.storm.seconds} s, Retry-After ${nv.storm.retryAfter}): errors / ${n(run('storm', 'naive')?.requests)}`,
      ours: n(run('storm', 'ours')?.errors),
      baseline: n(run('storm', 'naive')?.errors),
      target: TARGET_CELLS.zeroWhereNaiveFails,
    },
    {
      measure: '429 storm: p50 / p95 / p99 of successes',
      ours: pcts(run('storm', 'ours')?.latency),
      baseline: pcts(run('storm', 'naive')?.latency),
    },
    ...sides.flatMap((side): Section[] => {
      const o = run('retry', side);
      if (!o) return [];
      const how = side === 'ours' ? '202' : `wait=${nv.retry.preferWait}`;
      return [
        {
          measure: `${retryTitle}: duplicates / ${n(o.requests)}, ours ${how}`,
          ours: n(o.duplicates),
          baseline: n(naiveRetry?.duplicates),
          target: TARGET_CELLS.zeroWhereNaiveFails,
        },
        {
          measure: '  same: not created / client saw no success',
          ours: `${n(o.errors)} / ${n(o.clientErrors)}`,
          baseline: `${n(naiveRetry?.errors)} / ${n(naiveRetry?.clientErrors)}`,
        },
      ];
    }),
  ];
}

function coldStartRows(r: Results): Section[] {
  const c = r.coldStart;
  if (!c) return [];
  return [
    {
      measure: `spawn → first 202, median of ${c.runs}`,
      ours: ms(c.first202.p50),
      baseline: `${ms(c.baselineFirst202.p50)} (bare server)`,
      ratio: x(ratio(c.first202.p50, c.baselineFirst202.p50)),
      target: TARGET_CELLS.coldStart,
    },
    { measure: '  same, NODE_COMPILE_CACHE warm', ours: ms(c.compileCache.first202.p50) },
    {
      measure: `require of the app's main files (${c.appLoad.modules} modules)`,
      ours: ms(c.appLoad.p50),
      baseline: `${ms(c.dependenciesLoad.p50)} (its packages alone)`,
      ratio: x(ratio(c.appLoad.p50, c.dependenciesLoad.p50)),
    },
    { measure: '  same, NODE_COMPILE_CACHE warm', ours: ms(c.appLoadWithCompileCache.p50) },
    {
      measure: '  @azure/identity + keyvault-secrets on top of the rest',
      ours: ms(c.lazyIdentityAndKeyVaultSavesMs),
    },
    { measure: 'idle RSS after the first 202', ours: `${n(c.hostStarts[0]?.idleRssMb)} MB` },
  ];
}

const keyedLine = (run: KeyedResult['runs'][number] | undefined): string =>
  run
    ? `${n(run.acceptToSucceeded.p50)} / ${n(run.acceptToSucceeded.p99)} / ${n(run.acceptToSucceeded.max)} ms`
    : '–';

function keyedRows(r: Results): Section[] {
  const k = r.keyed;
  if (!k) return [];
  const keyed = k.runs.find((run) => run.keyed);
  const plain = k.runs.find((run) => !run.keyed);
  const unclaimed = (run: typeof keyed): string =>
    `${n(run?.overOneMinute)}; ${n((run?.invocations ?? 0) - (run?.claims ?? 0))}`;
  return [
    {
      measure: `${n(keyed?.customers)} at ${n(keyed?.ratePerSecond)}/s with Idempotency-Key (baseline: without): accept → succeeded p50 / p99 / max`,
      ours: keyedLine(keyed),
      baseline: keyedLine(plain),
    },
    {
      measure: '  over 1 minute; deliveries without a claim',
      ours: unclaimed(keyed),
      baseline: unclaimed(plain),
    },
  ];
}

function footprintRows(r: Results): Section[] {
  const peak = peakRssMb(hostRss(r));
  if (peak === null) return [];
  const link = drainOf(r, { policy: 'link' });
  return [
    {
      measure: 'host peak RSS (VmHWM), every host of the run',
      ours: `${n(peak)} MB`,
      target: TARGET_CELLS.peakRss,
    },
    ...(link
      ? [
          {
            measure: `host RSS slope, second half of the ${n(link.customers)} drain`,
            ours: `${n(rssSlope(link.rss), 1)} MB/min`,
            target: TARGET_CELLS.rssFlat,
          },
        ]
      : []),
  ];
}

/** The table's rows, section by section (the numbers name the items). */
export function rows(r: Results): Row[] {
  const sections: [string, (r: Results) => Section[]][] = [
    ['0 counts', countsRows],
    ['1 intake', intakeRows],
    ['webhook intake', webhookRows],
    ['2 end to end', endToEndRows],
    ['2 low load', lowLoadRows],
    ['3 Entra + Key Vault', authRows],
    ['4 naive proxy', naiveRows],
    ['5 cold start', coldStartRows],
    ['keyed intake', keyedRows],
    ['5 footprint', footprintRows],
    ['6 fleet', fleetRows],
    ['7 bill', billRows],
  ];
  return sections.flatMap(([section, of]) => of(r).map((row) => ({ section, ...row })));
}
