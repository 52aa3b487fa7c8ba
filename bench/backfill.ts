import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { AppStack, startAppStack } from '../dev/local-stack/app-stack';
import { emulatorVault } from '../dev/local-stack/emulator-clients';
import { BackfillBenchOptions, liveSummary, liveWebhooks, parseBackfillBenchArgs } from './backfill-parts';
import {
  BENCH_SHOP,
  BENCH_SHOP_SECRET,
  BENCH_SHOP_TOKEN,
  BENCH_SOURCE,
  seedExistingInD365,
  seedShop,
} from './backfill-seed';
import { shopPages, tallyCustomers } from './backfill-verify';
import { buildReport, headline, writeLatest } from './backfill-report';
import { backfillWithLive } from './backfill-run';
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
    const loads = { before: loadBefore, atBackfillStart: loadAtStart, atBackfillEnd: loadAtEnd };
    const m = { loads, existing, seedSeconds, before, after, run, pages, tally };
    const { result, checks } = buildReport(o, m);
    const text = `${JSON.stringify({ ...result, checks }, null, 2)}\n`;
    if (o.out) writeFileSync(o.out, text);
    if (o.latest) writeLatest(o.latest, o.out, result, checks);
    log(`result: ${JSON.stringify(headline(result))}`);
    log(`checks: ${JSON.stringify(checks, null, 2)}`);
  } finally {
    await stack.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
