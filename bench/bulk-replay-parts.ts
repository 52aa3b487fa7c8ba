import { namedArgs } from './named-args';
import { randomBytes } from 'node:crypto';
import type { AppStack } from '../dev/local-stack/app-stack';
import { customerBody } from './customers';
import { percentile } from './stats';

/** The replay bench's options (bench/bulk-replay.ts), with the defaults the README states. */
export interface BulkReplayOptions {
  failures: number;
  /** D365 calls in flight across the fleet (`D365_MAX_CONCURRENCY`); the emulator 429s above it. */
  cap: number;
  reserve: number;
  batch: number;
  /** The emulator's latency per D365 request. */
  d365LatencyMs: number;
  /** Live creates per second, alone and during the replay. */
  liveRate: number;
  baselineSeconds: number;
  seedConnections: number;
  /** `queues.batchSize` of the host (newBatchThreshold half of it). */
  queueBatch: number;
  /** `store`: written as the app writes them (fast); `intake`: POSTed while D365 refuses (the real path). */
  seed: 'store' | 'intake';
  out?: string;
  runTag: string;
}

export function parseBulkReplayArgs(argv: string[]): BulkReplayOptions {
  const args = namedArgs(argv);
  const number = args.number;
  const seed = args.text('seed');
  if (!['store', 'intake', undefined].includes(seed)) throw new Error('--seed is store or intake');
  const options: BulkReplayOptions = {
    failures: number('failures', 10_000),
    cap: number('cap', 8),
    reserve: number('reserve', 1),
    batch: number('batch', 10),
    d365LatencyMs: number('d365-latency-ms', 50),
    liveRate: number('live-rate', 2),
    baselineSeconds: number('baseline-seconds', 90),
    seedConnections: number('seed-connections', 16),
    queueBatch: number('queue-batch', 16),
    seed: seed === 'intake' ? 'intake' : 'store',
    out: args.text('out'),
    runTag: randomBytes(3).toString('hex'),
  };
  args.rest();
  return options;
}

export async function waitUntil(
  done: () => Promise<boolean>,
  options: { deadlineMs: number; everyMs: number; what: () => string },
): Promise<void> {
  const deadline = Date.now() + options.deadlineMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${options.what()}`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs));
  }
}

export interface ReplayJobView {
  id: string;
  state: 'running' | 'cancelled' | 'done';
  counts: Record<
    'total' | 'released' | 'pending' | 'succeeded' | 'failed' | 'needsReview' | 'skipped',
    number
  >;
}

export async function jobCounts(url: string, id: string): Promise<ReplayJobView> {
  const response = await fetch(`${url}/api/ops/replays/${id}`);
  if (response.status !== 200) throw new Error(`the job answered ${response.status}`);
  return (await response.json()) as ReplayJobView;
}

export const summary = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? 0,
  };
};

/**
 * The failed view paged to its end, newest first, `limit` a page; each page's time (sending →
 * answer read), the first page (the one with the counts per code) apart.
 */
export async function listAllPages(url: string, limit: number) {
  const times: number[] = [];
  let cursor: string | undefined;
  let items = 0;
  let firstMs = 0;
  do {
    const started = performance.now();
    const query = `status=failed&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await fetch(`${url}/api/ops/requests?${query}`);
    const page = (await response.json()) as { items: unknown[]; cursor?: string };
    if (response.status !== 200) throw new Error(`page ${times.length + 1} answered ${response.status}`);
    const ms = performance.now() - started;
    if (times.length === 0) firstMs = ms;
    times.push(ms);
    items += page.items.length;
    cursor = page.cursor;
  } while (cursor !== undefined);
  const s = summary(times);
  const round = (n: number) => Math.round(n);
  return {
    summary: {
      limit,
      pages: times.length,
      items,
      firstPageWithCountsMs: round(firstMs),
      p50Ms: round(s.p50),
      p95Ms: round(s.p95),
      maxMs: round(s.max),
      totalSeconds: Math.round(times.reduce((a, b) => a + b, 0) / 100) / 10,
    },
  };
}

type Row = { status: string; createdAt: string; updatedAt: string };

/**
 * Live creates at `liveRate` a second (open loop: each sent at its due time whatever the others do)
 * until `until` settles, then their latency once all ended: the record's `updatedAt − createdAt`.
 */
export async function liveTraffic(
  stack: AppStack,
  o: BulkReplayOptions,
  tag: string,
  until: Promise<unknown>,
) {
  let stop = false;
  void until.then(() => (stop = true));
  const ids: Promise<string | undefined>[] = [];
  const started = Date.now();
  for (let n = 0; !stop; n += 1) {
    const due = started + (n * 1000) / o.liveRate;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    if (stop) break;
    ids.push(
      fetch(`${stack.url}/api/customers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: customerBody(tag, n),
      }).then(async (r) => ((await r.json()) as { correlationId?: string }).correlationId),
    );
  }
  await until;
  const sent = (await Promise.all(ids)).filter((id): id is string => id !== undefined);
  const rows: Row[] = [];
  await waitUntil(
    async () => {
      rows.length = 0;
      for (const id of sent) rows.push(await stack.table.getEntity<Row>(id, ''));
      return rows.every((r) => r.status === 'succeeded' || r.status === 'failed');
    },
    { deadlineMs: 600_000, everyMs: 2000, what: () => `${rows.length} live requests not ended` },
  );
  const ms = rows
    .filter((r) => r.status === 'succeeded')
    .map((r) => Date.parse(r.updatedAt) - Date.parse(r.createdAt));
  return { ms, summary: { sent: ids.length, succeeded: ms.length, ...summary(ms) } };
}
