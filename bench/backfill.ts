import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { AppStack, startAppStack } from '../dev/local-stack/app-stack';
import { emulatorVault } from '../dev/local-stack/emulator-clients';
import { waitUntil } from './bulk-replay-parts';
import {
  BackfillBenchOptions,
  LiveResult,
  liveSummary,
  liveWebhooks,
  parseBackfillBenchArgs,
  rssQuarters,
} from './backfill-parts';
import {
  BENCH_SHOP,
  BENCH_SHOP_SECRET,
  BENCH_SHOP_TOKEN,
  BENCH_SOURCE,
  seedExistingInD365,
  seedShop,
} from './backfill-seed';
import { readJobRow, shopPages, tallyCustomers } from './backfill-verify';
import { sampleRss, RssSampler } from './rss';
import type { WebhookSecrets } from './webhook-requests';

/**
 * Issue 30's backfill done-when, measured: `npm run bench:backfill -- [--customers 20000] …`
 * (bench/README.md "Backfill"). One host of the local stack (Azurite in memory, the emulator, our
 * host); an emulated Shopify shop of `--customers`, a tenth of them in D365 already
 * (`DUPLICATE_POLICY=link`: linked by e-mail); D365 at `--rate` requests a second and `--cap` in
 * flight (the app's budget, and the emulator's throttle at the same figures: above them, 429s).
 * 1. Live Shopify webhooks alone (`--live-rate` a second, `--baseline-seconds`).
 * 2. `POST /api/backfills`, the same live webhooks beside it; the host SIGKILLed and started again
 *    when the job has found each `--kills` share of the shop; until the job is done and the
 *    customer queue drained.
 * 3. Live webhooks alone again; then the checks: page reads against the job's pages, each shop
 *    customer once in D365 and among the app's requests, served D365 rate against the budget,
 *    host RSS per incarnation, live p99 during against alone.
 */
const round = (n: number, places = 1) => Math.round(n * 10 ** places) / 10 ** places;

async function startStack(o: BackfillBenchOptions): Promise<AppStack> {
  return startAppStack({
    settings: (url) => ({
      WEBHOOK_SOURCES: JSON.stringify([
        {
          kind: 'shopify',
          name: BENCH_SOURCE,
          shopDomain: BENCH_SHOP,
          secretName: 'bench-shop-webhook',
          adminApiTokenSecretName: 'bench-shop-admin',
          adminApiUrl: `${url}/shopify/${BENCH_SHOP}`,
          legalEntity: 'USRT',
          currency: 'USD',
          customerGroup: '30',
          writeBack: false,
        },
      ]),
      DUPLICATE_POLICY: 'link',
      D365_MAX_CONCURRENCY: String(o.cap),
      D365_MAX_REQUESTS_PER_SECOND: String(o.rate),
      RATE_LIMIT_PER_MINUTE: '0',
      BACKFILL_PAGE_SIZE: String(o.pageSize),
      DEV_HOST_QUEUE_LEASE_SECONDS: String(o.leaseSeconds),
    }),
    emulator: { log: () => undefined, latencyMs: o.d365LatencyMs },
  });
}

type D365Sample = [seconds: number, answers: number];
type Stats = { d365: { maxConcurrent: number; statuses: Record<string, number> }; responses429: number };
const d365Answers = (s: Stats) => Object.values(s.d365.statuses).reduce((a, b) => a + b, 0);

interface Kill {
  share: number;
  atSeconds: number;
  upSeconds: number;
  jobPage: number;
  pagesFetched: number;
  /** Pages read from the shop but not saved on the job when the host died: read again after. */
  pageInFlight: number;
  found: number;
}

