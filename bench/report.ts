import { ColdStartResult } from './cold-start';
import { DrainRun, EndToEndResult } from './end-to-end';
import { IntakeResult } from './intake';
import { KeyedResult } from './keyed-intake';
import { LowLoadResult } from './low-load';
import { NaiveResult, ScenarioRun } from './naive-comparison';
import { BENCH_SETTINGS } from './our-host';
import { BenchOptions } from './options';
import { RssReport } from './rss';
import { ratio, Summary } from './stats';

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
  durationSeconds: number;
  /** Time spent waiting for other processes on the machine to go quiet before measurements. */
  quietWaitSeconds: number;
  intake?: IntakeResult;
  endToEnd?: EndToEndResult;
  lowLoad?: LowLoadResult;
  naive?: NaiveResult;
  coldStart?: ColdStartResult;
  keyed?: KeyedResult;
  errors: { phase: string; message: string }[];
  targets: TargetCheck[];
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

const keyedLine = (run: KeyedResult['runs'][number] | undefined): string =>
  run
    ? `${n(run.acceptToSucceeded.p50)} / ${n(run.acceptToSucceeded.p99)} / ${n(run.acceptToSucceeded.max)} ms`
    : '–';

/** One line of the table: a measure, ours next to its baseline. */
interface Row {
  section: string;
  measure: string;
  ours: string;
  baseline: string;
  ratio: string;
  target: string;
}

const n = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined || Number.isNaN(value)
    ? '–'
    : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (value: number | null | undefined): string =>
  value === undefined || value === null ? '–' : `${n(value)} ms`;
const pcts = (s: Summary | undefined): string =>
  s && s.count ? `${n(s.p50)} / ${n(s.p95)} / ${n(s.p99)} ms` : '–';
const x = (value: number): string => (Number.isNaN(value) ? '–' : `${n(value, 2)}×`);
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

function peak(reports: (RssReport | undefined)[]): number | null {
  const values = reports.flatMap((r) => {
    const mb = r?.hwmMb ?? r?.peakMb;
    return mb === null || mb === undefined ? [] : [mb];
  });
  return values.length ? Math.max(...values) : null;
}

/** Slope of RSS over the second half of a run (MB per minute): growth that GC does not take back. */
export function rssSlope(report: RssReport | undefined): number | null {
  const samples = report?.samples ?? [];
  const half = samples.slice(Math.floor(samples.length / 2));
  if (half.length < 4) return null;
  const mx = sum(half.map((s) => s[0])) / half.length;
  const my = sum(half.map((s) => s[1])) / half.length;
  const cov = sum(half.map(([t, v]) => (t - mx) * (v - my)));
  const vx = sum(half.map(([t]) => (t - mx) ** 2));
  return vx > 0 ? Math.round((cov / vx) * 60 * 10) / 10 : null;
}

/** Memory reports of every host process of the run (intake, drains, low load). */
const hostRss = (r: Results): (RssReport | undefined)[] => [
  ...(r.intake?.rounds.map((round) => round.ours.rss) ?? []),
  r.intake?.oursHalfRate.rss,
  ...(r.endToEnd?.runs.map((d) => d.rss) ?? []),
  ...(r.lowLoad?.rss ?? []),
];

const drainOf = (r: Results, policy: 'link' | 'create', shipped = false): DrainRun | undefined =>
  r.endToEnd?.runs.find((d) => d.duplicatePolicy === policy && d.label.includes('shipped') === shipped);
const scenario = (
  r: Results,
  name: ScenarioRun['scenario'],
  side: ScenarioRun['side'],
): ScenarioRun | undefined => r.naive?.runs.find((s) => s.scenario === name && s.side === side);

