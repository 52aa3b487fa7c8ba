import { AuthenticationError, CustomerSyncError, errorForProblem, UnavailableError } from './errors';
import { isAbort, readProblem, retryAfterMs, sleep } from './transport';

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface SenderOptions {
  fetch: Fetch;
  /** Sends of one call before giving up. */
  maxAttempts: number;
  /** Longest wait between two sends, whatever `Retry-After` says. */
  maxDelayMs: number;
  /** The key and any extra headers, per send (a token may be refreshed). */
  headers: () => Promise<Record<string, string>>;
}

export interface SendInit {
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Send once: a call that is not safe to repeat (no key makes it idempotent). */
  once?: boolean;
}

/**
 * Sends one call, retrying what is safe to retry: 429 and 503 after `Retry-After`, 409 "still being
 * accepted", 500 and network errors with back-off (unless `once`). Resolves with a 2xx answer;
 * throws the typed error otherwise (401: `AuthenticationError`, always empty from the platform).
 */
export function sender(options: SenderOptions) {
  /** Exponential back-off with full jitter: random in [0, min(max, 250 ms · 2^attempt)]. */
  const backoffMs = (attempt: number): number =>
    Math.random() * Math.min(options.maxDelayMs, 250 * 2 ** attempt);
  const maxAttempts = (init: SendInit) => (init.once ? 1 : options.maxAttempts);
  return async function send(method: string, url: string, init: SendInit = {}): Promise<Response> {
    let lastError: CustomerSyncError | undefined;
    for (let attempt = 1; ; attempt++) {
      const headers = { accept: 'application/json', ...(await options.headers()), ...init.headers };
      let response: Response;
      try {
        response = await options.fetch(url, { method, headers, body: init.body, signal: init.signal });
      } catch (error) {
        if (isAbort(error, init.signal)) throw error;
        lastError = new UnavailableError(`The API could not be reached: ${(error as Error).message}`);
        if (attempt >= maxAttempts(init)) throw lastError;
        await sleep(backoffMs(attempt), init.signal);
        continue;
      }
      if (response.ok) return response;
      if (response.status === 401) {
        // Always empty: the platform's answer to a wrong key (or App Service Authentication's to a missing token).
        throw new AuthenticationError('The key (or the Entra ID token) is missing or wrong (401).', 401);
      }
      if (response.status === 500) {
        lastError = new UnavailableError('The API failed unexpectedly (500).', 500);
      } else {
        const problem = await readProblem(response);
        const retryAfter = retryAfterMs(response, -1);
        const error = errorForProblem(problem, Math.ceil(Math.max(retryAfter, 0) / 1000));
        const transient =
          response.status === 429 ||
          problem.type.endsWith(':temporarily-unavailable') ||
          problem.type.endsWith(':idempotency-key-in-progress');
        if (!transient) throw error;
        lastError = error;
        if (attempt < maxAttempts(init)) {
          await sleep(
            Math.min(retryAfter >= 0 ? retryAfter : backoffMs(attempt), options.maxDelayMs),
            init.signal,
          );
          continue;
        }
        throw lastError;
      }
      if (attempt >= maxAttempts(init)) throw lastError;
      await sleep(backoffMs(attempt), init.signal);
    }
  };
}
