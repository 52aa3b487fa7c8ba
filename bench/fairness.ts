import { createHash, randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { startFleetStack } from '../dev/local-stack/fleet-stack';
import { customerBody, newTag } from './customers';
import { waitForQuiet } from './cpu';
import { BenchEmulator, d365Requests, EmulatorStats } from './emulator-control';
import { Answer, openLoop, postJson, sleep } from './http-client';
import { BenchOptions } from './options';
import { distribution, Distribution, ratio } from './stats';

/**
 * Fairness (issue 24, point 5): caller B's single creates, one at a time, alone and then while
 * caller A floods creates at its rate limit (RATE_LIMIT_PER_MINUTE, 600/min: 10/s) faster than
 * D365 can take them, on the shipped host.json and gate settings. B's time from sending to its
 * request ending, p99 under the flood over p99 alone (same run), is the figure; first come, first
 * served it grew from 3.1 s to 159 s (the finding).
 */
export interface FairnessResult {
  hosts: number;
  d365LatencyMs: number;
  settings: Record<string, string>;
  loadAverage: number[];
  /** B's sequential creates, sent to ended (ms). */
  alone: Distribution;
  underFlood: Distribution;
  /** p99 under the flood over p99 alone. */
  p99Ratio: number;
  flood: {
    ratePerSecond: number;
    sent: number;
    accepted: number;
    /** 429s (the rate limiter) and other refusals. */
    refused: number;
    /** A's requests not yet ended when B's last create under the flood ended. */
    backlogAtEnd: number;
    succeeded: number;
    drainSeconds: number;
  };
  /** D365 requests of the whole run (lookup batches and creates, A's and B's). */
  d365Requests: number;
  /** How often the hosts sent A's messages back for later (`customer.deferred_for_fair_share`). */
  deferrals: number;
}

const keyOf = () => `key-${randomBytes(16).toString('hex')}`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export async function runFairness(
  options: BenchOptions,
  _emulator: BenchEmulator,
  log: (line: string) => void,
): Promise<FairnessResult> {
  const keys = { a: keyOf(), b: keyOf() };
  const settings: Record<string, string> = {
    APPLICATIONINSIGHTS_CONNECTION_STRING: '',
    CALLER_AUTH: 'keys',
    DEV_FUNCTION_KEYS: JSON.stringify({ 'caller-a': keys.a, 'caller-b': keys.b }),
    CALLER_KEYS: JSON.stringify([
      { name: 'caller-a', keySha256: sha256(keys.a), roles: ['create', 'read'] },
      { name: 'caller-b', keySha256: sha256(keys.b), roles: ['create', 'read'] },
    ]),
    RATE_LIMIT_PER_MINUTE: String(options.fairnessFloodRate * 60),
    FAIR_SHARE_WAITERS: String(options.fairnessShareWaiters),
  };
  let deferrals = 0;
  const stack = await startFleetStack({
    hosts: options.fairnessHosts,
    settings,
    emulator: { latencyMs: options.fairnessD365LatencyMs },
    onLine: (_host, line) => {
      if (line.includes('customer.deferred_for_fair_share')) deferrals += 1;
    },
  });
  const tag = newTag();
  let n = 0;
  /** One of B's creates: sent, then its status read every 50 ms until it ended; sent → ended in ms. */
  const single = async (): Promise<number> => {
    const started = performance.now();
    const answer = await postJson(`${stack.url(n)}/api/customers`, customerBody(tag, 100_000 + n++), {
      headers: { 'x-functions-key': keys.b },
    });
    const statusUrl = answer.json?.statusUrl as string | undefined;
    if (answer.status !== 202 || !statusUrl) throw new Error(`B's create answered ${answer.status}`);
    for (;;) {
      const status = await fetch(statusUrl, { headers: { 'x-functions-key': keys.b } });
      const body = (await status.json()) as { status: string };
      if (['succeeded', 'failed', 'needs_review'].includes(body.status)) return performance.now() - started;
      await sleep(50);
    }
  };
  const singles = async (count: number): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      times.push(await single());
      await sleep(options.fairnessGapMs);
    }
    return times;
  };
  try {
    await waitForQuiet(log);
    const loadAverage = loadavg().map((v) => Math.round(v * 100) / 100);
    log(
      `fairness: ${options.fairnessHosts} host(s), D365 ${options.fairnessD365LatencyMs} ms; B alone, then with A at ${options.fairnessFloodRate}/s for ${options.fairnessFloodSeconds} s`,
    );
    await singles(2); // warm-up: token, Key Vault, connections
    const alone = await singles(options.fairnessSamples);
    log(`fairness: B alone p99 ${Math.round(distribution(alone).p99)} ms`);

    const count = options.fairnessFloodRate * options.fairnessFloodSeconds;
    const floodStarted = Date.now();
    const flood = openLoop(options.fairnessFloodRate, count, (i) =>
      postJson(`${stack.url(i)}/api/customers`, customerBody(tag, i), {
        headers: { 'x-functions-key': keys.a },
      }),
    );
    await sleep(options.fairnessFloodLeadSeconds * 1000); // a backlog first
    const underFlood = await singles(options.fairnessSamples);
    const sentByA = await flood;
    const backlogAtEnd = await backlogOf(sentByA, keys.a);
    log(
      `fairness: B under the flood p99 ${Math.round(distribution(underFlood).p99)} ms; A's backlog ${backlogAtEnd}`,
    );
    const drained = await drain(sentByA, keys.a, options.drainTimeoutSeconds * 1000);
    const stats = await stack.emulatorApi<EmulatorStats>('GET', '/_emulator/stats');
    return {
      hosts: options.fairnessHosts,
      d365LatencyMs: options.fairnessD365LatencyMs,
      settings: { ...settings, DEV_FUNCTION_KEYS: '(two keys)' },
      loadAverage,
      alone: distribution(alone),
      underFlood: distribution(underFlood),
      p99Ratio: ratio(distribution(underFlood).p99, distribution(alone).p99),
      flood: {
        ratePerSecond: options.fairnessFloodRate,
        sent: count,
        accepted: sentByA.filter((a) => a.status === 202).length,
        refused: sentByA.filter((a) => a.status !== 202).length,
        backlogAtEnd,
        succeeded: drained.succeeded,
        drainSeconds: Math.round((drained.endedAt - floodStarted) / 100) / 10,
      },
      d365Requests: d365Requests(stats),
      deferrals,
    };
  } finally {
    await stack.stop();
  }
}

const statusOf = async (answer: Answer, key: string): Promise<string> => {
  const url = answer.json?.statusUrl as string | undefined;
  if (!url) return 'refused';
  const response = await fetch(url, { headers: { 'x-functions-key': key } });
  return ((await response.json()) as { status: string }).status;
};
const ended = (status: string) => ['succeeded', 'failed', 'needs_review', 'refused'].includes(status);

async function backlogOf(answers: Answer[], key: string): Promise<number> {
  const statuses = await Promise.all(answers.map((a) => statusOf(a, key)));
  return statuses.filter((s) => !ended(s)).length;
}

async function drain(
  answers: Answer[],
  key: string,
  timeoutMs: number,
): Promise<{ succeeded: number; endedAt: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await Promise.all(answers.map((a) => statusOf(a, key)));
    if (statuses.every(ended) || Date.now() > deadline)
      return { succeeded: statuses.filter((s) => s === 'succeeded').length, endedAt: Date.now() };
    await sleep(1_000);
  }
}
