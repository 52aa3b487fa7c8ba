import { newKey, sleep, retryAfterMs } from './transport';
import { PendingTimeoutError } from './errors';
import type { Status } from './types';

/**
 * An operator's privacy request (issue 27; docs/privacy.md): `erase` forgets the customer
 * everywhere the app holds it, `export` prepares a copy of what it holds. Name the customer in
 * exactly one way: `source` + `reference`, `legalEntity` + `customerAccount`, or `email`.
 */
export type PrivacyRequestBody = { type: 'erase' | 'export' } & (
  | { source: string; reference: string }
  | { legalEntity: string; customerAccount: string }
  | { email: string; source?: string }
);

/** Where a privacy request stands, and its proof: what was erased (or found) per store, as counts. */
export interface PrivacyAnswer {
  id: string;
  type: 'erase' | 'export';
  status: Status;
  scope: 'customer' | 'source';
  via: 'shopify' | 'standard' | 'api';
  source?: string;
  /** The shop's own request ID (Shopify's `data_request.id`). */
  externalId?: string;
  legalEntity?: string;
  customerAccount?: string;
  receivedAt: string;
  /** 30 days after `receivedAt`. */
  dueAt: string;
  pastDue: boolean;
  completedAt?: string;
  erased?: Record<string, number>;
  found?: Record<string, number>;
  /** Shops that refused our token: the account we wrote there could not be removed. */
  shopsUnreached?: string[];
  /** The linked D365 customers, reported for the merchant or anonymised (per legal entity). */
  d365: {
    legalEntity: string;
    customerAccount: string;
    action: 'reported' | 'anonymise';
    /** The anonymising update's correlation ID, its status and outcome. */
    updateId?: string;
    status?: string;
    outcome?: string;
    /** Entity fields D365 refused to change. */
    refused?: string[];
    errorCode?: string;
  }[];
  fetches?: { by: string; at: string }[];
  releasedAt?: string;
  lastError?: string;
  error?: { code: string; message: string };
  attempts: number;
  updatedAt: string;
  statusUrl?: string;
}

/** A data request's export: what the app holds about the customer, as stored, with the D365 accounts linked. */
export interface PrivacyExport {
  requestId: string;
  generatedAt: string;
  requests: {
    correlationId: string;
    kind: 'create' | 'update';
    status: string;
    legalEntity: string;
    source?: string;
    sourceCustomerId?: string;
    customerAccount?: string;
    outcome?: string;
    createdAt: string;
    updatedAt: string;
    data?: unknown;
    original?: unknown;
  }[];
  links: {
    source: string;
    sourceCustomerId?: string;
    legalEntity: string;
    customerAccount?: string;
    linkedAt?: string;
  }[];
  truncated?: boolean;
}

type Send = (
  method: string,
  url: string,
  init: { headers?: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<Response>;

const ENDED: ReadonlySet<string> = new Set(['succeeded', 'failed', 'needs_review']);

/**
 * The operators' privacy routes (`client.privacy`): they need the master key (`functionKey`), or
 * with App Service Authentication an operator's Entra ID token (`headers`). Retries as the rest of
 * the client: a request is sent with an `Idempotency-Key`, so repeating it is the same request.
 */
export class PrivacyRequests {
  constructor(
    private readonly baseUrl: string,
    private readonly send: Send,
    private readonly defaultTimeoutMs: number,
  ) {}

  /** Asks for an erasure or an export; resolves with the request (202, or 200 for the same one again). */
  async create(
    body: PrivacyRequestBody,
    options: { idempotencyKey?: string; signal?: AbortSignal } = {},
  ): Promise<PrivacyAnswer> {
    const response = await this.send('POST', `${this.baseUrl}/privacy/requests`, {
      headers: { 'content-type': 'application/json', 'idempotency-key': options.idempotencyKey ?? newKey() },
      body: JSON.stringify(body),
      signal: options.signal,
    });
    return (await response.json()) as PrivacyAnswer;
  }

  /** One read of a privacy request's status and proof. */
  async get(id: string, options: { signal?: AbortSignal } = {}): Promise<PrivacyAnswer> {
    const response = await this.send('GET', this.url(id), { signal: options.signal });
    return (await response.json()) as PrivacyAnswer;
  }

  /** Polls until the request ends (an erasure waits for the customer's requests in flight first). */
  async waitFor(
    id: string,
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<PrivacyAnswer> {
    const deadline = Date.now() + (options.timeoutMs ?? this.defaultTimeoutMs);
    for (;;) {
      const response = await this.send('GET', this.url(id), { signal: options.signal });
      const answer = (await response.json()) as PrivacyAnswer;
      if (ENDED.has(answer.status)) return answer;
      const delay = retryAfterMs(response, 1000);
      if (Date.now() + delay > deadline) throw new PendingTimeoutError(id, this.url(id));
      await sleep(delay, options.signal);
    }
  }

  /** A completed data request's export (personal data); the app records who fetched it, and when. */
  async getExport(id: string, options: { signal?: AbortSignal } = {}): Promise<PrivacyExport> {
    const response = await this.send('GET', `${this.url(id)}/export`, { signal: options.signal });
    return (await response.json()) as PrivacyExport;
  }

  /** Lifts a completed erasure's marks: the customer may be created again (what was erased stays erased). */
  async release(id: string, options: { signal?: AbortSignal } = {}): Promise<PrivacyAnswer> {
    const response = await this.send('POST', `${this.url(id)}/release`, { signal: options.signal });
    return (await response.json()) as PrivacyAnswer;
  }

  private url(id: string): string {
    return `${this.baseUrl}/privacy/requests/${encodeURIComponent(id)}`;
  }
}
