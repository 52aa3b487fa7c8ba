/** The bench's HTTP client for the end-to-end, low-load and naive scenarios (fetch, keep-alive). */

export interface Answer {
  /** 0 when no answer came (timeout, connection error). */
  status: number;
  /** From sending to the end of the answer's body. */
  ms: number;
  /** Wall clock (epoch ms) when the request was sent. */
  sentAt: number;
  json?: Record<string, unknown>;
  timedOut?: boolean;
  error?: string;
}

export async function postJson(
  url: string,
  body: string,
  options: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Answer> {
  const sentAt = Date.now();
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    const text = await response.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, ms: performance.now() - started, sentAt, json };
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    return {
      status: 0,
      ms: performance.now() - started,
      sentAt,
      timedOut,
      error: timedOut
        ? 'timeout'
        : (((error as Error).cause as Error | undefined)?.message ?? (error as Error).message),
    };
  }
}

export async function getJson(url: string): Promise<{ status: number; json?: Record<string, unknown> }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Open loop: starts `task(i)` for i = 0..count-1 at evenly spaced times, `rate` per second,
 * without waiting for earlier ones; resolves with every result in order.
 */
export async function openLoop<T>(
  rate: number,
  count: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const started = performance.now();
  const pending: Promise<T>[] = [];
  for (let i = 0; i < count; i += 1) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(task(i));
  }
  return Promise.all(pending);
}

/** Runs `task(i)` for i = 0..count-1 with at most `concurrency` at once (closed loop). */
export async function withConcurrency<T>(
  concurrency: number,
  count: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next;
      next += 1;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
