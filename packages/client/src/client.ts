import {
  CustomerFailedError,
  CustomerSyncError,
  DuplicateError,
  PendingTimeoutError,
  ValidationError,
  VerificationPendingError,
} from './errors';
import { customerFieldErrors, localProblem } from './validate';
import { newKey, retryAfterMs, sleep } from './transport';
import { Fetch, sender } from './sender';
import { PrivacyRequests } from './privacy';
import type {
  Accepted,
  CreatedCustomer,
  CustomerPatch,
  CustomerRequest,
  StatusAnswer,
  UpdatedCustomer,
} from './types';

/** Statuses a request never leaves. */
const FINAL: ReadonlySet<string> = new Set(['succeeded', 'failed', 'needs_review']);

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
  /** `Customer-Reference`: your own ID of the customer, by which `updateCustomerByReference` names it later. */
  reference?: string;
  /** `Callback-Url`: an HTTPS URL that gets the signed result event when the request ends. */
  callbackUrl?: string;
  signal?: AbortSignal;
}

export interface UpdateCustomerOptions {
  /** Makes the update safe to repeat; default a new UUID, kept across the client's own retries. */
  idempotencyKey?: string;
  /** `Prefer: wait=N` seconds; 0 or `false` = no wait (the client polls). Default 10. */
  wait?: number | false;
  /**
   * `Customer-Version`: a number that grows with each change of the customer on your side. Updates
   * then apply in version order whatever order they arrive in; an older one ends `stale`.
   */
  version?: number;
  signal?: AbortSignal;
}

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
  /** Operators only (the master key, or an operator's token): privacy requests (privacy.ts). */
  readonly privacy: PrivacyRequests;
  /** One call, retried where safe (every call here is: POSTs carry their Idempotency-Key). */
  private readonly send: ReturnType<typeof sender>;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.send = sender({
      fetch: this.fetchImpl,
      maxAttempts: this.maxAttempts,
      maxDelayMs: this.maxDelayMs,
      headers: () => this.commonHeaders(),
    });
    this.privacy = new PrivacyRequests(this.baseUrl, this.send, this.timeoutMs);
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
      ...(options.reference !== undefined && { 'customer-reference': options.reference }),
      ...(options.callbackUrl !== undefined && { 'callback-url': options.callbackUrl }),
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

  /**
   * Changes a customer this app created or linked, named by its D365 account: a JSON Merge Patch of
   * its fields (`null` removes one), sent to D365 as only the fields that changed. Resolves when the
   * update is applied (`Prefer: wait`, then polling). Throws `CustomerNotFoundError` (404: not
   * created or linked here), `ValidationError`, or `CustomerFailedError` (`update_conflict` when
   * D365 changed those fields since our last write, `customer_not_found`, `invalid_update`...).
   */
  updateCustomerByAccount(
    legalEntity: string,
    customerAccount: string,
    patch: CustomerPatch,
    options: UpdateCustomerOptions = {},
  ): Promise<UpdatedCustomer> {
    const path = `accounts/${encodeURIComponent(legalEntity)}/${encodeURIComponent(customerAccount)}`;
    return this.update(path, patch, options);
  }

  /** The same, naming the customer by the `Customer-Reference` it was created with (your own ID). */
  updateCustomerByReference(
    reference: string,
    patch: CustomerPatch,
    options: UpdateCustomerOptions = {},
  ): Promise<UpdatedCustomer> {
    return this.update(`references/${encodeURIComponent(reference)}`, patch, options);
  }

  private async update(
    path: string,
    patch: CustomerPatch,
    options: UpdateCustomerOptions,
  ): Promise<UpdatedCustomer> {
    if (this.options.validateBeforeSending !== false) {
      const errors = customerFieldErrors((patch as { Customer?: unknown } | null)?.Customer, { patch: true });
      if (errors.length > 0) throw new ValidationError(localProblem(errors));
    }
    const idempotencyKey = options.idempotencyKey ?? newKey();
    const deadline = Date.now() + this.timeoutMs;
    const { signal } = options;
    const wait = options.wait === false ? 0 : Math.max(0, Math.floor(options.wait ?? 10));
    const answer = await this.send('PATCH', `${this.baseUrl}/customers/${path}`, {
      headers: {
        'content-type': 'application/merge-patch+json',
        'idempotency-key': idempotencyKey,
        ...(wait > 0 && { prefer: `wait=${wait}` }),
        ...(options.version !== undefined && { 'customer-version': String(options.version) }),
      },
      body: JSON.stringify(patch),
      signal,
    });
    const body = (await answer.json()) as StatusAnswer | Accepted;
    const final =
      answer.status === 200
        ? (body as StatusAnswer)
        : await this.follow(
            body.correlationId,
            answer.headers.get('location') ?? (body as Accepted).statusUrl,
            retryAfterMs(answer, 1000),
            deadline,
            signal,
          );
    if (final.status === 'succeeded' && final.customerAccount)
      return {
        ...final,
        kind: 'update',
        status: 'succeeded',
        customerAccount: final.customerAccount,
        idempotencyKey,
      };
    throw new CustomerSyncError(`Unexpected answer for ${final.correlationId}: ${final.status}`);
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
    const message =
      final.error?.message ??
      (final.kind === 'update' ? 'D365 did not update the customer.' : 'D365 did not create the customer.');
    if (code === 'duplicate')
      throw new DuplicateError(message, undefined, undefined, correlationId, final.existingAccounts);
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

  private async commonHeaders(): Promise<Record<string, string>> {
    const extra =
      typeof this.options.headers === 'function' ? await this.options.headers() : this.options.headers;
    return { ...(this.options.functionKey && { 'x-functions-key': this.options.functionKey }), ...extra };
  }
}