function rows(r: Results): Row[] {
  const out: Row[] = [];
  const add = (
    section: string,
    measure: string,
    ours: string,
    baseline = '',
    rat = '',
    target = '',
  ): void => {
    out.push({ section, measure, ours, baseline, ratio: rat, target });
  };
  const i = r.intake;
  if (i) {
    const s = '1 intake';
    const base = i.rounds.map((round) => round.baseline);
    const ours = i.rounds.map((round) => round.ours);
    add(
      s,
      `throughput (req/s), ${i.connections} connections, ${i.rounds.length} × ${i.seconds} s`,
      n(i.oursRequestsPerSecond),
      n(i.baselineRequestsPerSecond),
      x(i.throughputRatio),
      '≥ 0.8×',
    );
    const perCore = (runs: typeof ours) =>
      sum(runs.map((run) => run.requestsPerSecond)) / sum(runs.map((run) => run.cpu?.benchCores ?? NaN));
    add(
      s,
      '  req per core-second of the bench processes',
      n(perCore(ours)),
      n(perCore(base)),
      x(i.efficiencyRatio),
    );
    const cpuPer = (runs: typeof ours, key: 'server' | 'azurite'): number =>
      sum(runs.map((run) => run.cpuMsPerRequest?.[key] ?? NaN)) / runs.length;
    add(
      s,
      '  CPU ms per request: server under test; Azurite',
      `${n(cpuPer(ours, 'server'), 2)}; ${n(cpuPer(ours, 'azurite'), 2)}`,
      `${n(cpuPer(base, 'server'), 2)}; ${n(cpuPer(base, 'azurite'), 2)}`,
      x(ratio(cpuPer(ours, 'server'), cpuPer(base, 'server'))),
    );
    const last = (runs: typeof ours) => runs[runs.length - 1];
    add(
      s,
      'p50 / p95 / p99, saturated (last round)',
      pcts(last(ours)?.latency),
      pcts(last(base)?.latency),
      x(ratio(last(ours)?.latency.p99 ?? NaN, last(base)?.latency.p99 ?? NaN)),
    );
    add(
      s,
      `p50 / p95 / p99, open loop at ${n(i.halfRate)}/s (½ of ours)`,
      pcts(i.oursHalfRate.latency),
      pcts(i.baselineHalfRate.latency),
      x(ratio(i.oursHalfRate.latency.p99, i.baselineHalfRate.latency.p99)),
      'p99 < 50 ms',
    );
    add(
      s,
      'errors (non-2xx, timeouts)',
      n(sum([...ours, i.oursHalfRate].map((o) => o.errors))),
      n(sum([...base, i.baselineHalfRate].map((o) => o.errors))),
    );
    add(
      s,
      'peak RSS under load',
      `${n(peak(ours.map((o) => o.rss)))} MB`,
      `${n(peak(base.map((o) => o.rss)))} MB`,
      x(ratio(peak(ours.map((o) => o.rss)) ?? NaN, peak(base.map((o) => o.rss)) ?? NaN)),
      '< 300 MB',
    );
  }
  const e = r.endToEnd;
  if (e) {
    const s = '2 end to end';
    for (const d of e.runs) {
      const calls = d.duplicatePolicy === 'link' ? 'lookup + create' : 'create only';
      add(
        s,
        `drain ${n(d.customers)}, ${d.label}: ${calls}`,
        `${n(d.drainSeconds, 1)} s`,
        `${n(d.minimumSeconds, 1)} s (N / rate)`,
        x(d.drainRatio),
        d.label.includes('shipped') ? '' : '≤ 1.1×',
      );
      if (d.duplicatePolicy === 'link') {
        add(
          s,
          `  vs its ${n(d.d365.requests - d.d365.throttled)} D365 requests / rate`,
          `${n(d.drainSeconds, 1)} s`,
          `${n(d.minimumForRequestsSeconds, 1)} s`,
          x(d.drainRatioForRequests),
          d.label.includes('shipped') ? '' : '≤ 1.1×',
        );
      }
      add(
        s,
        '  accept → succeeded p50 / p95 / p99',
        pcts(d.acceptToSucceeded),
        `D365 latency ${ms(d.d365LatencyMs)}`,
      );
      add(
        s,
        '  not accepted / failed / D365 429s / retried; D365 served per s',
        `${d.submit.errors} / ${d.failed} / ${d.d365.throttled} / ${d.attempts.retried}; ${n(d.d365.servedPerSecond, 1)}/s`,
        `throttle ${d.throttleRate}/s`,
        x(ratio(d.d365.servedPerSecond, d.throttleRate)),
      );
    }
  }
  const l = r.lowLoad;
  if (l) {
    const s = '2 low load';
    for (const v of l.variants) {
      const calls = v.duplicatePolicy === 'link' ? 2 : 1;
      const floor = calls * l.d365LatencyMs;
      add(
        s,
        `cashier ${v.ratePerSecond}/s, ${v.label}: p50 / p95 / p99`,
        pcts(v.clientFelt),
        `${n(floor)} ms (${calls} × D365)`,
        x(ratio(v.clientFelt.p99, floor)),
        `p99 < ${n(l.d365LatencyMs + (v.preferWait ? 100 : 500))} ms`,
      );
    }
    const firsts = l.firstCustomer.map((f) => f.ms);
    add(
      s,
      `first customer after a start (reads the secret, 2 tokens), ${firsts.length} hosts`,
      `${n(Math.min(...firsts))}–${ms(Math.max(...firsts))}`,
    );
  }
  const linkDrain = drainOf(r, 'link');
  const naiveSteady = scenario(r, 'steady', 'naive');
  if (linkDrain || naiveSteady) {
    const s = '3 Entra + Key Vault';
    add(
      s,
      'token requests per 1,000 customers (one instance)',
      n(linkDrain?.auth.per1000.tokenRequests, 1),
      n(naiveSteady?.auth.per1000.tokenRequests, 1),
      x(ratio(linkDrain?.auth.per1000.tokenRequests ?? NaN, naiveSteady?.auth.per1000.tokenRequests ?? NaN)),
      '≤ 2',
    );
    add(
      s,
      'Key Vault reads per 1,000 customers',
      n(linkDrain?.auth.per1000.keyVaultReads, 1),
      n(naiveSteady?.auth.per1000.keyVaultReads, 1),
      '',
      '≤ 2',
    );
  }
  const nv = r.naive;
  if (nv) {
    const s = '4 naive proxy';
    const steady = (side: ScenarioRun['side']) => scenario(r, 'steady', side);
    const storm = (side: ScenarioRun['side']) => scenario(r, 'storm', side);
    const retry = (side: ScenarioRun['side']) => scenario(r, 'retry', side);
    for (const side of ['ours', 'ours, Prefer: wait'] as const) {
      const o = steady(side);
      if (o)
        add(
          s,
          `steady ${nv.ratePerSecond}/s: p50 / p95 / p99, ours ${side === 'ours' ? 'via queue' : 'Prefer: wait'}`,
          pcts(o.latency),
          pcts(naiveSteady?.latency),
          x(ratio(o.latency.p99, naiveSteady?.latency.p99 ?? NaN)),
        );
    }
    add(s, `steady: errors`, n(steady('ours')?.errors), n(naiveSteady?.errors), '', '0');
    add(
      s,
      `429 storm (${nv.storm.seconds} s, Retry-After ${nv.storm.retryAfter}): errors / ${n(storm('naive')?.requests)}`,
      n(storm('ours')?.errors),
      n(storm('naive')?.errors),
      '',
      '0 where naive > 0',
    );
    add(
      s,
      '429 storm: p50 / p95 / p99 of successes',
      pcts(storm('ours')?.latency),
      pcts(storm('naive')?.latency),
    );
    const naiveRetry = retry('naive');
    const retryTitle = `retrying client (D365 ${n(nv.retry.d365LatencyMs / 1000, 1)} s > ${n(nv.retry.clientTimeoutMs / 1000, 1)} s timeout)`;
    for (const side of ['ours', 'ours, Prefer: wait'] as const) {
      const o = retry(side);
      if (!o) continue;
      const how = side === 'ours' ? '202' : `wait=${nv.retry.preferWait}`;
      add(
        s,
        `${retryTitle}: duplicates / ${n(o.requests)}, ours ${how}`,
        n(o.duplicates),
        n(naiveRetry?.duplicates),
        '',
        '0 where naive > 0',
      );
      add(
        s,
        '  same: not created / client saw no success',
        `${n(o.errors)} / ${n(o.clientErrors)}`,
        `${n(naiveRetry?.errors)} / ${n(naiveRetry?.clientErrors)}`,
      );
    }
  }
  const c = r.coldStart;
  if (c) {
    const s = '5 cold start';
    add(
      s,
      `spawn → first 202, median of ${c.runs}`,
      ms(c.first202.p50),
      `${ms(c.baselineFirst202.p50)} (bare server)`,
      x(ratio(c.first202.p50, c.baselineFirst202.p50)),
      '< 1,500 ms',
    );
    add(s, '  same, NODE_COMPILE_CACHE warm', ms(c.compileCache.first202.p50));
    add(
      s,
      `require of the app's main files (${c.appLoad.modules} modules)`,
      ms(c.appLoad.p50),
      `${ms(c.dependenciesLoad.p50)} (its packages alone)`,
      x(ratio(c.appLoad.p50, c.dependenciesLoad.p50)),
    );
    add(s, '  same, NODE_COMPILE_CACHE warm', ms(c.appLoadWithCompileCache.p50));
    add(s, '  @azure/identity + keyvault-secrets on top of the rest', ms(c.lazyIdentityAndKeyVaultSavesMs));
    add(s, 'idle RSS after the first 202', `${n(c.hostStarts[0]?.idleRssMb)} MB`);
  }
  const k = r.keyed;
  if (k) {
    const keyed = k.runs.find((run) => run.keyed);
    const plain = k.runs.find((run) => !run.keyed);
    const s = 'keyed intake';
    const title = `${n(keyed?.customers)} at ${n(keyed?.ratePerSecond)}/s with Idempotency-Key (baseline: without)`;
    add(s, `${title}: accept → succeeded p50 / p99 / max`, keyedLine(keyed), keyedLine(plain));
    add(
      s,
      '  over 1 minute; deliveries without a claim',
      `${n(keyed?.overOneMinute)}; ${n((keyed?.invocations ?? 0) - (keyed?.claims ?? 0))}`,
      `${n(plain?.overOneMinute)}; ${n((plain?.invocations ?? 0) - (plain?.claims ?? 0))}`,
    );
  }
  const hosts = hostRss(r);
  if (peak(hosts) !== null) {
    add(
      '5 footprint',
      'host peak RSS (VmHWM), every host of the run',
      `${n(peak(hosts))} MB`,
      '',
      '',
      '< 300 MB',
    );
    if (linkDrain)
      add(
        '5 footprint',
        `host RSS slope, second half of the ${n(linkDrain.customers)} drain`,
        `${n(rssSlope(linkDrain.rss), 1)} MB/min`,
        '',
        '',
        'flat (soak run)',
      );
  }
  return out;
}

