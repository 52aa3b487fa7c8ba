import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { AppStack, startAppStack } from '../dev/local-stack/app-stack';
import { customerBody } from './customers';
import { seedFailuresInStore } from './bulk-replay-seed';
import { sampleRss } from './rss';
import {
  BulkReplayOptions,
  jobCounts,
  listAllPages,
  liveTraffic,
  parseBulkReplayArgs,
  summary,
  ReplayJobView,
  waitUntil,
} from './bulk-replay-parts';

/**
 * Issue 31's done-when, measured: `npm run bench:replay -- [--failures 10000] …` (bench/README.md).
 *
 * 1. **An hour of bad configuration**: `--failures` creates that ended `failed` with `not_registered`
 *    (the app registration missing in D365), written as the app writes them over the past hour
 *    (`--seed store`, bulk-replay-seed.ts); or (`--seed intake`) POSTed while the D365 emulator
 *    answers `403` to every call, each failing through the real worker (slow: 4–25 a second here).
 * 2. **Listing**: the failed view paged to its end (`limit` 200 and the default 50), each page timed.
 * 3. **Live traffic alone**: creates at `--live-rate` a second for `--baseline-seconds` (D365 healthy).
 * 4. **One action**: `POST /api/ops/replays` with the failed view's filter, and the same live traffic
 *    until the job is done. Live latency = the record's `updatedAt − createdAt` (accepted → succeeded).
 * The emulator throttles at `--cap` requests in flight (429 above it), so a fleet that ever goes past
 * the gate's cap gets 429s and the run shows them.
 */

const EMULATOR_LOG = () => undefined;

