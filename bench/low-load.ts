import { startAzurite } from '@d365-customer-sync/functions-host';
import { customerBody, newTag } from './customers';
import { BenchEmulator } from './emulator-control';
import { Answer, getJson, openLoop, postJson, sleep } from './http-client';
import { BenchOptions } from './options';
import { OurHost, startOurHost } from './our-host';
import { RssReport } from './rss';
import { readStatusRows } from './status-table';
import { distribution, Distribution } from './stats';

/** What a cashier feels: one customer at a time, at a low rate, on a warm instance. */
export interface LowLoadVariant {
  label: string;
  duplicatePolicy: 'link' | 'create';
  /** 0: 202 at once, then the status is polled every 100 ms; N: `Prefer: wait=N`. */
  preferWait: number;
  customers: number;
  ratePerSecond: number;
  /** Sending the POST → the client holds the account (201 answer, or a `succeeded` status poll). */
  clientFelt: Distribution;
  /** Sending the POST → the record says `succeeded` (host clock): the latency without polling. */
  sentToSucceeded: Distribution;
  /** The POST's own round trip. */
  post: Distribution;
  statuses: Record<string, number>;
  errors: number;
}

export interface LowLoadResult {
  d365LatencyMs: number;
  /** D365 calls a customer needs: 2 with `link` (lookup + create), 1 with `create`. */
  variants: LowLoadVariant[];
  /** The first customer after the host started (reads the secret, gets two tokens). */
  firstCustomer: { policy: string; ms: number }[];
  settings: Record<string, string>;
  /** The maxPollingInterval of the extra queue variant. */
  fastPolling?: string;
  rss: RssReport[];
}

interface Sample {
  answer: Answer;
  feltMs: number;
  correlationId?: string;
  ok: boolean;
}

async function oneCustomer(host: OurHost, body: string, preferWait: number): Promise<Sample> {
  const started = performance.now();
  const answer = await postJson(`${host.url}/api/customers`, body, {
    headers: preferWait > 0 ? { prefer: `wait=${preferWait}` } : {},
  });
  const correlationId =
    typeof answer.json?.correlationId === 'string' ? answer.json.correlationId : undefined;
  if (answer.status === 201) return { answer, feltMs: performance.now() - started, correlationId, ok: true };
  if (answer.status !== 202 || !correlationId) return { answer, feltMs: NaN, correlationId, ok: false };
  const statusUrl = `${host.url}/api/customers/status/${correlationId}`;
  for (;;) {
    const status = await getJson(statusUrl);
    const value = status.json?.status;
    if (value === 'succeeded')
      return { answer, feltMs: performance.now() - started, correlationId, ok: true };
    if (value === 'failed' || performance.now() - started > 60_000) {
      return { answer, feltMs: NaN, correlationId, ok: false };
    }
    await sleep(100);
  }
}

async function variant(
  host: OurHost,
  { label, duplicatePolicy, preferWait }: Pick<LowLoadVariant, 'label' | 'duplicatePolicy' | 'preferWait'>,
  options: BenchOptions,
): Promise<LowLoadVariant> {
  const tag = newTag();
  const samples = await openLoop(options.lowLoadRate, options.lowLoadCustomers, (i) =>
    oneCustomer(host, customerBody(tag, i), preferWait),
  );
  const rows = new Map((await readStatusRows(host.table)).map((r) => [r.correlationId, r]));
  const sentToSucceeded = samples.flatMap((s) => {
    const row = s.correlationId ? rows.get(s.correlationId) : undefined;
    return row?.status === 'succeeded' ? [row.updatedAt - s.answer.sentAt] : [];
  });
  const statuses: Record<string, number> = {};
  for (const s of samples) statuses[String(s.answer.status)] = (statuses[String(s.answer.status)] ?? 0) + 1;
  return {
    label,
    duplicatePolicy,
    preferWait,
    customers: samples.length,
    ratePerSecond: options.lowLoadRate,
    clientFelt: distribution(samples.filter((s) => s.ok).map((s) => s.feltMs)),
    sentToSucceeded: distribution(sentToSucceeded),
    post: distribution(samples.map((s) => s.answer.ms)),
    statuses,
    errors: samples.filter((s) => !s.ok).length,
  };
}