/** The targets of issue 7, each with what was measured and whether it was met. */
export function checkTargets(r: Results): TargetCheck[] {
  const out: TargetCheck[] = [];
  const check = (target: string, measured: string, met: boolean | null): void =>
    void out.push({ target, measured, met });
  const i = r.intake;
  if (i) {
    check(
      'intake ≥ 0.8× the bare baseline (req/s)',
      `${x(i.throughputRatio)} (median of rounds ${i.throughputRatios.map((v) => x(v)).join(', ')}; ${n(i.oursRequestsPerSecond)} vs ${n(i.baselineRequestsPerSecond)} req/s; per core ${x(i.efficiencyRatio)})`,
      i.throughputRatio >= 0.8,
    );
    check(
      `intake p99 < 50 ms at half the saturating rate (${i.halfRate}/s)`,
      `${ms(i.oursHalfRate.latency.p99)} (baseline ${ms(i.baselineHalfRate.latency.p99)})`,
      i.oursHalfRate.latency.p99 < 50,
    );
  }
  for (const d of r.endToEnd?.runs ?? []) {
    if (d.label.includes('shipped')) continue;
    check(
      `drain ≤ 1.1× N / rate (${d.label})`,
      `${x(d.drainRatio)} (${n(d.drainSeconds, 1)} s vs ${n(d.minimumSeconds, 1)} s)`,
      d.drainRatio <= 1.1,
    );
    if (d.duplicatePolicy === 'link') {
      check(
        `drain ≤ 1.1× its D365 requests / rate (${d.label})`,
        `${x(d.drainRatioForRequests)} (${n(d.drainSeconds, 1)} s vs ${n(d.minimumForRequestsSeconds, 1)} s)`,
        d.drainRatioForRequests <= 1.1,
      );
    }
  }
  const l = r.lowLoad;
  for (const v of l?.variants ?? []) {
    const limit = l!.d365LatencyMs + (v.preferWait ? 100 : 500);
    check(`low load p99 < ${limit} ms (${v.label})`, ms(v.clientFelt.p99), v.clientFelt.p99 < limit);
  }
  const link = drainOf(r, 'link');
  if (link) {
    check(
      '≤ 2 token requests per 1,000 customers per instance',
      n(link.auth.per1000.tokenRequests, 1),
      link.auth.per1000.tokenRequests <= 2,
    );
    check(
      '≤ 2 Key Vault reads per 1,000 customers per instance',
      n(link.auth.per1000.keyVaultReads, 1),
      link.auth.per1000.keyVaultReads <= 2,
    );
  }
  if (r.naive) {
    const storm = [scenario(r, 'storm', 'ours'), scenario(r, 'storm', 'naive')];
    const retry = [scenario(r, 'retry', 'ours, Prefer: wait'), scenario(r, 'retry', 'naive')];
    check(
      '429 storm: zero errors for ours where the naive proxy has them',
      `${n(storm[0]?.errors)} vs ${n(storm[1]?.errors)}`,
      (storm[0]?.errors ?? 1) === 0 && (storm[1]?.errors ?? 0) > 0,
    );
    check(
      'client retries: zero duplicates for ours where the naive proxy has them',
      `${n(retry[0]?.duplicates)} vs ${n(retry[1]?.duplicates)}`,
      (retry[0]?.duplicates ?? 1) === 0 && (retry[1]?.duplicates ?? 0) > 0,
    );
  }
  const c = r.coldStart;
  if (c) check('cold start to the first 202 < 1.5 s', ms(c.first202.p50), c.first202.p50 < 1500);
  const top = peak(hostRss(r));
  if (top !== null) check('host peak RSS under load < 300 MB', `${n(top)} MB`, top < 300);
  if (link)
    check(
      'host RSS flat (no growth) across the soak run',
      `${n(rssSlope(link.rss), 1)} MB/min over the drain's second half (the soak run is the reliability issue's)`,
      null,
    );
  return out;
}

