import { randomUUID } from 'node:crypto';
import { startAzurite } from '@d365-customer-sync/functions-host';
import { keyedCorrelationId } from '../shared/domain/correlation-id';
import { startServerScript } from './child-script';
import { customerBody, customerEmail, newTag } from './customers';
import { AuthCalls, authCalls, drainSettings } from './end-to-end';
import { BenchEmulator, EmulatorCustomer } from './emulator-control';
import { Answer, openLoop, postJson, sleep } from './http-client';
import { BenchOptions } from './options';
import { startOurHost } from './our-host';
import { waitForTerminal } from './status-table';
import { distribution, Distribution } from './stats';

export type Side = 'naive' | 'ours' | 'ours, Prefer: wait';

export interface ScenarioRun {
  scenario: 'steady' | 'storm' | 'retry';
  side: Side;
  /** Distinct customers the client asked for. */
  requests: number;
  /** Sending the first attempt → the customer exists and the client could know it (ms). */
  latency: Distribution;
  /** Requests that did not end with the customer created, as the client (naive) or the status (ours) says. */
  errors: number;
  /** Requests whose last answer the client saw was not a success (timeouts included). */
  clientErrors: number;
  statuses: Record<string, number>;
  attempts: number;
  customersCreated: number;
  /** Customers created beyond one per distinct request. */
  duplicates: number;
  d365Requests: number;
  responses429: number;
  auth: AuthCalls;
  maxAttemptsOurs?: number;
}

export interface NaiveResult {
  ratePerSecond: number;
  seconds: number;
  d365LatencyMs: number;
  throttleRate: number;
  storm: { startsAtSeconds: number; seconds: number; retryAfter: number };
  retry: { d365LatencyMs: number; clientTimeoutMs: number; retries: number; preferWait: number };
  /** The settings of ours (the drain settings, default duplicate policy). Idempotency-Key: retry scenario only. */
  settings: Record<string, string>;
  runs: ScenarioRun[];
}

interface ClientResult {
  first: Answer;
  last: Answer;
  attempts: number;
  /** performance.now() when the client got its final answer. */
  endedAt: number;
  startedAt: number;
}

/** A client that retries the same request after a timeout, a connection error or a 5xx. */
async function retryingPost(
  url: string,
  body: string,
  client: { headers: Record<string, string>; timeoutMs: number; retries: number },
): Promise<ClientResult> {
  const { headers, timeoutMs, retries } = client;
  const startedAt = performance.now();
  let first: Answer | undefined;
  let last: Answer | undefined;
  let attempts = 0;
  while (attempts <= retries) {
    attempts += 1;
    last = await postJson(url, body, { headers, timeoutMs });
    first ??= last;
    if (last.status !== 0 && last.status < 500) break;
  }
  return { first: first!, last: last!, attempts, startedAt, endedAt: performance.now() };
}

const byEmail = (customers: EmulatorCustomer[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const c of customers) {
    const email = c.fields.PrimaryContactEmail ?? '';
    counts.set(email, (counts.get(email) ?? 0) + 1);
  }
  return counts;
};

/** Waits until the emulator has no D365 request in flight (the naive proxy's calls go on after the client left). */
async function settle(emulator: BenchEmulator): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    const stats = (await emulator.stats()) as unknown as { d365: { inFlight?: number } };
    if (!stats.d365.inFlight) return;
    await sleep(100);
  }
}

type Scenario = ScenarioRun['scenario'];

