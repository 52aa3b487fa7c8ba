import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import { scriptInput } from './child-script';
import { customerBody } from './customers';
import { Distribution, distribution } from './stats';
import { Route, signedRequest, WebhookSecrets } from './webhook-requests';

/**
 * The intake load generator, in a process of its own, after an unmeasured warm-up:
 * - closed loop (no `rate`): autocannon POSTs a unique valid customer per request at a fixed
 *   concurrency for a fixed time, as fast as the server answers;
 * - open loop (`rate`): requests start at evenly spaced times (`rate` per second) on up to
 *   `connections` keep-alive connections, and each latency counts from the time the request was
 *   due, so a stalled server cannot hide its queue (no coordinated omission). autocannon's own
 *   `overallRate` sends each second's requests in one burst, which measures saturation again.
 * Every response's latency is recorded (autocannon's histogram has no p95). With `route`, every
 * request is that sender's, signed here (`webhook-requests.ts`), to the path on `url`'s host.
 * Prints one JSON line: `LoadResult`.
 */
export interface LoadInput {
  url: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** Open loop at this many requests per second; unset = closed loop at full speed. */
  rate?: number;
  /** Keeps e-mail addresses unique across runs. */
  tag: string;
  /** Post this sender's requests (signed with `secrets`) instead of plain customers to `url`. */
  route?: Route;
  secrets?: WebhookSecrets;
  /**
   * The server's pid, when `loop-probe.ts` is preloaded into it: sent SIGUSR2 when the warm-up ends
   * and when the measured run ends, so the probe's second segment is exactly the measured run.
   */
  markPid?: number;
}

/** Request `n`: its URL, body and headers. */
function requestOf(input: LoadInput, tag: string, n: number) {
  if (!input.route) {
    return {
      url: new URL(input.url),
      body: customerBody(tag, n),
      headers: { 'content-type': 'application/json' },
    };
  }
  const signed = signedRequest(input.route, input.secrets!, tag, n);
  return { url: new URL(signed.path, input.url), body: signed.body, headers: signed.headers };
}

export interface LoadResult {
  requests: number;
  /** Requests of the unmeasured warm-up (for CPU per request, which counts them too). */
  warmupRequests?: number;
  seconds: number;
  requestsPerSecond: number;
  latency: Distribution;
  statuses: Record<string, number>;
  /** Non-2xx answers, connection errors and timeouts. */
  errors: number;
  timeouts: number;
}

function summarizeRun({
  latencies,
  statuses,
  seconds,
  failures,
  timeouts,
}: {
  latencies: number[];
  statuses: Record<string, number>;
  seconds: number;
  /** Requests that got no answer (connection errors), counted as errors with the non-2xx. */
  failures: number;
  timeouts: number;
}): LoadResult {
  const non2xx = Object.entries(statuses)
    .filter(([code]) => !code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    requests: latencies.length,
    seconds: Math.round(seconds * 100) / 100,
    requestsPerSecond: Math.round((latencies.length / seconds) * 10) / 10,
    latency: distribution(latencies),
    statuses,
    errors: non2xx + failures,
    timeouts,
  };
}

/** Open loop: one request every 1/rate seconds, whatever the server does. */
async function paced(input: LoadInput, tag: string, seconds: number, rate: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: input.connections });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let failures = 0;
  let timeouts = 0;
  const total = Math.round(seconds * rate);
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  const send = (n: number, due: number): Promise<void> =>
    new Promise((resolve) => {
      const { url, body, headers } = requestOf(input, tag, n);
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - due);
            statuses[String(res.statusCode)] = (statuses[String(res.statusCode)] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('timeout', () => {
        timeouts += 1;
        req.destroy(new Error('timeout'));
      });
      req.on('error', () => {
        failures += 1;
        resolve();
      });
      req.end(body);
    });
  for (let n = 0; n < total;) {
    const now = performance.now();
    while (n < total && started + (n * 1000) / rate <= now) {
      const task = send(n, started + (n * 1000) / rate);
      inFlight.add(task);
      void task.then(() => inFlight.delete(task));
      n += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all([...inFlight]);
  agent.destroy();
  return summarizeRun({
    latencies,
    statuses,
    seconds: (performance.now() - started) / 1000,
    failures,
    timeouts,
  });
}

/** Closed loop with autocannon: `connections` requests always outstanding. */
async function saturate(input: LoadInput, tag: string, seconds: number): Promise<LoadResult> {
  let n = 0;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const instance = autocannon({
    url: input.url,
    method: 'POST',
    connections: input.connections,
    duration: seconds,
    timeout: 10,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const next = requestOf(input, tag, (n += 1));
          return {
            ...request,
            path: `${next.url.pathname}${next.url.search}`,
            headers: next.headers,
            body: next.body,
          };
        },
      },
    ],
  });
  instance.on('response', (_client, statusCode: number, _bytes, responseTime: number) => {
    latencies.push(responseTime);
    statuses[String(statusCode)] = (statuses[String(statusCode)] ?? 0) + 1;
  });
  const result = await instance;
  return summarizeRun({
    latencies,
    statuses,
    seconds: result.duration,
    failures: result.errors,
    timeouts: result.timeouts,
  });
}

async function main(): Promise<void> {
  const input = scriptInput<LoadInput>();
  const run = (tag: string, seconds: number): Promise<LoadResult> =>
    input.rate ? paced(input, tag, seconds, input.rate) : saturate(input, tag, seconds);
  const mark = (): void => void (input.markPid && process.kill(input.markPid, 'SIGUSR2'));
  const warmup = input.warmupSeconds > 0 ? await run(`${input.tag}w`, input.warmupSeconds) : undefined;
  mark();
  const measured = await run(input.tag, input.seconds);
  mark();
  const result: LoadResult = { ...measured, warmupRequests: warmup?.requests ?? 0 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
