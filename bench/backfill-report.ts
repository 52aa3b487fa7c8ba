import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename } from 'node:path';
import type { BackfillRun } from './backfill-run';
import { BackfillBenchOptions, LiveResult, liveSummary, rssQuarters } from './backfill-parts';
import type { shopPages, tallyCustomers } from './backfill-verify';

/** The backfill bench's figures and checks (bench/backfill.ts), and its key in bench/latest/results.json. */
const round = (n: number, places = 1) => Math.round(n * 10 ** places) / 10 ** places;
const d365Answers = (s: BackfillRun['stats']) => Object.values(s.d365.statuses).reduce((a, b) => a + b, 0);

export interface Measured {
  loads: Record<'before' | 'atBackfillStart' | 'atBackfillEnd', number[]>;
  existing: number;
  seedSeconds: number;
  before: LiveResult[];
  after: LiveResult[];
  run: BackfillRun;
  pages: Awaited<ReturnType<typeof shopPages>>;
  tally: Awaited<ReturnType<typeof tallyCustomers>>;
}

/** D365 answers a second over the run, and outside each kill's window (kill → up + lease + window). */
function servedRate(run: BackfillRun, o: BackfillBenchOptions) {
  const total = d365Answers(run.stats);
  const inKill = (t: number) =>
    run.kills.some((k) => t > k.atSeconds && t <= k.upSeconds + o.leaseSeconds + o.killWindowSeconds);
  let answers = 0;
  let seconds = 0;
  for (let i = 1; i < run.d365.length; i += 1) {
    const [t0, a0] = run.d365[i - 1]!;
    const [t1, a1] = run.d365[i]!;
    if (inKill(t1) || inKill(t0)) continue;
    answers += a1 - a0;
    seconds += t1 - t0;
  }
  return {
    budgetPerSecond: o.rate,
    d365Answers: total,
    overRun: round(total / run.drainedSeconds, 2),
    outsideKillWindows: seconds > 0 ? round(answers / seconds, 2) : null,
    outsideKillWindowsSeconds: round(seconds),
  };
}

function liveDuring(run: BackfillRun, o: BackfillBenchOptions) {
  // A kill's: sent before the window's end and not yet ended when the host died (its message may
  // have been in the dead host's hands until the lease ran out).
  const killed = (r: LiveResult) => {
    const sent = (r.sentAt - run.started) / 1000;
    return run.kills.some(
      (k) =>
        sent <= k.upSeconds + o.leaseSeconds + o.killWindowSeconds &&
        sent + (r.refusals * 500 + r.ms) / 1000 >= k.atSeconds,
    );
  };
  return { all: liveSummary(run.live), outsideKillWindows: liveSummary(run.live.filter((r) => !killed(r))) };
}

export function buildReport(o: BackfillBenchOptions, m: Measured) {
  const { run, pages, tally, before, after } = m;
  const alone = liveSummary([...before, ...after]);
  const during = liveDuring(run, o);
  const served = servedRate(run, o);
  const rss = run.rss.map((r) => ({ pid: r.pid, ...rssQuarters(r.samples, o), trace: r.samples }));
  const inFlight = run.kills.reduce((a, k) => a + k.pageInFlight, 0);
  const jobPages = Number(run.final.pages);
  const result = {
    date: new Date().toISOString(),
    options: o,
    loadAverage: { ...m.loads, end: loadavg().map((l) => round(l, 2)) },
    seeding: { shopCustomers: o.customers, alreadyInD365: m.existing, seconds: m.seedSeconds },
    job: run.final,
    drainedSeconds: run.drainedSeconds,
    customersPerSecond: round(o.customers / run.drainedSeconds, 2),
    kills: run.kills,
    pages: {
      job: jobPages,
      fetchedFromShop: pages.fetched,
      readAgain: pages.repeated,
      inFlightAtKills: inFlight,
      shopRequests: pages.requests,
      shopThrottled: pages.throttled,
    },
    customers: tally,
    d365: {
      served,
      peakConcurrency: run.stats.d365.maxConcurrent,
      statuses: run.stats.d365.statuses,
      responses429: run.stats.responses429,
    },
    live: {
      alone,
      before: liveSummary(before),
      after: liveSummary(after),
      during,
      p99Ratio: round(during.outsideKillWindows.p99 / Math.max(1, alone.p99), 2),
      p99RatioAll: round(during.all.p99 / Math.max(1, alone.p99), 2),
    },
    hostRss: rss,
    progress: run.progress.filter((_, i) => i % 6 === 0),
    d365Samples: run.d365.filter((_, i) => i % 6 === 0),
  };
  const checks = {
    'every shop customer once in D365 (0 lost, 0 duplicated)':
      tally.seededInD365Lost === 0 && tally.seededInD365Duplicated === 0,
    'one request per shop customer ID': tally.requests.shopIdsOnce === o.customers,
    'pages fetched = job pages + pages in flight at the kills': pages.fetched === jobPages + inFlight,
    'pages read again = pages in flight at the kills': pages.repeated === inFlight,
    'served rate ≥ 0.95 × budget (outside kill windows)': (served.outsideKillWindows ?? 0) >= 0.95 * o.rate,
    'host RSS flat in each incarnation': rss.every((r) => r.flat !== false) && rss.some((r) => r.flat),
    'live p99 during ≤ 1.2 × alone (outside kill windows)': result.live.p99Ratio <= 1.2,
    '0 × 429': run.stats.responses429 === 0,
  };
  return { result, checks };
}

export type BackfillResult = ReturnType<typeof buildReport>['result'];

/** The result without its traces (the log line). */
export const headline = (r: BackfillResult) => ({
  ...r,
  hostRss: r.hostRss.map(({ trace: _, ...rest }) => rest),
  progress: undefined,
  d365Samples: undefined,
});

/** `backfill` in bench/latest/results.json (the other phases' keys kept): the headline figures. */
export function writeLatest(
  path: string,
  out: string | undefined,
  r: BackfillResult,
  checks: Record<string, boolean>,
): void {
  const latest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  latest.backfill = {
    file: out ? basename(out) : null,
    date: r.date,
    shopCustomers: r.options.customers,
    budget: { d365MaxRequestsPerSecond: r.options.rate, d365MaxConcurrency: r.options.cap },
    loadAverage: r.loadAverage,
    drainedSeconds: r.drainedSeconds,
    customersPerSecond: r.customersPerSecond,
    job: { pages: r.job.pages, counts: r.job.counts, perMinute: r.job.perMinute },
    kills: r.kills,
    pages: r.pages,
    customers: r.customers,
    d365: r.d365,
    live: {
      alone: r.live.alone,
      during: r.live.during,
      p99Ratio: r.live.p99Ratio,
      p99RatioAll: r.live.p99RatioAll,
    },
    hostRss: r.hostRss.map(({ trace: _, ...rest }) => rest),
    checks,
  };
  writeFileSync(path, `${JSON.stringify(latest, null, 2)}\n`);
}