async function scenarioLoad(
  scenario: Scenario,
  options: BenchOptions,
  emulator: BenchEmulator,
  send: (i: number, body: string) => Promise<ClientResult>,
): Promise<{ results: ClientResult[]; tag: string; count: number }> {
  const tag = newTag();
  if (scenario === 'retry') {
    const count = options.retryRequests;
    const results = await openLoop(options.naiveRate, count, (i) => send(i, customerBody(tag, i)));
    return { results, tag, count };
  }
  const count = Math.round(options.naiveRate * options.naiveSeconds);
  let storm: Promise<void> = Promise.resolve();
  if (scenario === 'storm') {
    storm = (async () => {
      await sleep(2_000);
      await emulator.addFault({ service: 'd365', status: 429, retryAfter: options.stormRetryAfter });
      await sleep(options.stormSeconds * 1000);
      await emulator.clearFaults();
    })();
  }
  const results = await openLoop(options.naiveRate, count, (i) => send(i, customerBody(tag, i)));
  await storm;
  return { results, tag, count };
}

async function prepareEmulator(
  scenario: Scenario,
  options: BenchOptions,
  emulator: BenchEmulator,
): Promise<void> {
  await emulator.clearFaults();
  await emulator.settings({
    latencyMs: scenario === 'retry' ? options.slowLatencyMs : options.d365LatencyMs,
    throttle: { ratePerSecond: options.throttleRate || null },
  });
  await emulator.reset();
}

const clientOptions = (scenario: Scenario, options: BenchOptions): { timeoutMs: number; retries: number } =>
  scenario === 'retry'
    ? { timeoutMs: options.clientTimeoutMs, retries: options.clientRetries }
    : { timeoutMs: 60_000, retries: 0 };

async function naiveRun(
  scenario: Scenario,
  options: BenchOptions,
  emulator: BenchEmulator,
): Promise<ScenarioRun> {
  await prepareEmulator(scenario, options, emulator);
  const proxy = await startServerScript('naive-proxy', {
    BENCH_EMULATOR_URL: emulator.url,
    NODE_EXTRA_CA_CERTS: emulator.caCertPath,
  });
  try {
    const client = clientOptions(scenario, options);
    const { results, count, tag } = await scenarioLoad(scenario, options, emulator, (_i, body) =>
      retryingPost(proxy.url, body, { ...client, headers: {} }),
    );
    await settle(emulator);
    const stats = await emulator.stats();
    const created = byEmail(await emulator.customers());
    const ok = results.filter((r) => r.last.status === 200);
    const notCreated = results.filter((_r, i) => !created.has(customerEmail(tag, i))).length;
    const statuses: Record<string, number> = {};
    for (const r of results) statuses[String(r.last.status)] = (statuses[String(r.last.status)] ?? 0) + 1;
    const customersCreated = [...created.values()].reduce((a, b) => a + b, 0);
    return {
      scenario,
      side: 'naive',
      requests: count,
      latency: distribution(ok.map((r) => r.endedAt - r.startedAt)),
      errors: notCreated,
      clientErrors: count - ok.length,
      statuses,
      attempts: results.reduce((sum, r) => sum + r.attempts, 0),
      customersCreated,
      duplicates: customersCreated - created.size,
      d365Requests: Object.values(stats.d365.requests).reduce((a, b) => a + b, 0),
      responses429: stats.responses429,
      auth: authCalls(stats, count),
    };
  } finally {
    await proxy.stop();
  }
}

