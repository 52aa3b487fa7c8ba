import {
  AuthenticationError,
  CustomerFailedError,
  CustomerSyncError,
  DuplicateError,
  errorForProblem,
  PendingTimeoutError,
  UnavailableError,
  ValidationError,
  VerificationPendingError,
} from './errors';
import { customerFieldErrors, localProblem } from './validate';
import type { Accepted, CreatedCustomer, CustomerRequest, Problem, StatusAnswer } from './types';

/** Statuses a request never leaves. */
const FINAL: ReadonlySet<string> = new Set(['succeeded', 'failed', 'needs_review']);

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface ClientOptions {
  /** The API's base URL, e.g. `https://contoso-sync.azurewebsites.net/api`. */
  baseUrl: string;
  /** An Azure Functions key, sent as `x-functions-key` (leave out behind API Management or locally). */
  functionKey?: string;
  /** Extra headers for every call (e.g. `Authorization: Bearer ...` with App Service Authentication). */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** The fetch to use; default `globalThis.fetch` (browsers, Node.js 18+, Store Commerce). */
  fetch?: Fetch;
  /** Sends of one request before giving up on 429, 503, 500 or network errors. Default 5. */
  maxAttempts?: number;
  /** How long `createCustomer` follows a request, polling included. Default 60 s. */
  timeoutMs?: number;
  /** Longest wait between two polls or two sends, whatever `Retry-After` says. Default 30 s. */
  maxDelayMs?: number;
  /**
   * Check each field with the API's own rules (the OpenAPI document's patterns) before sending, and
   * throw `ValidationError` without a request. Default true; turn it off only if this client is
   * older than an API that has since widened a rule.
   */
  validateBeforeSending?: boolean;
}