/** The backfill with live traffic, kills, and samples of D365, RSS and the job's progress. */
async function backfillWithLive(
  stack: AppStack,
  o: BackfillBenchOptions,
  secrets: WebhookSecrets,
  log: (line: string) => void,
  partial: (snapshot: Record<string, unknown>) => void,
) {
  await stack.emulatorApi('POST', '/_emulator/stats/reset');
  const started = Date.now();
  const since = () => round((Date.now() - started) / 1000);
  const answer = await fetch(`${stack.url}/api/backfills`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source: BENCH_SOURCE }),
  });
  const job = (await answer.json()) as { jobId: string };
  if (answer.status !== 202)
    throw new Error(`the backfill answered ${answer.status}: ${JSON.stringify(job)}`);
  log(`backfill job ${job.jobId}`);
  const d365: D365Sample[] = [];
  const progress: unknown[] = [];
  const kills: Kill[] = [];
  const rss: { pid: number; samples: [number, number][] }[] = [];
  let sampler: RssSampler = sampleRss(stack.pid, 2000);
  let pid = stack.pid;
  const pending = [...o.kills];
  let lastFound = 0;
  const done = (async () => {
    await waitUntil(
      async () => {
        const stats = await stack.emulatorApi<Stats>('GET', '/_emulator/stats');
        d365.push([since(), d365Answers(stats)]);
        const row = await readJobRow(stack, job.jobId);
        lastFound = row.counts.found ?? 0;
        const view = await fetch(`${stack.url}/api/backfills/${job.jobId}`).catch(() => undefined);
        if (view?.status === 200) progress.push({ at: since(), ...((await view.json()) as object) });
        if (pending.length > 0 && lastFound >= pending[0]! * o.customers) {
          const share = pending.shift()!;
          rss.push({ pid, samples: sampler.stop().samples });
          const atSeconds = since();
          await stack.killHost('SIGKILL');
          const [after, pages] = [await readJobRow(stack, job.jobId), await shopPages(stack)];
          await stack.startHost();
          pid = stack.pid;
          sampler = sampleRss(pid, 2000);
          const kill = {
            share,
            atSeconds,
            upSeconds: since(),
            jobPage: after.page,
            pagesFetched: pages.fetched,
            pageInFlight: pages.fetched - after.page,
            found: after.counts.found ?? 0,
          };
          kills.push(kill);
          log(`killed and restarted: ${JSON.stringify(kill)}`);
        }
        if (d365.length % 12 === 0)
          partial({
            elapsedSeconds: since(),
            loadAverage: loadavg().map((l) => round(l, 2)),
            jobRow: row,
            progress: progress.at(-1),
            kills,
            d365AnswersPerSecond: round(d365.at(-1)![1] / Math.max(1, since()), 2),
            hostRss: [...rss, { pid, samples: sampler.report().samples }].map((r) => ({
              pid: r.pid,
              ...rssQuarters(r.samples, o),
            })),
          });
        if (row.state === 'running') return false;
        const depth = (await stack.queue.getProperties()).approximateMessagesCount ?? 0;
        return depth <= Math.max(2, o.liveRate * 2);
      },
      { deadlineMs: 6 * 3_600_000, everyMs: 5000, what: () => `${lastFound} found` },
    );
    return since();
  })();
  const live = await liveWebhooks(stack, o, secrets, done);
  const drainedSeconds = await done;
  rss.push({ pid, samples: sampler.stop().samples });
  const stats = await stack.emulatorApi<Stats>('GET', '/_emulator/stats');
  const final = (await (await fetch(`${stack.url}/api/backfills/${job.jobId}`)).json()) as Record<
    string,
    unknown
  >;
  return { jobId: job.jobId, started, drainedSeconds, live, d365, progress, kills, rss, stats, final };
}

type Run = Awaited<ReturnType<typeof backfillWithLive>>;