async function oursRun(
  scenario: Scenario,
  side: Side,
  options: BenchOptions,
  emulator: BenchEmulator,
  settings: Record<string, string>,
): Promise<ScenarioRun> {
  await prepareEmulator(scenario, options, emulator);
  const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  try {
    const host = await startOurHost(azurite.connectionString, emulator, settings);
    try {
      const client = clientOptions(scenario, options);
      const wait = side === 'ours, Prefer: wait' ? options.preferWaitSeconds : 0;
      // Only the retrying client needs (and sends) an Idempotency-Key; see keyed-intake.ts.
      const keys: (string | undefined)[] = [];
      const { results, count } = await scenarioLoad(scenario, options, emulator, (i, body) => {
        keys[i] = scenario === 'retry' ? randomUUID() : undefined;
        const headers: Record<string, string> = keys[i] ? { 'idempotency-key': keys[i] } : {};
        if (wait) headers.prefer = `wait=${wait}`;
        return retryingPost(`${host.url}/api/customers`, body, { ...client, headers });
      });
      const { rows } = await waitForTerminal(host.table, emulator, count, options.drainTimeoutSeconds * 1000);
      await settle(emulator);
      const stats = await emulator.stats();
      const created = byEmail(await emulator.customers());
      const byId = new Map(rows.map((r) => [r.correlationId, r]));
      const latencies: number[] = [];
      let errors = 0;
      results.forEach((r, i) => {
        // A keyed request's record has an ID derived from the key: found even when every attempt timed out.
        const key = keys[i];
        const id = key
          ? keyedCorrelationId(host.correlationKey.secret, {
              caller: 'anonymous',
              route: 'POST /api/customers',
              key,
            })
          : r.first.json?.correlationId;
        const row = typeof id === 'string' ? byId.get(id) : undefined;
        if (row?.status !== 'succeeded') errors += 1;
        else if (r.last.status === 201) latencies.push(r.endedAt - r.startedAt);
        else latencies.push(row.updatedAt - r.first.sentAt);
      });
      const statuses: Record<string, number> = {};
      for (const r of results) statuses[String(r.last.status)] = (statuses[String(r.last.status)] ?? 0) + 1;
      const customersCreated = [...created.values()].reduce((a, b) => a + b, 0);
      return {
        scenario,
        side,
        requests: count,
        latency: distribution(latencies),
        errors,
        clientErrors: results.filter((r) => r.last.status < 200 || r.last.status >= 300).length,
        statuses,
        attempts: results.reduce((sum, r) => sum + r.attempts, 0),
        customersCreated,
        duplicates: customersCreated - created.size,
        d365Requests: Object.values(stats.d365.requests).reduce((a, b) => a + b, 0),
        responses429: stats.responses429,
        auth: authCalls(stats, count),
        maxAttemptsOurs: Math.max(0, ...rows.map((r) => r.attempts)),
      };
    } finally {
      await host.stop();
    }
  } finally {
    await azurite.stop();
  }
}

/**
 * Item 4. The article's synchronous proxy next to ours, on the same emulator, under the same
 * load: steady (p99), a 429 storm (errors), and a slow D365 behind a client that times out and
 * retries (duplicates). Ours runs with the drain settings and the default duplicate policy; its
 * client sends an Idempotency-Key (kept on retries).
 */
export async function runNaiveComparison(
  options: BenchOptions,
  emulator: BenchEmulator,
  log: (line: string) => void,
): Promise<NaiveResult> {
  const settings = { ...drainSettings(options), DUPLICATE_POLICY: 'link' };
  const runs: ScenarioRun[] = [];
  const plan: [Scenario, Side][] = [
    ['steady', 'naive'],
    ['steady', 'ours'],
    ['steady', 'ours, Prefer: wait'],
    ['storm', 'naive'],
    ['storm', 'ours'],
    ['retry', 'naive'],
    ['retry', 'ours'],
    ['retry', 'ours, Prefer: wait'],
  ];
  for (const [scenario, side] of plan) {
    log(`naive comparison: ${scenario}, ${side}`);
    runs.push(
      side === 'naive'
        ? await naiveRun(scenario, options, emulator)
        : await oursRun(scenario, side, options, emulator, settings),
    );
  }
  await emulator.clearFaults();
  await emulator.settings({ latencyMs: options.d365LatencyMs });
  return {
    ratePerSecond: options.naiveRate,
    seconds: options.naiveSeconds,
    d365LatencyMs: options.d365LatencyMs,
    throttleRate: options.throttleRate,
    storm: { startsAtSeconds: 2, seconds: options.stormSeconds, retryAfter: options.stormRetryAfter },
    retry: {
      d365LatencyMs: options.slowLatencyMs,
      clientTimeoutMs: options.clientTimeoutMs,
      retries: options.clientRetries,
      preferWait: options.preferWaitSeconds,
    },
    settings,
    runs,
  };
}
