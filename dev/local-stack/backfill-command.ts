import { SingleBar } from 'cli-progress';
import { appRoot } from './app-root';
import { localStackDir, readState } from './stack-state';

/**
 * `npm run backfill -- --source <name> [--since <ISO time>] [--dry-run] [--bulk] [--url <https://app/api> --key <master key>]`
 * (or `--job <id>` to follow one that runs): starts a backfill of a shop's customers (issue 30,
 * `POST /api/backfills`) on a deployed app, or on the local stack (`npm start`; its URL and master
 * key by default), and follows it with a progress bar until it ends, then prints the summary.
 * `--bulk` reads a Shopify shop through one bulk query operation (`read: "bulk"`: large shops).
 * Exit code 0 when it is `done`, 1 when it `failed` or cannot be started.
 */
export interface BackfillArgs {
  source?: string;
  since?: string;
  dryRun: boolean;
  /** `read: "bulk"`: a Shopify bulk query operation instead of paging. */
  bulk?: boolean;
  job?: string;
  url?: string;
  key?: string;
  intervalMs: number;
}

export function parseBackfillArgs(argv: readonly string[]): BackfillArgs {
  const value = (name: string): string | undefined => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const args: BackfillArgs = {
    dryRun: argv.includes('--dry-run'),
    ...(argv.includes('--bulk') && { bulk: true }),
    intervalMs: Number(value('--interval-ms') ?? 1000),
  };
  for (const [flag, key] of [
    ['--source', 'source'],
    ['--since', 'since'],
    ['--job', 'job'],
    ['--url', 'url'],
    ['--key', 'key'],
  ] as const) {
    const found = value(flag);
    if (found !== undefined) args[key] = found;
  }
  if (!args.source && !args.job)
    throw new Error('name the shop: --source <WEBHOOK_SOURCES name> (or --job <id>)');
  return args;
}

export interface Progress {
  jobId: string;
  source: string;
  state: 'running' | 'done' | 'failed';
  dryRun: boolean;
  pages: number;
  total?: number;
  estimatedSecondsLeft?: number;
  counts: {
    found: number;
    queued: number;
    replayed: number;
    skippedLinked: number;
    unmappable: number;
    /** A dry run's lookups (absent from an app before them). */
    wouldCreate?: number;
    wouldLinkByEmail?: number;
    wouldLinkByNameAndPhone?: number;
    wouldReview?: number;
  };
  perMinute?: number;
  error?: string;
}

/** The closing lines: what happened to the shop's customers. */
export function summary(p: Progress): string {
  const { found, queued, replayed, skippedLinked, unmappable } = p.counts;
  const sent = p.dryRun ? 'would be sent' : 'sent';
  return [
    `Backfill ${p.jobId} of ${p.source}: ${p.state}${p.error ? ` (${p.error})` : ''}${p.dryRun ? ' (dry run)' : ''}`,
    `  ${found} customers in ${p.pages} pages${p.perMinute !== undefined ? `, ${p.perMinute} per minute` : ''}`,
    `  ${queued} ${sent} to D365, ${skippedLinked} already linked, ${replayed} sent before, ${unmappable} unmappable`,
    ...(p.dryRun && p.counts.wouldCreate !== undefined
      ? [
          `  of those: ${p.counts.wouldCreate} would be created, ${p.counts.wouldLinkByEmail ?? 0} linked by e-mail, ` +
            `${p.counts.wouldLinkByNameAndPhone ?? 0} linked by name and phone, ${p.counts.wouldReview ?? 0} for review`,
        ]
      : []),
  ].join('\n');
}

async function call(url: string, key: string | undefined, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), ...(key && { 'x-functions-key': key }) },
  });
}

async function main(): Promise<void> {
  const args = parseBackfillArgs(process.argv.slice(2));
  let { url, key } = args;
  if (!url) {
    const state = readState(localStackDir(appRoot()));
    url = state.apiUrl;
    key ??= state.masterKey;
  }
  const base = url.replace(/\/+$/, '');
  let location = args.job ? `${base}/backfills/${args.job}` : '';
  if (!args.job) {
    const started = await call(`${base}/backfills`, key, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        source: args.source,
        ...(args.since && { since: args.since }),
        ...(args.dryRun && { dryRun: true }),
        ...(args.bulk && { read: 'bulk' }),
      }),
    });
    if (started.status !== 202)
      throw new Error(`POST /backfills answered ${started.status}: ${await started.text()}`);
    location = started.headers.get('location') ?? '';
  }
  const bar = new SingleBar({
    format:
      '{bar} {value}/{total} customers | {pages} pages | {queued} sent, {skipped} linked, {replayed} before, {unmappable} unmappable | {rate}/min | ETA {eta_formatted}',
    hideCursor: true,
  });
  bar.start(1, 0, { pages: 0, queued: 0, skipped: 0, replayed: 0, unmappable: 0, rate: 0 });
  let progress: Progress;
  for (;;) {
    const answer = await call(location, key);
    if (answer.status !== 200) throw new Error(`GET ${location} answered ${answer.status}`);
    progress = (await answer.json()) as Progress;
    const c = progress.counts;
    // The shop's own count when it gave one; else the bar runs a page ahead until the last one.
    bar.setTotal(progress.state !== 'running' ? Math.max(1, c.found) : (progress.total ?? c.found + 50));
    bar.update(c.found, {
      pages: progress.pages,
      queued: c.queued,
      skipped: c.skippedLinked,
      replayed: c.replayed,
      unmappable: c.unmappable,
      rate: progress.perMinute ?? 0,
    });
    if (progress.state !== 'running') break;
    await new Promise((r) => setTimeout(r, args.intervalMs));
  }
  bar.stop();
  console.log(summary(progress));
  process.exitCode = progress.state === 'done' ? 0 : 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`npm run backfill: ${(error as Error).message}`);
    process.exit(1);
  });
}
