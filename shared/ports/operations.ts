/** Configuration probes and the operations index (failed, waiting and review views). */
import type { AttentionEntry, AttentionView } from '../domain/operations/attention';

/**
 * What `npm run doctor` and the deep health route ask the services a configuration names, one
 * probe per step (shared/use-cases/diagnose-configuration.ts). Every probe answers; none throws.
 */
export interface ConfigurationProbes {
  /** Reads a Key Vault secret of KEY_VAULT_URL with the app's Key Vault identity. */
  readSecret(name: string): Promise<SecretProbe>;
  /** Reads the oldest enabled version of a Key Vault secret (the correlation-ID key's rule, issue 24). */
  readOldestSecret(name: string): Promise<SecretProbe>;
  /** Asks Entra ID for a D365 token (D365_TENANT_ID, D365_CLIENT_ID, this secret, `D365_URL/.default`). */
  d365Token(clientSecret: string): Promise<TokenProbe>;
  /** `GET` of a D365 path (`/data/…`, the custom service) with the token. */
  d365Get(path: string, token: string): Promise<HttpProbe>;
  /** `GET` of a shop's API URL with the given headers. */
  shopGet(url: string, headers: Record<string, string>): Promise<HttpProbe>;
}

export type SecretProbe =
  | { kind: 'found'; value: string }
  | { kind: 'missing' }
  /** 403: `ForbiddenByRbac` (RBAC vault), `AccessDenied` (access policies), `SecretDisabled`. */
  | { kind: 'forbidden'; code: string; caller?: string; message: string }
  /** The vault refused the identity's token (401: another tenant, another audience). */
  | { kind: 'unauthorized'; message: string }
  /** No identity could be signed in (DefaultAzureCredential found none, or its sign-in failed). */
  | { kind: 'no-identity'; message: string }
  | { kind: 'unreachable'; reason: string };

export type TokenProbe =
  | { kind: 'issued'; token: string }
  /** Entra ID's error: the OAuth `error`, the AADSTS code and the first sentence of its text. */
  | { kind: 'refused'; error: string; code?: number; message: string }
  | { kind: 'unreachable'; reason: string };

export type HttpProbe =
  { kind: 'answered'; status: number; body: string } | { kind: 'unreachable'; reason: string };

/**
 * The operations index (issue 31): the requests that need an operator, by view, newest first, with
 * what the list shows (codes, source, legal entity, times; never personal data). The status store
 * keeps it (adapters/operations/indexed-status-store.ts): a row per request in a view, none for a
 * request that is on its way or succeeded.
 */
export interface OperationsIndex {
  /** Writes the request's row (insert or replace). */
  put(entry: AttentionEntry): Promise<void>;
  /** Removes the request's row from a view (already gone: nothing to do). */
  remove(entry: Pick<AttentionEntry, 'view' | 'rowKey'>): Promise<void>;
  /** One page of a view, newest first, filtered; `cursor` continues where the last page ended. */
  list(query: AttentionQuery): Promise<{ entries: AttentionEntry[]; cursor?: string }>;
  /** How many rows of a view match the filter, per error code (one scan of the view's codes). */
  countByCode(query: Omit<AttentionQuery, 'limit' | 'cursor'>): Promise<Record<string, number>>;
  /**
   * The open failures (failed / needs_review, unresolved) of one customer, by its hashed identity key
   * (`customerIdentityKey`: no personal data): what a later success of the customer supersedes.
   */
  putOpen(customerKey: string, failure: OpenFailure): Promise<void>;
  removeOpen(customerKey: string, correlationId: string): Promise<void>;
  /** At most `limit` of the customer's open failures (one query of one partition). */
  openFailures(customerKey: string, limit: number): Promise<OpenFailure[]>;
}

/** One open failure of a customer, as the operations index keeps it for automatic resolution. */
export interface OpenFailure {
  correlationId: string;
  createdAt: string;
}

export interface AttentionQuery {
  view: AttentionView;
  errorCode?: string;
  source?: string;
  legalEntity?: string;
  /** Entered the view at or after / before this time (ISO). */
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}
