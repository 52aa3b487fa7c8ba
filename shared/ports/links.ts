/** Customer links (shop or POS reference ↔ D365 account), erasure marks and postal addresses. */
import type { AddressPlace, FurtherAddress } from '../domain/further-addresses';
import type { LinkVerification } from '../domain/ownership';
import type { SubjectQuery } from '../domain/privacy/subject-query';
import type { CallOptions } from './stores';

/**
 * Which D365 customer a caller's customer is (issue 17): the source (`api`, a caller ID, or a
 * WEBHOOK_SOURCES name), the source's own customer ID (Shopify or BigCommerce `id`, the caller's
 * `Customer-Reference`), the legal entity and the D365 account; and, on the same row, what the
 * update path needs: digests of what we last sent and each field's order stamp. No personal data
 * (issue 27): no names, e-mails, phones or addresses, only salted digests and an e-mail key.
 */
export interface CustomerLink {
  source: string;
  sourceCustomerId?: string;
  legalEntity: string;
  /** Absent while the create is still running (a link reserved at intake). */
  customerAccount?: string;
  /** The create request that made (or found) the customer. */
  createCorrelationId: string;
  createdAt: string;
  linkedAt?: string;
  /**
   * JSON `SentDigests` (domain/customer-update/sent-digests.ts): a salted digest of each D365 entity
   * field as we last sent it, and the address lists' shape. Absent while the create is running.
   */
  sentDigests?: string;
  /** The e-mail key (domain/customer-identity.ts `emailKeyOf`) of the customer's e-mail as last sent: erasure by e-mail. */
  emailKey?: string;
  /**
   * The ownership policy's standing of the link (domain/ownership.ts): `pending` when an
   * unverified caller's create found the customer in D365 (no writes through it, its account not
   * shown); `verified` once a verified identity or an operator confirmed it; absent: its own customer.
   */
  verification?: LinkVerification;
  /** JSON `FieldStamps`: which update last set each `Customer` member. */
  fieldStamps: string;
  /** D365's ETag after our last PATCH (absent: read it before the next one). */
  d365Etag?: string;
  /**
   * JSON `{id, changes}`: the update whose PATCH is being sent (set before the call, cleared after it
   * ended): the next update of the customer waits for it, and a takeover checks whether it went through.
   */
  inFlight?: string;
  /**
   * JSON `{id, outcome}`: the last update whose result the link holds. A worker that takes over an
   * update whose first worker wrote the link but lost its record's lease ends it with that outcome.
   */
  lastUpdate?: string;
  /**
   * A shop's customer: the digest (domain/webhooks/source-digest.ts) of the customer as we last took
   * it from the shop (its create, or its last applied update from the shop): a delivery with the same
   * digest is the shop's echo of our own write and changes nothing. Not personal data.
   */
  sourceDigest?: string;
  etag: string;
}

export type CustomerLinkKey =
  | { kind: 'reference'; source: string; sourceCustomerId: string }
  | { kind: 'account'; legalEntity: string; customerAccount: string };

export interface CustomerLinks {
  /**
   * Reserves the link of a create that names its source customer (at intake, before it is queued),
   * so an update that comes before the create ends finds it and waits. Keeps an existing one.
   */
  reserve(link: Omit<CustomerLink, 'etag' | 'customerAccount' | 'linkedAt'>): Promise<CustomerLink>;
  /** A create succeeded (created or linked): the link gets its account and is found by it too. Idempotent. */
  complete(
    link: Omit<CustomerLink, 'etag' | 'linkedAt'> & { customerAccount: string },
    at: string,
  ): Promise<void>;
  get(key: CustomerLinkKey): Promise<CustomerLink | undefined>;
  /** Changes the link if it still has `current.etag`; throws `StatusConflictError` otherwise. */
  save(current: CustomerLink, changes: Partial<Omit<CustomerLink, 'etag'>>): Promise<CustomerLink>;
  /**
   * Retention (LINK_RETENTION_DAYS): links, completed or only reserved, whose last write (any
   * reserve, complete or save) was before `changedBefore` (ISO), at most `limit`.
   */
  findChangedBefore(changedBefore: string, limit: number): Promise<CustomerLink[]>;
  /**
   * Deletes the link, and the account's pointer to it, if the link still has `link.etag`; throws
   * `StatusConflictError` when it was changed meanwhile (it stays). Already gone: nothing to do.
   */
  delete(link: CustomerLink): Promise<void>;
  /** Privacy (issue 27): the links the query covers (`linkMatches`), at most `limit`. */
  findForSubject(query: SubjectQuery, limit: number): Promise<CustomerLink[]>;
}

/**
 * Erasure marks (issue 27): a source's customer whose data was erased is not taken in again from
 * that source (its webhooks are acknowledged and dropped, its API creates refused) until the
 * merchant lifts the mark. Keyed by `erasureMarkKey` (a hash).
 */
export interface ErasureMarks {
  isMarked(key: string): Promise<boolean>;
  mark(key: string, requestId: string, at: string): Promise<void>;
  release(key: string): Promise<void>;
}

/**
 * A customer's postal addresses in D365 (F&O's CustomerPostalAddresses entity; the CustomersV3
 * target lands the addresses its create could not hold through it: land-further-addresses.ts).
 */
export interface D365PostalAddresses {
  /** Where the customer's postal addresses are (every page; any company: cross-company). */
  listPostalAddresses(
    legalEntity: string,
    customerAccount: string,
    options?: CallOptions,
  ): Promise<AddressPlace[]>;
  /** Adds one postal address, with its role (Invoice/Delivery), to an existing customer. */
  addPostalAddress(
    legalEntity: string,
    customerAccount: string,
    address: FurtherAddress,
    options?: CallOptions,
  ): Promise<void>;
}
