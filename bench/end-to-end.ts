import { startAzurite } from '@d365-customer-sync/functions-host';
import { CpuUsage, measureCpu, waitForQuiet } from './cpu';
import { customerBody, newTag } from './customers';
import { BenchEmulator, d365Requests, EmulatorStats } from './emulator-control';
import { Answer, postJson, withConcurrency } from './http-client';
import { BenchOptions } from './options';
import { startOurHost } from './our-host';
import { RssReport } from './rss';
import { StatusRow, waitForTerminal } from './status-table';
import { distribution, Distribution, ratio } from './stats';

/** One drain: N customers accepted as fast as the intake takes them, then processed to the end. */
export interface DrainRun {
  label: string;
  duplicatePolicy: 'link' | 'create';
  customers: number;
  /** App settings that differ from the local defaults (host.json overrides included). */
  settings: Record<string, string>;
  d365LatencyMs: number;
  throttleRate: number;
  submit: { seconds: number; latency: Distribution; errors: number };
  succeeded: number;
  failed: number;
  /** First acceptance to last success (host clock). */
  drainSeconds: number;
  /** N / throttle rate: every customer one D365 request at the throttle's rate. */
  minimumSeconds: number;
  drainRatio: number;
  /** D365 requests the customers needed (lookups and creates, not 429s) / throttle rate. */
  minimumForRequestsSeconds: number;
  drainRatioForRequests: number;
  /** Accept → succeeded per customer (ms). */
  acceptToSucceeded: Distribution;
  attempts: { max: number; retried: number };
  d365: {
    requests: number;
    /** Requests answered 429 (throttle model and faults). */
    throttled: number;
    byEndpoint: EmulatorStats['d365']['requests'];
    maxConcurrent: number;
    /** Requests D365 served (not 429) per second of drain. */
    servedPerSecond: number;
  };
  auth: AuthCalls;
  hostEvents: Record<string, number>;
  failedInvocations: number;
  rss: RssReport;
  cpu: CpuUsage | null;
  timedOut: boolean;
}

/** Item 3: what the emulator counted for Entra ID and Key Vault. */
export interface AuthCalls {
  /** Token requests of the D365 app registration. */
  d365TokenRequests: number;
  /** Token requests of the Key Vault reader (the managed identity's stand-in). */
  keyVaultTokenRequests: number;
  keyVaultReads: number;
  customers: number;
  per1000: { tokenRequests: number; keyVaultReads: number };
}

export const D365_CLIENT_ID = '22222222-2222-4222-8222-222222222222';
export const KEY_VAULT_READER_CLIENT_ID = '33333333-3333-4333-8333-333333333333';

export function authCalls(stats: EmulatorStats, customers: number): AuthCalls {
  const count = (id: string): number => (stats.tokenRequests.v1[id] ?? 0) + (stats.tokenRequests.v2[id] ?? 0);
  const d365TokenRequests = count(D365_CLIENT_ID);
  const keyVaultTokenRequests = count(KEY_VAULT_READER_CLIENT_ID);
  const per = (n: number): number => Math.round((n / Math.max(1, customers)) * 1000 * 100) / 100;
  return {
    d365TokenRequests,
    keyVaultTokenRequests,
    keyVaultReads: stats.keyVault.reads,
    customers,
    per1000: {
      tokenRequests: per(d365TokenRequests + keyVaultTokenRequests),
      keyVaultReads: per(stats.keyVault.reads),
    },
  };
}

/** The host settings of the drain runs: queue batch and D365 concurrency sized for the throttle. */
export function drainSettings(options: BenchOptions): Record<string, string> {
  return {
    AzureFunctionsJobHost__extensions__queues__batchSize: String(options.batchSize),
    AzureFunctionsJobHost__extensions__queues__newBatchThreshold: String(options.newBatchThreshold),
    D365_MAX_CONCURRENCY: String(options.maxConcurrency),
  };
}

/** One drain run: its label in the results, how many customers, the host's settings. */
export interface DrainSpec {
  label: string;
  customers: number;
  settings: Record<string, string>;
}

export async function drain(
  { label, customers, settings }: DrainSpec,
  options: BenchOptions,
  emulator: BenchEmulator,
  log: (line: string) => void,
): Promise<DrainRun> {
  const duplicatePolicy = settings.DUPLICATE_POLICY === 'create' ? 'create' : 'link';
  await emulator.settings({
    latencyMs: options.d365LatencyMs,
    throttle: { ratePerSecond: options.throttleRate || null },
  });
  await emulator.reset();
  const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  try {
    const host = await startOurHost(azurite.connectionString, emulator, settings);
    let measured: Omit<Parameters<typeof summarizeDrain>[0], 'rss'>;
    let rss: RssReport;
    try {
      await waitForQuiet(log);
      log(`${label}: ${customers} customers, D365 ${options.d365LatencyMs} ms, ${options.throttleRate}/s`);
      const cpu = measureCpu();
      const tag = newTag();
      const submitStarted = performance.now();
      const answers: Answer[] = await withConcurrency(16, customers, (i) =>
        postJson(`${host.url}/api/customers`, customerBody(tag, i)),
      );
      const submitSeconds = (performance.now() - submitStarted) / 1000;
      const { rows, timedOut } = await waitForTerminal(
        host.table,
        emulator,
        customers,
        options.drainTimeoutSeconds * 1000,
        (created) => log(`${label}: ${created}/${customers} created`),
      );
      const stats = await emulator.stats();
      measured = {
        label,
        duplicatePolicy,
        customers,
        settings,
        options,
        answers,
        submitSeconds,
        rows,
        stats,
        events: host.events,
        failedInvocations: host.failedInvocations,
        cpu: cpu.stop(),
        timedOut,
      };
    } finally {
      rss = await host.stop();
    }
    return summarizeDrain({ ...measured, rss });
  } finally {
    await azurite.stop();
  }
}

