import { loadavg } from 'node:os';
import type { AppStack } from '../dev/local-stack/app-stack';
import { waitUntil } from './bulk-replay-parts';
import { BackfillBenchOptions, liveWebhooks, rssQuarters } from './backfill-parts';
import { BENCH_SOURCE } from './backfill-seed';
import { readJobRow, shopPages } from './backfill-verify';
import { sampleRss, RssSampler } from './rss';
import type { WebhookSecrets } from './webhook-requests';

/**
 * The backfill bench's measured part (bench/backfill.ts): `POST /api/backfills` with live webhooks
 * beside it; the host SIGKILLed and started again at each `--kills` share; every 5 s the emulator's
 * D365 answers, the job's row and progress; every minute a partial snapshot.
 */
const round = (n: number, places = 1) => Math.round(n * 10 ** places) / 10 ** places;

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
/**
 * Waits (at most a minute) until the shop has answered a page the job has not saved yet, then a
 * second more, so that the kill lands in the middle of a page: some of its customers sent, the rest
 * not, its cursor not saved. True when it found one.
 */
async function untilPageInFlight(stack: AppStack, jobId: string): Promise<boolean> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const [row, pages] = [await readJobRow(stack, jobId), await shopPages(stack, true)];
    if (pages.fetched > row.page) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

export async function backfillWithLive(
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
          const midPage = o.killMidPage ? await untilPageInFlight(stack, job.jobId) : false;
          rss.push({ pid, samples: sampler.stop().samples });
          const atSeconds = since();
          await stack.killHost('SIGKILL');
          const [after, pages] = [await readJobRow(stack, job.jobId), await shopPages(stack, true)];
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
            waitedForPageInFlight: midPage,
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

export type BackfillRun = Awaited<ReturnType<typeof backfillWithLive>>;