function pad(cells: string[][]): string[] {
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => [...(row[c] ?? '')].length)));
  return cells.map((row) =>
    row
      .map((cell, c) => cell + ' '.repeat(widths[c]! - [...cell].length))
      .join('  ')
      .trimEnd(),
  );
}

const HEADER = ['', 'measure', 'ours', 'baseline', 'ours/baseline', 'target'];

/** The table `npm run bench` prints. */
export function formatTable(r: Results): string {
  const table = rows(r).map((row) => [
    row.section,
    row.measure,
    row.ours,
    row.baseline,
    row.ratio,
    row.target,
  ]);
  const lines = pad([HEADER, ...table]);
  const m = r.machine;
  const targets = r.targets.map(
    (t) => `  ${t.met === null ? '·' : t.met ? '✓' : '✗'} ${t.target}: ${t.measured}`,
  );
  return [
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.date}, commit ${m.commit}${m.uncommittedChanges ? ` (+${m.uncommittedChanges} changed files)` : ''}`,
    ...configuration(r).map((line) => `  ${line}`),
    '',
    lines[0]!,
    '-'.repeat(lines[0]!.length),
    ...lines.slice(1),
    '',
    'Targets:',
    ...targets,
    ...(r.errors.length
      ? ['', 'Phases that failed:', ...r.errors.map((e) => `  ${e.phase}: ${e.message.split('\n')[0]}`)]
      : []),
  ].join('\n');
}

/** What each phase ran with, in words. */
function configuration(r: Results): string[] {
  const o = r.options;
  const out = [
    `emulator: D365 latency ${o.d365LatencyMs} ms, throttle ${o.throttleRate} requests/s; waited ${r.quietWaitSeconds} s for a quiet machine`,
    `every host: ${Object.entries(BENCH_SETTINGS)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')} (the bench is one caller standing for many)`,
  ];
  if (r.intake)
    out.push(
      'intake: processCustomer and the timers disabled (both sides only write); fresh Azurite per run',
    );
  const sized = r.endToEnd?.runs.find((d) => !d.label.includes('shipped'));
  if (sized) {
    out.push(
      `drains: ${Object.entries(sized.settings)
        .filter(([k]) => k !== 'DUPLICATE_POLICY')
        .map(([k, v]) => `${k.replace('AzureFunctionsJobHost__extensions__queues__', 'queues.')}=${v}`)
        .join(', ')}; "shipped settings" = host.json and defaults as committed`,
    );
  }
  if (r.lowLoad)
    out.push(
      'low load: shipped settings; status polled every 100 ms; the maxPollingInterval variants override host.json',
    );
  if (r.naive)
    out.push(
      `naive comparison: ours with the drain settings, policy link; ${r.naive.ratePerSecond} customers/s for ${r.naive.seconds} s`,
    );
  return out;
}