async function seedFailures(stack: AppStack, o: BulkReplayOptions, log: (line: string) => void) {
  if (o.seed === 'store') {
    const started = Date.now();
    await seedFailuresInStore(stack, o.failures, `refused-${o.runTag}`);
    const seconds = (Date.now() - started) / 1000;
    return { seed: o.seed, acceptedSeconds: seconds, failedSeconds: seconds, answers: {} };
  }
  const fault = await stack.emulatorApi<{ id: string }>('POST', '/_emulator/faults', {
    service: 'd365',
    status: 403,
  });
  const started = Date.now();
  let next = 0;
  const answers: Record<number, number> = {};
  const sender = async (): Promise<void> => {
    for (let n = next++; n < o.failures; n = next++) {
      const response = await fetch(`${stack.url}/api/customers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: customerBody(`refused-${o.runTag}`, n),
      });
      await response.arrayBuffer();
      answers[response.status] = (answers[response.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: o.seedConnections }, sender));
  const acceptedSeconds = (Date.now() - started) / 1000;
  log(`${o.failures} POSTed in ${acceptedSeconds.toFixed(1)} s: ${JSON.stringify(answers)}`);
  let failed = 0;
  await waitUntil(
    async () => {
      failed = (await failedPage(stack, 'limit=1')).counts?.total ?? 0;
      return failed >= o.failures;
    },
    { deadlineMs: 3_600_000, everyMs: 3000, what: () => `${failed} of ${o.failures} failed` },
  );
  await stack.emulatorApi('DELETE', `/_emulator/faults/${fault.id}`);
  return { seed: o.seed, acceptedSeconds, failedSeconds: (Date.now() - started) / 1000, answers };
}

type Page = { items: unknown[]; cursor?: string; counts?: { total: number; byCode: Record<string, number> } };
async function failedPage(stack: AppStack, query: string): Promise<Page> {
  const response = await fetch(
    `${stack.url}/api/ops/requests?status=failed&errorCode=not_registered&${query}`,
  );
  if (response.status !== 200) throw new Error(`the list answered ${response.status}`);
  return (await response.json()) as Page;
}

async function replayWithLiveTraffic(stack: AppStack, o: BulkReplayOptions, log: (line: string) => void) {
  await stack.emulatorApi('POST', '/_emulator/stats/reset');
  const rss = sampleRss(stack.pid, 1000);
  const started = Date.now();
  const answer = await fetch(`${stack.url}/api/ops/replays`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ filter: { errorCode: 'not_registered' } }),
  });
  const job = (await answer.json()) as ReplayJobView;
  if (answer.status !== 202) throw new Error(`the replay answered ${answer.status}: ${JSON.stringify(job)}`);
  log(`replay job ${job.id}: ${job.counts.total} to replay`);
  let last = job;
  const progress: [number, number][] = [];
  const done = waitUntil(
    async () => {
      last = await jobCounts(stack.url, job.id);
      progress.push([Math.round((Date.now() - started) / 1000), last.counts.succeeded]);
      return last.state !== 'running';
    },
    { deadlineMs: 4 * 3_600_000, everyMs: 1000, what: () => JSON.stringify(last.counts) },
  );
  const live = await liveTraffic(stack, o, `live-during-${o.runTag}`, done);
  const seconds = (Date.now() - started) / 1000;
  const stats = await stack.emulatorApi<{
    d365: { maxConcurrent: number; statuses: Record<string, number> };
    responses429: number;
    throttled: number;
    customersCreated: number;
  }>('GET', '/_emulator/stats');
  return { job: last, seconds, live, stats, hostRss: rss.stop(), progress };
}

/** Live traffic alone (D365 healthy, no replay) for `--baseline-seconds`. */
async function liveAlone(stack: AppStack, o: BulkReplayOptions, when: string) {
  const wait = new Promise((resolve) => setTimeout(resolve, o.baselineSeconds * 1000));
  return liveTraffic(stack, o, `live-${when}-${o.runTag}`, wait);
}

type Measured = {
  loadBefore: number[];
  seeding: Awaited<ReturnType<typeof seedFailures>>;
  listing200: Awaited<ReturnType<typeof listAllPages>>;
  listing50: Awaited<ReturnType<typeof listAllPages>>;
  before: Awaited<ReturnType<typeof liveAlone>>;
  after: Awaited<ReturnType<typeof liveAlone>>;
  replay: Awaited<ReturnType<typeof replayWithLiveTraffic>>;
  left: number;
};

/** The figures and the done-when checks of issue 31. */
function report(o: BulkReplayOptions, m: Measured) {
  const { loadBefore, seeding, listing200, listing50, before, after, replay, left } = m;
  // Live traffic without the replay: before and after it, pooled (the machine's load drifts).
  const alone = { summary: summary([...before.ms, ...after.ms]) };
  const result = {
    date: new Date().toISOString(),
    options: o,
    loadAverage: { before: loadBefore, after: loadavg().map((l) => Number(l.toFixed(2))) },
    seeding,
    listing: { limit200: listing200.summary, limit50: listing50.summary },
    liveAlone: { pooled: alone.summary, before: before.summary, after: after.summary },
    replay: {
      seconds: Math.round(replay.seconds * 10) / 10,
      perSecond: Math.round((replay.job.counts.succeeded / replay.seconds) * 10) / 10,
      job: { state: replay.job.state, counts: replay.job.counts },
      failedLeft: left,
      d365PeakConcurrency: replay.stats.d365.maxConcurrent,
      responses429: replay.stats.responses429,
      throttled: replay.stats.throttled,
      d365Statuses: replay.stats.d365.statuses,
      customersCreated: replay.stats.customersCreated,
      liveDuring: replay.live.summary,
      p99Ratio: Math.round((replay.live.summary.p99 / Math.max(1, alone.summary.p99)) * 100) / 100,
      hostRssMb: {
        first: replay.hostRss.firstMb,
        last: replay.hostRss.lastMb,
        peak: replay.hostRss.peakMb,
      },
      benchHeapMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      progress: replay.progress.filter((_, i) => i % 10 === 0),
    },
  };
  const checks = {
    'all succeeded': replay.job.counts.succeeded === o.failures && left === 0,
    'peak D365 concurrency ≤ cap': replay.stats.d365.maxConcurrent <= o.cap,
    '0 × 429': replay.stats.responses429 === 0,
    'every page < 1 s': Math.max(listing200.summary.maxMs, listing50.summary.maxMs) < 1000,
    'live p99 ≤ 1.2 × alone': result.replay.p99Ratio <= 1.2,
  };
  return { result, checks };
}

async function main(): Promise<void> {
  const o = parseBulkReplayArgs(process.argv.slice(2));
  const began = Date.now();
  const log = (line: string): void =>
    console.log(`[replay bench +${String(Math.round((Date.now() - began) / 1000)).padStart(4)}s] ${line}`);
  const loadBefore = loadavg().map((l) => Number(l.toFixed(2)));
  log(`options ${JSON.stringify(o)}; load average ${loadBefore.join(' ')}`);
  const stack = await startAppStack({
    settings: {
      D365_MAX_CONCURRENCY: String(o.cap),
      REPLAY_RESERVE_SLOTS: String(o.reserve),
      REPLAY_BATCH_SIZE: String(o.batch),
      RATE_LIMIT_PER_MINUTE: '0',
      AzureFunctionsJobHost__extensions__queues__batchSize: String(o.queueBatch),
      AzureFunctionsJobHost__extensions__queues__newBatchThreshold: String(Math.ceil(o.queueBatch / 2)),
    },
    emulator: { log: EMULATOR_LOG, latencyMs: o.d365LatencyMs, throttle: { concurrency: o.cap } },
  });
  try {
    const seeding = await seedFailures(stack, o, log);
    log(`${o.failures} failed after ${seeding.failedSeconds.toFixed(1)} s; listing them`);
    const listing200 = await listAllPages(stack.url, 200);
    const listing50 = await listAllPages(stack.url, 50);
    log(`listed: ${JSON.stringify({ limit200: listing200.summary, limit50: listing50.summary })}`);
    const before = await liveAlone(stack, o, 'before');
    log(`live alone, before: ${JSON.stringify(before.summary)}`);
    const replay = await replayWithLiveTraffic(stack, o, log);
    log(`replay: ${JSON.stringify(replay.job.counts)} in ${replay.seconds.toFixed(1)} s`);
    const after = await liveAlone(stack, o, 'after');
    log(`live alone, after: ${JSON.stringify(after.summary)}`);
    const left = (await failedPage(stack, 'limit=1')).counts?.total ?? -1;
    const { result, checks } = report(o, {
      loadBefore,
      seeding,
      listing200,
      listing50,
      before,
      after,
      replay,
      left,
    });
    console.log(JSON.stringify({ ...result, checks }, null, 2));
    if (o.out) writeFileSync(o.out, `${JSON.stringify({ ...result, checks }, null, 2)}\n`);
    log(`checks: ${JSON.stringify(checks)}`);
  } finally {
    await stack.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
