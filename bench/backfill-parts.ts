import { namedArgs } from './named-args';
import { randomBytes } from 'node:crypto';
import type { AppStack } from '../dev/local-stack/app-stack';
import { summary, waitUntil } from './bulk-replay-parts';
import { signedRequest, WebhookSecrets } from './webhook-requests';

/** The backfill bench's options (bench/backfill.ts), with the defaults bench/README.md states. */
export interface BackfillBenchOptions {
  /** Emulated Shopify customers to backfill. */
  customers: number;
  /** Every this many-th shop customer is in D365 already (linked by e-mail); 0: none. */
  existingEvery: number;
  /** `D365_MAX_REQUESTS_PER_SECOND`: the D365 budget; the emulator throttles above it too. */
  rate: number;
  /** `D365_MAX_CONCURRENCY` (the emulator 429s above it too). */
  cap: number;
  d365LatencyMs: number;
  /** Live Shopify `customers/create` webhooks a second, alone and during the backfill. */
  liveRate: number;
  baselineSeconds: number;
  /** Kill (SIGKILL) and restart the host when the job has found these shares of the shop. */
  kills: number[];
  /** Each kill waits (≤ 60 s) for a page read from the shop and not yet saved: killed mid-page. */
  killMidPage: boolean;
  /** `DEV_HOST_QUEUE_LEASE_SECONDS`: how long a killed host's messages stay invisible. */
  leaseSeconds: number;
  pageSize: number;
  /** Live requests sent this long after a kill (to the restart + the lease + this) are the kill's. */
  killWindowSeconds: number;
  /** RSS "flat": the last quarter's mean at most this much (share) above the first quarter's. */
  rssMargin: number;
  /** Seconds after each host start left out of the RSS check (its start, not growth). */
  rssWarmupSeconds: number;
  out?: string;
  /** bench/latest/results.json (or another): its `backfill` key is set, the others kept. */
  latest?: string;
  runTag: string;
}

export function parseBackfillBenchArgs(argv: string[]): BackfillBenchOptions {
  const args = namedArgs(argv);
  const number = args.number;
  const kills = (args.text('kills') ?? '0.333,0.667')
    .split(',')
    .filter((k) => k !== '' && k !== 'none')
    .map(Number);
  if (kills.some((k) => !(k > 0 && k < 1))) throw new Error('--kills takes shares between 0 and 1');
  const options: BackfillBenchOptions = {
    customers: number('customers', 20_000),
    existingEvery: number('existing-every', 10),
    rate: number('rate', 4),
    cap: number('cap', 4),
    d365LatencyMs: number('d365-latency-ms', 50),
    liveRate: number('live-rate', 1),
    baselineSeconds: number('baseline-seconds', 60),
    kills,
    killMidPage: number('kill-mid-page', 1) === 1,
    leaseSeconds: number('lease-seconds', 30),
    pageSize: number('page-size', 50),
    killWindowSeconds: number('kill-window-seconds', 30),
    rssMargin: number('rss-margin', 0.1),
    rssWarmupSeconds: number('rss-warmup-seconds', 60),
    out: args.text('out'),
    latest: args.text('latest'),
    runTag: randomBytes(3).toString('hex'),
  };
  args.rest();
  return options;
}

type Row = { status: string; createdAt: string; updatedAt: string };

export interface LiveRequest {
  /** When it was first sent (ms since the epoch). */
  sentAt: number;
  correlationId: string;
  /** Sends refused (the host down: connection refused) before it was accepted. */
  refusals: number;
}

/** A counter shared by every window, so that no two live webhooks carry one customer ID. */
export const liveCounter = { next: 0 };

/** One signed Shopify `customers/create` until the host takes it (it may be down: killed). */
async function sendUntilAccepted(
  stack: AppStack,
  secrets: WebhookSecrets,
  tag: string,
  n: number,
): Promise<LiveRequest> {
  const sentAt = Date.now();
  for (let refusals = 0; ; refusals += 1) {
    const request = signedRequest('shopify', secrets, tag, n);
    try {
      const answer = await fetch(`${stack.url}${request.path}`, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
      });
      const body = (await answer.json()) as { correlationId?: string };
      if (answer.status === 202 && body.correlationId)
        return { sentAt, correlationId: body.correlationId, refusals };
      throw new Error(`a live webhook answered ${answer.status}: ${JSON.stringify(body)}`);
    } catch (error) {
      if (!(error instanceof TypeError) || refusals > 120) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/**
 * Live webhooks at `liveRate` a second (open loop: each sent at its due time) until `until`
 * settles, then their records once all ended; latency = the record's `updatedAt − createdAt`
 * (accepted → succeeded), as the replay bench measures it.
 */
export async function liveWebhooks(
  stack: AppStack,
  o: BackfillBenchOptions,
  secrets: WebhookSecrets,
  until: Promise<unknown>,
) {
  let stop = false;
  void until.then(() => (stop = true));
  const sent: Promise<LiveRequest>[] = [];
  const started = Date.now();
  for (let i = 0; !stop; i += 1) {
    const due = started + (i * 1000) / o.liveRate;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    if (stop) break;
    sent.push(sendUntilAccepted(stack, secrets, `live-${o.runTag}`, liveCounter.next++));
  }
  await until;
  const requests = await Promise.all(sent);
  const rows = new Map<string, Row>();
  await waitUntil(
    async () => {
      for (const r of requests) {
        const known = rows.get(r.correlationId);
        if (known?.status === 'succeeded' || known?.status === 'failed') continue;
        rows.set(r.correlationId, await stack.table.getEntity<Row>(r.correlationId, ''));
      }
      return [...rows.values()].every((r) => r.status === 'succeeded' || r.status === 'failed');
    },
    { deadlineMs: 900_000, everyMs: 2000, what: () => `${rows.size} live requests read, not all ended` },
  );
  return requests.map((r) => {
    const row = rows.get(r.correlationId)!;
    return {
      ...r,
      status: row.status,
      ms: Date.parse(row.updatedAt) - Date.parse(row.createdAt),
    };
  });
}

export type LiveResult = Awaited<ReturnType<typeof liveWebhooks>>[number];

export const liveSummary = (requests: LiveResult[]) => ({
  ...summary(requests.filter((r) => r.status === 'succeeded').map((r) => r.ms)),
  sent: requests.length,
  failed: requests.filter((r) => r.status !== 'succeeded').length,
  refusedWhileDown: requests.filter((r) => r.refusals > 0).length,
});

/**
 * RSS of one host incarnation flat or not: the mean of its last quarter of samples against the
 * mean of its first quarter, within `rssMargin` (a share of the first), leaving out the first
 * `rssWarmupSeconds` after the host started (its modules, token and connections: once, not growth).
 * Null when fewer than 8 samples are left (an incarnation too short to say).
 */
export function rssQuarters(
  samples: [number, number][],
  o: Pick<BackfillBenchOptions, 'rssMargin' | 'rssWarmupSeconds'>,
) {
  const kept = samples.filter(([t]) => t >= o.rssWarmupSeconds);
  const quarter = Math.max(1, Math.floor(kept.length / 4));
  const mean = (s: [number, number][]) =>
    Math.round((s.reduce((a, [, mb]) => a + mb, 0) / Math.max(1, s.length)) * 10) / 10;
  const first = mean(kept.slice(0, quarter));
  const last = mean(kept.slice(-quarter));
  return {
    samples: kept.length,
    firstQuarterMb: first,
    lastQuarterMb: last,
    flat: kept.length < 8 ? null : last <= first * (1 + o.rssMargin),
  };
}