const cpuCells = (
  label: string,
  cpu: { benchCores: number; otherCores: number } | null | undefined,
): string[] => (cpu ? [label, n(cpu.benchCores, 2), n(cpu.otherCores, 2)] : [label, '–', '–']);

/** A Markdown table laid out the way Prettier lays it out, so the file stays `prettier --check` clean. */
export function markdownTable(header: string[], body: string[][]): string[] {
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|');
  const cells = [header, ...body].map((row) => row.map(escape));
  const width = (text: string): number => [...text].length;
  const widths = header.map((_, c) => Math.max(3, ...cells.map((row) => width(row[c] ?? ''))));
  const line = (row: string[]): string =>
    `| ${row.map((cell, c) => cell + ' '.repeat(widths[c]! - width(cell))).join(' | ')} |`;
  return [
    line(cells[0]!),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...cells.slice(1).map(line),
  ];
}

/** bench/latest/results.md: the table, the targets and the machine, for the README to cite. */
export function markdownReport(r: Results): string {
  const m = r.machine;
  const table = markdownTable(
    HEADER,
    rows(r).map((row) => [
      row.section,
      // Markdown cells lose their leading spaces: sub-measures get an arrow instead.
      row.measure.startsWith('  ') ? `↳ ${row.measure.trim()}` : row.measure,
      row.ours,
      row.baseline,
      row.ratio,
      row.target,
    ]),
  );
  const cpuRows = markdownTable(
    ['run', 'bench processes', 'other processes'],
    [
      ...(r.intake?.rounds.flatMap((round, k) => [
        cpuCells(`intake ${k + 1}, baseline`, round.baseline.cpu),
        cpuCells(`intake ${k + 1}, ours`, round.ours.cpu),
      ]) ?? []),
      ...(r.endToEnd?.runs.map((d) => cpuCells(d.label, d.cpu)) ?? []),
    ],
  );
  return [
    '# Latest benchmark results',
    '',
    `\`npm run bench\` on ${m.date.slice(0, 10)}: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, commit \`${m.commit}\`${m.uncommittedChanges ? ` with ${m.uncommittedChanges} changed files` : ''}; the run took ${r.durationSeconds} s. Method and how to reproduce: [bench/README.md](../README.md). Latency distributions: [latency.svg](latency.svg).`,
    '',
    ...configuration(r).map((line) => `- ${line}`),
    '',
    ...table,
    '',
    '## Targets',
    '',
    ...r.targets.map((t) => `- ${t.met === null ? '·' : t.met ? '✓' : '✗'} ${t.target}: ${t.measured}`),
    '',
    '## Machine load during the runs',
    '',
    "Average cores busy, for the bench's own processes and for everything else on the machine (a shared machine is noisy; figures measured while other processes took a core are worth less).",
    '',
    ...cpuRows,
    ...(r.errors.length
      ? ['', '## Phases that failed', '', ...r.errors.map((e) => `- ${e.phase}: ${e.message.split('\n')[0]}`)]
      : []),
    '',
  ].join('\n');
}