interface LowLoadHost {
  key: string;
  policy: 'link' | 'create';
  settings: Record<string, string>;
  /** Besides the queue variant: the Prefer: wait=N variants that run on it. */
  waits: number[];
}

/**
 * Item 2, low load: customers at `lowLoadRate` per second, on the shipped settings, through the
 * queue (202, then the status) and with `Prefer: wait`, for both duplicate policies, plus the
 * queue path with a shorter `maxPollingInterval`. Each configuration has a host of its own; the
 * queue variants run side by side (4 customers/s in all, far from any limit), then the
 * Prefer: wait ones.
 */
export async function runLowLoad(
  options: BenchOptions,
  emulator: BenchEmulator,
  log: (line: string) => void,
): Promise<LowLoadResult> {
  await emulator.settings({
    latencyMs: options.d365LatencyMs,
    throttle: { ratePerSecond: options.throttleRate || null },
  });
  await emulator.reset();
  const polling = `00:00:00.${String(Math.min(999, Math.max(100, options.fastPollingMs))).padStart(3, '0')}`;
  const configs: LowLoadHost[] = [
    {
      key: 'link',
      policy: 'link',
      settings: { DUPLICATE_POLICY: 'link' },
      waits: [options.preferWaitSeconds],
    },
    {
      key: 'create',
      policy: 'create',
      settings: { DUPLICATE_POLICY: 'create' },
      waits: [options.preferWaitSeconds],
    },
    // The same-run baseline of the batched lookups: does the batch window add to a lone lookup?
    {
      key: 'link, lookups one by one',
      policy: 'link',
      settings: { DUPLICATE_POLICY: 'link', D365_LOOKUP_BATCH_SIZE: '1' },
      waits: [options.preferWaitSeconds],
    },
  ];
  if (options.fastPollingMs > 0) {
    for (const policy of ['link', 'create'] as const) {
      configs.push({
        key: `${policy}, maxPollingInterval ${options.fastPollingMs} ms`,
        policy,
        settings: {
          DUPLICATE_POLICY: policy,
          AzureFunctionsJobHost__extensions__queues__maxPollingInterval: polling,
        },
        waits: [],
      });
    }
  }
  const firstCustomer: { policy: string; ms: number }[] = [];
  const rss: RssReport[] = [];
  const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  const hosts: OurHost[] = [];
  try {
    for (const config of configs) {
      const host = await startOurHost(azurite.connectionString, emulator, config.settings);
      hosts.push(host);
      const tag = newTag();
      const first = await oneCustomer(host, customerBody(tag, 0), 0);
      firstCustomer.push({ policy: config.key, ms: Math.round(first.feltMs) });
      await oneCustomer(host, customerBody(tag, 1), 0);
    }
    const through = `${options.lowLoadCustomers} customers at ${options.lowLoadRate}/s each`;
    log(`low load: through the queue (${configs.map((c) => c.key).join('; ')}), ${through}`);
    const queued = await Promise.all(
      configs.map((c, k) =>
        variant(
          hosts[k]!,
          { label: `${c.key}, via queue`, duplicatePolicy: c.policy, preferWait: 0 },
          options,
        ),
      ),
    );
    log(
      `low load: Prefer: wait=${options.preferWaitSeconds} (${configs
        .filter((c) => c.waits.length)
        .map((c) => c.key)
        .join('; ')}), ${through}`,
    );
    const waited = await Promise.all(
      configs.flatMap((c, k) =>
        c.waits.map((wait) =>
          variant(
            hosts[k]!,
            { label: `${c.key}, Prefer: wait=${wait}`, duplicatePolicy: c.policy, preferWait: wait },
            options,
          ),
        ),
      ),
    );
    const variants = configs.flatMap((c) => [
      ...queued.filter((v) => v.label === `${c.key}, via queue`),
      ...waited.filter((v) => v.label.startsWith(`${c.key}, Prefer`)),
    ]);
    return {
      d365LatencyMs: options.d365LatencyMs,
      variants,
      firstCustomer,
      settings: {},
      rss,
      fastPolling: polling,
    };
  } finally {
    for (const host of hosts) rss.push(await host.stop());
    await azurite.stop();
  }
}
