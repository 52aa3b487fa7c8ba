/** Shop ports: customers read and written through the shops Admin APIs, and their budget. */
import type { Observation } from '../domain/shop-budget';
import type { ShopAddress } from '../domain/webhooks/shop-customer';
import type { ShopPrimaryAddress } from '../domain/fo-events/primary-address';
import type { Log } from './telemetry';

/**
 * A shop's customer as the sync reads it (issues 28–30): its ID and the fields the mapping uses,
 * plus the D365 account the sync wrote to it (Shopify metafield, BigCommerce attribute), if any.
 */
export interface ShopCustomer {
  /** The shop's customer ID as text (Shopify's exceed 2^53). */
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  updatedAt: string;
  /** `LEGALENTITY/ACCOUNT` as written back, or null. */
  account: string | null;
  /** Shopify's `verifiedEmail` (the identity the ownership policy trusts); absent where the shop has none. */
  verifiedEmail?: boolean;
  /**
   * The customer's addresses, the default first, when the read carries them (a Shopify list page:
   * backfill and drift repair). Absent: not read (a BigCommerce customer is read again by the worker).
   */
  addresses?: ShopAddress[];
}

export interface ShopCustomerPage {
  customers: ShopCustomer[];
  /** Give it back to read the next page; absent on the last one. */
  nextCursor?: string;
  /** How many customers the query matches in all, when the shop says (Shopify: the first page only). */
  total?: number;
}

/**
 * One step of reading a shop's customers in bulk (Shopify bulk query operations, issue 30):
 * still running (come back after `retryAfterSeconds` with `cursor`), a page, or ended without data.
 */
export type ShopBulkStep =
  | { kind: 'running'; cursor: string; retryAfterSeconds: number }
  | { kind: 'page'; page: ShopCustomerPage }
  | { kind: 'failed'; reason: string };

/** What a write to the shop did. */
export type ShopWriteResult =
  /** Done; `changed` false when the shop already held exactly this (so the shop sends no echo). */
  | { kind: 'written'; changed: boolean }
  /** The shop has no such customer (deleted): writing again cannot help. */
  | { kind: 'not_found' }
  /** The shop refused the values (its validation: a taken e-mail, a unique value in use); `reason` names fields/codes only. */
  | { kind: 'rejected'; reason: string };

/** What removing the account we wrote did (`absent`: the shop held none, or has no such customer). */
export type ShopForgetResult = { kind: 'forgotten' } | { kind: 'absent' };

export interface ShopCallOptions {
  abortSignal?: AbortSignal;
  /** Where the client logs what an operator should know (a pinned API version out of support). */
  log?: Log;
}

/**
 * One shop's Admin API (Shopify GraphQL Admin, BigCommerce V3 Customers), paced to stay within the
 * shop's rate limit and above its reserve (ShopBudget). Throws `ProcessingError` (transient) when
 * the shop throttles past the wait, answers 5xx or cannot be reached, and `ShopAccessError` when it
 * refuses the Admin API token (revoked, or without the customer scopes).
 */
/**
 * What a D365 change writes to a shop customer (issue 29): names, e-mail, phone and the primary
 * address (Shopify: the default address; BigCommerce: the customer's first address).
 */
export type ShopCustomerChanges = Partial<
  Pick<ShopCustomer, 'email' | 'firstName' | 'lastName' | 'phone'>
> & {
  address?: ShopPrimaryAddress;
};

export interface ShopClient {
  readonly kind: 'shopify' | 'bigcommerce';
  getCustomer(customerId: string, options?: ShopCallOptions): Promise<ShopCustomer | undefined>;
  /**
   * Customers in the shop's stable order (ID), `limit` at a time; `updatedSince` (ISO, at or after)
   * and `updatedBefore` (ISO, before) narrow them.
   */
  listCustomers(
    page: { cursor?: string; updatedSince?: string; updatedBefore?: string; limit: number },
    options?: ShopCallOptions,
  ): Promise<ShopCustomerPage>;
  /**
   * The same customers through a bulk operation (Shopify only: adapters/shops/shopify-bulk.ts); the
   * cursor names the operation and where in its file the next page starts.
   */
  listCustomersInBulk?(
    page: { cursor?: string; updatedSince?: string; limit: number },
    options?: ShopCallOptions,
  ): Promise<ShopBulkStep>;
  updateCustomer(
    customerId: string,
    changes: ShopCustomerChanges,
    options?: ShopCallOptions,
  ): Promise<ShopWriteResult>;
  /** Writes the D365 account to the customer (metafield / attribute value): an upsert. */
  writeAccount(customerId: string, account: string, options?: ShopCallOptions): Promise<ShopWriteResult>;
  /**
   * Removes the D365 account we wrote (the erasure of issue 27: it is data we wrote): the Shopify
   * metafield (`metafieldsDelete`), the BigCommerce attribute value. Idempotent. Optional: a shop
   * client without it holds nothing to forget.
   */
  forgetAccount?(customerId: string, options?: ShopCallOptions): Promise<ShopForgetResult>;
}

/** The shop clients of the WEBHOOK_SOURCES shops that have an Admin API token configured. */
export interface ShopClients {
  /**
   * The source's client, or undefined when it is not a shop or has no Admin API token. For the
   * write-back (the default), also undefined when the source turned it off (`writeBack: false`);
   * `read` (the backfill) needs only the token.
   */
  forSource(source: string, purpose?: 'write-back' | 'read'): ShopClient | undefined;
}

/** What a shop said about its rate limit in its last answer (shared/domain/shop-budget.ts). */
export type ShopLimitState = Observation;

/**
 * Each shop's rate-limit budget, shared by the whole fleet: a call takes its cost from the last
 * known state of the shop's bucket or window (refilled for the time passed) only while what is left
 * stays at or above the reserve (the part of the budget the sync never spends); every answer's state
 * is fed back with `observe`.
 */
export interface ShopBudget {
  /**
   * Waits at most `maxWaitMs` until `cost` can be spent above the reserve and books it. `unknown`:
   * nothing is known of the shop yet (the caller makes one cheap call and observes its answer).
   */
  take(
    shop: string,
    cost: number,
    maxWaitMs: number,
  ): Promise<{ kind: 'taken' } | { kind: 'unknown' } | { kind: 'wait'; retryAt: number }>;
  observe(shop: string, state: ShopLimitState): Promise<void>;
}

/**
 * A shop refused the Admin API access token (401 after reading the token again, 403, or
 * `ACCESS_DENIED`): the app was uninstalled, the token revoked, or it lacks the customer scopes.
 * Retrying cannot help until an operator puts a valid token in Key Vault.
 */
export class ShopAccessError extends Error {
  constructor(
    readonly source: string,
    readonly detail: string,
  ) {
    super(`The shop ${source} refused the Admin API access token (${detail}).`);
    this.name = 'ShopAccessError';
  }
}
