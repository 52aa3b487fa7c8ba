/** Key material and shop customer reads: the correlation key, Key Vault secrets, webhook secrets. */
import type { CorrelationKey } from '../domain/correlation-id';
import type { CallOptions } from './stores';

/**
 * The fleet's correlation-ID key (issue 24, `CORRELATION_KEY_SECRET_NAME`): read once per instance
 * and kept; it never changes under a running fleet. Throws `CorrelationKeyError` while it cannot
 * be read (the next call reads again).
 */
export interface CorrelationKeySource {
  get(options?: CallOptions): Promise<CorrelationKey>;
}

/** Why the correlation-ID key cannot be used: the Key Vault answer, never the value. */
export type CorrelationKeyProblem = 'missing' | 'forbidden' | 'weak' | 'unreachable';

/** The correlation-ID key could not be read or is unfit: keyed requests answer 503 meanwhile. */
export class CorrelationKeyError extends Error {
  constructor(
    readonly secretName: string,
    readonly problem: CorrelationKeyProblem,
    readonly detail: string,
  ) {
    super(`The correlation-ID key '${secretName}' (CORRELATION_KEY_SECRET_NAME) is ${problem}: ${detail}`);
    this.name = 'CorrelationKeyError';
  }
}

/** The D365 client secret, read from Key Vault once and kept in memory until it stops working. */
export interface SecretSource {
  get(options?: CallOptions): Promise<string>;
  /** Forgets the cached secret so the next `get` reads Key Vault again (after a rotation). */
  invalidate(): void;
}

/**
 * Webhook secrets by Key Vault secret name, cached and re-read on a timer, so a rotation needs no
 * restart. `get` lists the values to accept, newest first: the current version and, within the
 * rotation window after it replaced the previous one, that one too.
 */
export interface WebhookSecrets {
  get(secretName: string): Promise<string[]>;
  /** Reads Key Vault again unless it was read moments ago (a signature matched no cached value). */
  refresh(secretName: string): Promise<string[]>;
}

/** Where the worker reads a customer or company that a webhook only named (BigCommerce sends just its ID). */
export interface SourceCustomers {
  /**
   * The store's customer with its addresses, as the BigCommerce V3 Customers API returns it, or
   * undefined when the store has no such customer. Throws `ProcessingError` (transient when the
   * store throttles or is unavailable).
   */
  bigCommerceCustomer(
    store: { storeHash: string; apiUrl: string; apiTokenSecretName: string },
    customerId: number,
    options?: CallOptions,
  ): Promise<unknown>;
  /**
   * A B2B Edition company with its addresses and admin users, as the B2B Edition Server to Server
   * API returns them, or undefined when the store has no such company (404). Throws like
   * `bigCommerceCustomer`.
   */
  bigCommerceCompany(
    store: { storeHash: string; b2bApiUrl: string; apiTokenSecretName: string },
    companyId: number,
    options?: CallOptions,
  ): Promise<{ company: unknown; addresses: unknown[]; users: unknown[] } | undefined>;
}