function summarizeDrain(input: {
  label: string;
  duplicatePolicy: 'link' | 'create';
  customers: number;
  settings: Record<string, string>;
  options: BenchOptions;
  answers: Answer[];
  submitSeconds: number;
  rows: StatusRow[];
  stats: EmulatorStats;
  events: Record<string, number>;
  failedInvocations: number;
  rss: RssReport;
  cpu: CpuUsage | null;
  timedOut: boolean;
}): DrainRun {
  const { rows, stats, options, customers } = input;
  const succeeded = rows.filter((r) => r.status === 'succeeded');
  const failed = rows.filter((r) => r.status === 'failed');
  const firstAccepted = Math.min(...rows.map((r) => r.createdAt));
  const lastSucceeded = Math.max(...succeeded.map((r) => r.updatedAt));
  const drainSeconds = (lastSucceeded - firstAccepted) / 1000;
  const rate = options.throttleRate;
  const throttled = stats.d365.statuses['429'] ?? 0;
  const served = d365Requests(stats) - throttled;
  const minimumSeconds = rate > 0 ? customers / rate : NaN;
  const minimumForRequestsSeconds = rate > 0 ? served / rate : NaN;
  const round = (n: number): number => Math.round(n * 100) / 100;
  return {
    label: input.label,
    duplicatePolicy: input.duplicatePolicy,
    customers,
    settings: input.settings,
    d365LatencyMs: options.d365LatencyMs,
    throttleRate: rate,
    submit: {
      seconds: round(input.submitSeconds),
      latency: distribution(input.answers.map((a) => a.ms)),
      errors: input.answers.filter((a) => a.status !== 202).length,
    },
    succeeded: succeeded.length,
    failed: failed.length,
    drainSeconds: round(drainSeconds),
    minimumSeconds: round(minimumSeconds),
    drainRatio: ratio(drainSeconds, minimumSeconds),
    minimumForRequestsSeconds: round(minimumForRequestsSeconds),
    drainRatioForRequests: ratio(drainSeconds, minimumForRequestsSeconds),
    acceptToSucceeded: distribution(succeeded.map((r) => r.updatedAt - r.createdAt)),
    attempts: {
      max: Math.max(0, ...rows.map((r) => r.attempts)),
      retried: rows.filter((r) => r.attempts > 1).length,
    },
    d365: {
      requests: d365Requests(stats),
      throttled,
      byEndpoint: stats.d365.requests,
      maxConcurrent: stats.d365.maxConcurrent,
      servedPerSecond: round(served / drainSeconds),
    },
    auth: authCalls(stats, customers),
    hostEvents: { ...input.events },
    failedInvocations: input.failedInvocations,
    rss: input.rss,
    cpu: input.cpu,
    timedOut: input.timedOut,
  };
}

export interface EndToEndResult {
  runs: DrainRun[];
}

/**
 * Item 2 (drain) and item 3 (Entra ID and Key Vault calls per 1,000 customers): N customers
 * with the duplicate policy's lookup (`link`, the default) and without it (`create`), with the
 * drain settings; then a smaller run with the shipped host.json and D365_MAX_CONCURRENCY.
 */
export async function runEndToEnd(
  options: BenchOptions,
  emulator: BenchEmulator,
  log: (line: string) => void,
): Promise<EndToEndResult> {
  const runs: DrainRun[] = [];
  const tuned = drainSettings(options);
  runs.push(
    await drain(
      {
        label: 'link (default policy)',
        customers: options.customers,
        settings: { ...tuned, DUPLICATE_POLICY: 'link' },
      },
      options,
      emulator,
      log,
    ),
  );
  // The same-run baseline of the batched lookups: every lookup a D365 request of its own, in its create's slot.
  runs.push(
    await drain(
      {
        label: 'link, lookups one by one',
        customers: options.customers,
        settings: { ...tuned, DUPLICATE_POLICY: 'link', D365_LOOKUP_BATCH_SIZE: '1' },
      },
      options,
      emulator,
      log,
    ),
  );
  runs.push(
    await drain(
      { label: 'create', customers: options.customers, settings: { ...tuned, DUPLICATE_POLICY: 'create' } },
      options,
      emulator,
      log,
    ),
  );
  if (options.defaultConfigCustomers > 0) {
    runs.push(
      await drain(
        {
          label: 'link, shipped settings',
          customers: options.defaultConfigCustomers,
          settings: { DUPLICATE_POLICY: 'link' },
        },
        options,
        emulator,
        log,
      ),
    );
  }
  return { runs };
}