export interface CreateCustomerOptions {
  /** Makes the request safe to repeat; default a new UUID, kept across the client's own retries. */
  idempotencyKey?: string;
  /** `Prefer: wait=N` seconds (the account in one round trip when D365 is quick); 0 or `false` = no wait. Default 10. */
  wait?: number | false;
  signal?: AbortSignal;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function newKey(): string {
  const crypto = (
    globalThis as { crypto?: { randomUUID?: () => string; getRandomValues(array: Uint8Array): Uint8Array } }
  ).crypto;
  if (crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto!.getRandomValues(bytes);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function retryAfterMs(response: Response, fallbackMs: number): number {
  const value = response.headers.get('retry-after');
  if (value && /^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  if (value) {
    const date = Date.parse(value);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  return fallbackMs;
}

async function readProblem(response: Response): Promise<Problem> {
  const text = await response.text();
  try {
    const parsed = JSON.parse(text) as Problem;
    if (parsed && typeof parsed.type === 'string') return parsed;
  } catch {
    // not JSON: fall through
  }
  return { type: 'about:blank', title: response.statusText || 'Error', status: response.status, detail: '' };
}

const isAbort = (error: unknown, signal?: AbortSignal) =>
  signal?.aborted || (error instanceof Error && error.name === 'AbortError');

/**
 * Client of d365-customer-sync. Uses only `fetch`, `AbortSignal`, `setTimeout` and `crypto`, so
 * it runs in browsers, Node.js 18+ and Store Commerce extensions.
 */
export class CustomerSyncClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: Fetch;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
  }

  /**
   * Creates a customer and resolves with its D365 account: `Prefer: wait` first, then polling the
   * status URL with `Retry-After`. Throttling, 503s and network errors are retried with the same
   * `Idempotency-Key`, so the customer is created once however often the client sends it.
   * Throws `ValidationError`, `DuplicateError`, `CustomerFailedError`, `ThrottledError`,
   * `PendingTimeoutError`... (see errors.ts).
   */
  async createCustomer(body: CustomerRequest, options: CreateCustomerOptions = {}): Promise<CreatedCustomer> {
    if (this.options.validateBeforeSending !== false) {
      const errors = customerFieldErrors((body as { Customer?: unknown } | null)?.Customer);
      if (errors.length > 0) throw new ValidationError(localProblem(errors));
    }
    const idempotencyKey = options.idempotencyKey ?? newKey();
    const deadline = Date.now() + this.timeoutMs;
    const { signal } = options;
    const wait = options.wait === false ? 0 : Math.max(0, Math.floor(options.wait ?? 10));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
      ...(wait > 0 && { prefer: `wait=${wait}` }),
    };
    const answer = await this.send('POST', `${this.baseUrl}/customers`, {
      headers,
      body: JSON.stringify(body),
      signal,
    });
    if (answer.status === 201) return this.created((await answer.json()) as StatusAnswer, idempotencyKey);
    const accepted = (await answer.json()) as Accepted;
    const statusUrl = answer.headers.get('location') ?? accepted.statusUrl;
    const final = await this.follow(
      accepted.correlationId,
      statusUrl,
      retryAfterMs(answer, 1000),
      deadline,
      signal,
    );
    return this.created(final, idempotencyKey);
  }

  /** One read of a request's state. */
  async getStatus(correlationId: string, options: { signal?: AbortSignal } = {}): Promise<StatusAnswer> {
    const url = `${this.baseUrl}/customers/status/${encodeURIComponent(correlationId)}`;
    const response = await this.send('GET', url, { signal: options.signal });
    return (await response.json()) as StatusAnswer;
  }

  /** Polls a request until it ends (honouring `Retry-After`); resolves with its final state, failed or not. */
  async waitForResult(
    correlationId: string,
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<StatusAnswer> {
    const url = `${this.baseUrl}/customers/status/${encodeURIComponent(correlationId)}`;
    const deadline = Date.now() + (options.timeoutMs ?? this.timeoutMs);
    return this.poll(correlationId, url, 0, deadline, options.signal);
  }

  /**
   * Your `whsec_` secrets for verifying the result callbacks of your requests (`verifyWebhook`),
   * the newest first; each caller's are its own. Read them again after the app's secret rotates.
   */
  async getCallbackSecrets(options: { signal?: AbortSignal } = {}): Promise<string[]> {
    const response = await this.send('GET', `${this.baseUrl}/callbacks/secret`, { signal: options.signal });
    return ((await response.json()) as { secrets: string[] }).secrets;
  }

  private created(answer: StatusAnswer, idempotencyKey: string): CreatedCustomer {
    if (answer.status === 'succeeded' && answer.verification === 'pending')
      throw new VerificationPendingError(answer.correlationId);
    if (answer.status === 'succeeded' && answer.customerAccount) {
      return { ...answer, status: 'succeeded', customerAccount: answer.customerAccount, idempotencyKey };
    }
    throw new CustomerSyncError(`Unexpected answer for ${answer.correlationId}: ${answer.status}`);
  }

  private async follow(
    correlationId: string,
    statusUrl: string,
    firstDelayMs: number,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<StatusAnswer> {
    const final = await this.poll(correlationId, statusUrl, firstDelayMs, deadline, signal);
    if (final.status === 'succeeded') return final;
    const code =
      final.error?.code ?? (final.status === 'needs_review' ? 'account_not_found' : 'retries_exhausted');
    const message = final.error?.message ?? 'D365 did not create the customer.';
    if (code === 'duplicate') throw new DuplicateError(message, undefined, undefined, correlationId);
    throw new CustomerFailedError(message, code, undefined, undefined, correlationId);
  }

  private async poll(
    correlationId: string,
    statusUrl: string,
    firstDelayMs: number,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<StatusAnswer> {
    let delay = firstDelayMs;
    for (;;) {
      if (Date.now() + delay > deadline) throw new PendingTimeoutError(correlationId, statusUrl);
      if (delay > 0) await sleep(Math.min(delay, this.maxDelayMs), signal);
      const response = await this.send('GET', statusUrl, { signal });
      const answer = (await response.json()) as StatusAnswer;
      if (FINAL.has(answer.status)) return answer;
      delay = retryAfterMs(response, 1000);
    }
  }

  /**
   * Sends one call, retrying what is safe to retry (every call here is: POSTs carry their
   * Idempotency-Key): 429 and 503 after `Retry-After`, 409 "still being accepted", 500 and network
   * errors with back-off. Resolves with a 2xx answer; throws the typed error otherwise.
   */
  private async send(
    method: string,
    url: string,
    init: { headers?: Record<string, string>; body?: string; signal?: AbortSignal },
  ): Promise<Response> {
    let lastError: CustomerSyncError | undefined;
    for (let attempt = 1; ; attempt++) {
      const headers = { accept: 'application/json', ...(await this.commonHeaders()), ...init.headers };
      let response: Response;
      try {
        response = await this.fetchImpl(url, { method, headers, body: init.body, signal: init.signal });
      } catch (error) {
        if (isAbort(error, init.signal)) throw error;
        lastError = new UnavailableError(`The API could not be reached: ${(error as Error).message}`);
        if (attempt >= this.maxAttempts) throw lastError;
        await sleep(this.backoffMs(attempt), init.signal);
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
        if (attempt < this.maxAttempts) {
          await sleep(
            Math.min(retryAfter >= 0 ? retryAfter : this.backoffMs(attempt), this.maxDelayMs),
            init.signal,
          );
          continue;
        }
        throw lastError;
      }
      if (attempt >= this.maxAttempts) throw lastError;
      await sleep(this.backoffMs(attempt), init.signal);
    }
  }

  /** Exponential back-off with full jitter: random in [0, min(max, 250 ms · 2^attempt)]. */
  private backoffMs(attempt: number): number {
    return Math.random() * Math.min(this.maxDelayMs, 250 * 2 ** attempt);
  }

  private async commonHeaders(): Promise<Record<string, string>> {
    const extra =
      typeof this.options.headers === 'function' ? await this.options.headers() : this.options.headers;
    return { ...(this.options.functionKey && { 'x-functions-key': this.options.functionKey }), ...extra };
  }
}