/** D365 answers a second over the run, and outside each kill's window (kill → up + lease + window). */
function servedRate(run: Run, o: BackfillBenchOptions) {
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

function liveDuring(run: Run, o: BackfillBenchOptions) {
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

async function main(): Promise<void> {
  const o = parseBackfillBenchArgs(process.argv.slice(2));
  const began = Date.now();
  const log = (line: string): void =>
    console.log(`[backfill bench +${String(Math.round((Date.now() - began) / 1000)).padStart(5)}s] ${line}`);
  const loadBefore = loadavg().map((l) => round(l, 2));
  log(`options ${JSON.stringify(o)}; load average ${loadBefore.join(' ')}`);
  const stack = await startStack(o);
  try {
    const vault = emulatorVault(stack.emulator.url);
    await vault.setSecret('bench-shop-webhook', BENCH_SHOP_SECRET);
    await vault.setSecret('bench-shop-admin', BENCH_SHOP_TOKEN);
    const secrets: WebhookSecrets = {
      shopifySecret: BENCH_SHOP_SECRET,
      shopDomain: BENCH_SHOP,
      standardSecret: '',
      standardSource: '',
      bigCommerceSecret: '',
      storeHash: '',
    };
    let t = Date.now();
    await seedShop((m, p, b) => stack.emulatorApi(m, p, b), o.customers, o.runTag);
    const existing = await seedExistingInD365(stack.emulator.url, o.customers, o.existingEvery, o.runTag);
    const seedSeconds = round((Date.now() - t) / 1000);
    log(`shop seeded with ${o.customers}, ${existing} of them in D365 already, in ${seedSeconds} s`);
    await stack.emulatorApi('PATCH', '/_emulator/settings', {
      throttle: { ratePerSecond: o.rate, concurrency: o.cap },
    });
    const wait = () => new Promise((resolve) => setTimeout(resolve, o.baselineSeconds * 1000));
    const before = await liveWebhooks(stack, o, secrets, wait());
    log(`live alone, before: ${JSON.stringify(liveSummary(before))}`);
    const loadAtStart = loadavg().map((l) => round(l, 2));
    t = Date.now();
    // Every minute, what is known so far (a long run may be stopped before it ends).
    const partial = (snapshot: Record<string, unknown>) => {
      const text = `${JSON.stringify({ partial: true, date: new Date().toISOString(), options: o, liveAloneBefore: liveSummary(before), ...snapshot }, null, 2)}\n`;
      if (o.out) writeFileSync(o.out, text);
      log(`so far: ${JSON.stringify({ ...snapshot, progress: undefined })}`);
    };
    const run = await backfillWithLive(stack, o, secrets, log, partial);
    const loadAtEnd = loadavg().map((l) => round(l, 2));
    log(`backfill drained after ${run.drainedSeconds} s: ${JSON.stringify(run.final.counts)}`);
    const after = await liveWebhooks(stack, o, secrets, wait());
    log(`live alone, after: ${JSON.stringify(liveSummary(after))}`);
    const pages = await shopPages(stack);
    const tally = await tallyCustomers(stack, o.customers, o.runTag, pages.customerIds);
    const alone = liveSummary([...before, ...after]);
    const during = liveDuring(run, o);
    const served = servedRate(run, o);
    const rss = run.rss.map((r) => ({ pid: r.pid, ...rssQuarters(r.samples, o), trace: r.samples }));
    const inFlight = run.kills.reduce((a, k) => a + k.pageInFlight, 0);
    const jobPages = Number(run.final.pages);
    const result = {
      date: new Date().toISOString(),
      options: o,
      loadAverage: {
        before: loadBefore,
        atBackfillStart: loadAtStart,
        atBackfillEnd: loadAtEnd,
        end: loadavg().map((l) => round(l, 2)),
      },
      seeding: { shopCustomers: o.customers, alreadyInD365: existing, seconds: seedSeconds },
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
      'no finished page read again': pages.repeated === inFlight,
      'served rate ≥ 0.95 × budget (outside kill windows)': (served.outsideKillWindows ?? 0) >= 0.95 * o.rate,
      'host RSS flat in each incarnation': rss.every((r) => r.flat !== false) && rss.some((r) => r.flat),
      'live p99 during ≤ 1.2 × alone (outside kill windows)': result.live.p99Ratio <= 1.2,
      '0 × 429': run.stats.responses429 === 0,
    };
    const text = `${JSON.stringify({ ...result, checks }, null, 2)}\n`;
    if (o.out) writeFileSync(o.out, text);
    log(
      `result: ${JSON.stringify({ ...result, hostRss: rss.map(({ trace: _, ...r }) => r), progress: undefined, d365Samples: undefined })}`,
    );
    log(`checks: ${JSON.stringify(checks, null, 2)}`);
  } finally {
    await stack.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
