import { CustomerSyncError } from './errors';
import { sleep } from './transport';
import { Fetch, sender } from './sender';
import type {
  AuditEntry,
  ListedRequest,
  OperatorRequest,
  ReplayJob,
  ReplaySelection,
  RequestPage,
  RequestQuery,
} from './operations-types';

export interface OperationsClientOptions {
  /** The API's base URL, e.g. `https://contoso-sync.azurewebsites.net/api`. */
  baseUrl: string;
  /** The Functions **master** key (`CALLER_AUTH=keys`); leave out behind App Service Authentication. */
  masterKey?: string;
  /** Extra headers for every call (`Authorization: Bearer …` for an Entra ID operator). */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  fetch?: Fetch;
  /** Sends of a safe call before giving up on 429, 503, 500 or network errors. Default 3. */
  maxAttempts?: number;
  /** Longest wait between two sends. Default 10 s. */
  maxDelayMs?: number;
}

type Options = { signal?: AbortSignal };

/**
 * Client of the operations API (`/api/ops/*`, issue 31): what the console page does, for scripts
 * and runbooks. Reads are retried where safe; actions are sent once (each is audited, and a second
 * send would act twice or be refused). Throws `AuthenticationError` (401/403), `ValidationError`
 * (400 with pointers), and `CustomerSyncError` with the problem for 404 and 409 (`action-refused`).
 */
export class OperationsClient {
  private readonly baseUrl: string;
  private readonly send: ReturnType<typeof sender>;

  constructor(private readonly options: OperationsClientOptions) {
    this.baseUrl = `${options.baseUrl.replace(/\/+$/, '')}/ops`;
    const fetchImpl = options.fetch ?? ((input: string, init?: RequestInit) => globalThis.fetch(input, init));
    this.send = sender({
      fetch: fetchImpl,
      maxAttempts: Math.max(1, options.maxAttempts ?? 3),
      maxDelayMs: options.maxDelayMs ?? 10_000,
      headers: async () => {
        const extra =
          typeof options.headers === 'function' ? await options.headers() : (options.headers ?? {});
        return { ...(options.masterKey && { 'x-functions-key': options.masterKey }), ...extra };
      },
    });
  }

  /** One page of a view, newest first (`cursor`: the previous page's); the first page counts per code. */
  async listRequests(
    query: RequestQuery & { cursor?: string } = {},
    options: Options = {},
  ): Promise<RequestPage> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) params.set(name, String(value));
    return this.json('GET', `/requests?${params}`, options);
  }

  /** Every request of a view that matches, page after page (a paged iterator). */
  async *requests(query: RequestQuery = {}, options: Options = {}): AsyncIterableIterator<ListedRequest> {
    let cursor: string | undefined;
    do {
      const page = await this.listRequests({ ...query, ...(cursor && { cursor }) }, options);
      yield* page.items;
      cursor = page.cursor;
    } while (cursor);
  }

  getRequest(correlationId: string, options: Options = {}): Promise<OperatorRequest> {
    return this.json('GET', `/requests/${encodeURIComponent(correlationId)}`, options);
  }

  /** The stored request (personal data); the read is audited. */
  getPayload(
    correlationId: string,
    options: Options = {},
  ): Promise<{ payload: unknown; original?: unknown }> {
    return this.json('GET', `/requests/${encodeURIComponent(correlationId)}/payload`, options);
  }

  /** Edit and retry: a JSON Merge Patch of a failed create, validated as the intake validates. */
  editAndRetry(
    correlationId: string,
    patch: unknown,
    options: Options = {},
  ): Promise<{ request: OperatorRequest; changed: string[] }> {
    return this.json('PATCH', `/requests/${encodeURIComponent(correlationId)}/payload`, options, patch, {
      'content-type': 'application/merge-patch+json',
    });
  }

  retry(correlationId: string, options: Options = {}): Promise<OperatorRequest> {
    return this.json('POST', `/requests/${encodeURIComponent(correlationId)}/retry`, options);
  }

  resolve(correlationId: string, note = '', options: Options = {}): Promise<OperatorRequest> {
    return this.json('POST', `/requests/${encodeURIComponent(correlationId)}/resolve`, options, { note });
  }

  /** Issue 32: links a needs-review create to one of its `review.candidates` (ends `succeeded`, `linked`). */
  link(correlationId: string, customerAccount: string, options: Options = {}): Promise<OperatorRequest> {
    return this.json('POST', `/requests/${encodeURIComponent(correlationId)}/link`, options, {
      customerAccount,
    });
  }

  /** Issue 32: has a new customer created for a needs-review possible duplicate (queued again). */
  createNew(correlationId: string, options: Options = {}): Promise<OperatorRequest> {
    return this.json('POST', `/requests/${encodeURIComponent(correlationId)}/create-new`, options);
  }

  /** The audit log, newest first: one request's history, or the whole log a page at a time. */
  auditLog(
    query: { correlationId?: string; limit?: number; cursor?: string } = {},
    options: Options = {},
  ): Promise<{ entries: AuditEntry[]; cursor?: string }> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) params.set(name, String(value));
    return this.json('GET', `/audit?${params}`, options);
  }

  /** Starts a bulk replay (by filter of the failed view, or up to 500 IDs), paced below live traffic. */
  startReplay(selection: ReplaySelection, options: Options = {}): Promise<ReplayJob> {
    return this.json('POST', '/replays', options, selection);
  }

  getReplay(jobId: string, options: Options = {}): Promise<ReplayJob> {
    return this.json('GET', `/replays/${encodeURIComponent(jobId)}`, options);
  }

  async listReplays(options: Options = {}): Promise<ReplayJob[]> {
    return (await this.json<{ items: ReplayJob[] }>('GET', '/replays', options)).items;
  }

  cancelReplay(jobId: string, options: Options = {}): Promise<ReplayJob> {
    return this.json('POST', `/replays/${encodeURIComponent(jobId)}/cancel`, options);
  }

  /** Follows a job until it is finished (`finishedAt`), telling `onProgress` each time. */
  async waitForReplay(
    jobId: string,
    options: Options & { pollMs?: number; timeoutMs?: number; onProgress?: (job: ReplayJob) => void } = {},
  ): Promise<ReplayJob> {
    const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
    for (;;) {
      const job = await this.getReplay(jobId, options);
      options.onProgress?.(job);
      if (job.finishedAt !== undefined) return job;
      if (Date.now() >= deadline)
        throw new CustomerSyncError(`Replay job ${jobId} is still ${job.state} after the timeout.`);
      await sleep(options.pollMs ?? 1000, options.signal);
    }
  }

  private async json<T>(
    method: string,
    path: string,
    options: Options,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.send(method, `${this.baseUrl}${path}`, {
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: options.signal,
      // Reads are safe to repeat; an action is audited and acts once.
      once: method !== 'GET',
    });
    return (await response.json()) as T;
  }
}
