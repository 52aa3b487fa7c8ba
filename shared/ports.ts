// Over 300 lines: every port in one file, so that what the use-cases depend on is read in one place.
/**
 * The ports: the small interfaces the use-cases depend on. Adapters in shared/adapters implement
 * them with Azure Storage, Key Vault, Entra ID, D365 and Application Insights; tests implement
 * them in memory. Nothing here imports an SDK.
 */
import type { FoEventMessage } from './domain/fo-events/event-message';
import type { FieldStamps, ShopChanges } from './domain/fo-events/shop-fields';
import type { LinkVerification } from './domain/ownership';
import type { AddressPlace, FurtherAddress } from './domain/further-addresses';
import type { ContactIdentity, ContactPerson } from './domain/contact-person';
import type { CustomerRequest } from './domain/customer-contract';
import type { QueueMessage } from './domain/queue-message';
import type { CallbackMessage } from './domain/callback-event';
import type { Status, StatusRecord } from './domain/status';
import type { FairShare, Priority } from './domain/fair-share';
import type { NameAndPhoneMatch } from './domain/recovery-match';
import type { SubjectQuery } from './domain/privacy/subject-query';
import type { AttentionEntry, AttentionView } from './domain/operations/attention';
import type { AuditEntry } from './domain/operations/audit';
import type { GateRoomState, ReplayJob } from './domain/operations/replay-job';
import type { Observation } from './domain/shop-budget';
import type { WriteBackMessage, WriteBackState } from './domain/write-back';
import type { BackfillJob, BackfillMessage } from './domain/backfill';
import type { DriftWatermark } from './domain/drift-repair';
import type { ShopAddress } from './domain/webhooks/shop-customer';
import type { CorrelationKey } from './domain/correlation-id';

/**
 * The options bag every call to an outside service takes (the Azure SDK's shape): a signal the
 * caller may abort it with, and how long it may take (default: the adapter's setting for that
 * service, D365_TIMEOUT_MS, KEY_VAULT_TIMEOUT_MS, ENTRA_TIMEOUT_MS or BIGCOMMERCE_TIMEOUT_MS).
 */
export interface CallOptions {
  abortSignal?: AbortSignal;
  timeoutMs?: number;
}

/** The status records, one per correlation ID, with optimistic concurrency on every change. */
export interface StatusStore {
  /** Inserts a new record; throws `StatusConflictError` when one with the same ID exists. */
  create(record: Omit<StatusRecord, 'etag'>): Promise<StatusRecord>;
  get(correlationId: string): Promise<StatusRecord | undefined>;
  /**
   * Applies `changes` to `current` only if the stored record still has `current.etag`;
   * throws `StatusConflictError` when another writer changed it first.
   */
  update(
    current: StatusRecord,
    changes: Partial<Omit<StatusRecord, 'correlationId' | 'etag'>>,
  ): Promise<StatusRecord>;
  /** Deletes the record if it still has the given ETag. */
  delete(record: StatusRecord): Promise<void>;
  /** Records in one of `statuses` last changed before `updatedBefore` (ISO), at most `limit`. */
  /** `processing` / `submitting` records whose lease ended before `leaseBefore` (ISO): their invocation died. */
  findLeaseExpired(leaseBefore: string, limit: number): Promise<StatusRecord[]>;
  findStale(statuses: readonly Status[], updatedBefore: string, limit: number): Promise<StatusRecord[]>;
  /** Records created before `createdBefore` (ISO), at most `limit` (retention). */
  findCreatedBefore(createdBefore: string, limit: number): Promise<StatusRecord[]>;
  /** `failed` / `needs_review` records that still hold a payload and ended before `endedBefore` (ISO), at most `limit`. */
  findEndedWithPayload(endedBefore: string, limit: number): Promise<StatusRecord[]>;
  /**
   * Privacy (issue 27): customer requests' records the query covers that still hold something of the
   * customer (domain/privacy/subject-query.ts `recordMatches`), at most `limit`. An erased record no
   * longer matches, so asking again after erasing a batch gives the next one.
   */
  findHolding(query: SubjectQuery, limit: number): Promise<StatusRecord[]>;
  /** Privacy requests (kinds `erase`, `export`) not ended yet, at most `limit` (the open-requests metric). */
  findOpenPrivacyRequests(limit: number): Promise<StatusRecord[]>;
  /** Records whose shop write-back is in `state` (the reconciler's `pending`), at most `limit`. */
  findWriteBacks(state: WriteBackState, limit: number): Promise<StatusRecord[]>;
}

export class StatusConflictError extends Error {
  constructor(readonly correlationId: string) {
    super(`The status record ${correlationId} was changed by another writer.`);
    this.name = 'StatusConflictError';
  }
}

/** Where accepted requests wait for the worker. */
export interface CustomerQueue {
  send(message: QueueMessage, options?: { delaySeconds?: number }): Promise<void>;
}

/** Where shop write-backs wait for their step (WRITE_BACK_QUEUE_NAME; issue 28). */
export interface WriteBackQueue {
  send(message: WriteBackMessage, options?: { delaySeconds?: number }): Promise<void>;
}

/**
 * F&O data events (issue 29): each event ID is taken once (FO_EVENTS_TABLE_NAME), then its change
 * waits on FO_EVENTS_QUEUE_NAME for the shop update.
 */
export interface FoEventLedger {
  /** Records the event as taken; false when it was taken before (a redelivery). */
  claim(eventId: string, at: string): Promise<boolean>;
  /** Forgets a claim whose event could not be queued (F&O delivers it again). */
  release(eventId: string): Promise<void>;
}
export interface FoEventQueue {
  send(message: FoEventMessage): Promise<void>;
}

/**
 * A linked customer's D365 → shop state (issue 29, in FO_EVENTS_TABLE_NAME): the field stamps and the
 * shop update in flight (its event, changes and lease), changed only with the row's ETag.
 */
export interface FoApplyState {
  stamps: FieldStamps;
  inFlight?: { eventId: string; changes: ShopChanges; leaseUntil: string };
}
export interface FoApplyStates {
  get(legalEntity: string, customerAccount: string): Promise<{ state: FoApplyState; etag?: string }>;
  /** Writes the state if the row still has `etag` (absent: if there is none); false when it changed meanwhile. */
  save(
    legalEntity: string,
    customerAccount: string,
    state: FoApplyState,
    etag?: string,
  ): Promise<string | false>;
}

/** The backfill's page messages (BACKFILL_QUEUE_NAME, issue 30). */
export interface BackfillQueue {
  send(message: BackfillMessage, options?: { delaySeconds?: number }): Promise<void>;
}

/** Backfill jobs (BACKFILL_TABLE_NAME): one row per job, written on its ETag. */
export interface BackfillJobs {
  /** Inserts a new job. */
  create(job: Omit<BackfillJob, 'etag'>): Promise<BackfillJob>;
  get(jobId: string): Promise<BackfillJob | undefined>;
  /** Writes `changes` over `job` if the row is still `job.etag`; else `StatusConflictError`. */
  save(job: BackfillJob, changes: Partial<Omit<BackfillJob, 'jobId' | 'etag'>>): Promise<BackfillJob>;
}

/** Drift repair's row per shop (issue 30, in BACKFILL_TABLE_NAME): its watermark and pass, written on its ETag. */
export interface DriftWatermarks {
  get(source: string): Promise<DriftWatermark | undefined>;
  /** Inserts the shop's first row; `StatusConflictError` when another instance did first. */
  create(source: string): Promise<DriftWatermark>;
  /** Writes `changes` over `row` if it is still `row.etag` (undefined clears a field); else `StatusConflictError`. */
  save(
    row: DriftWatermark,
    changes: Partial<Omit<DriftWatermark, 'source' | 'etag'>>,
  ): Promise<DriftWatermark>;
}

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

/** Where the worker reads a customer that a webhook only named (BigCommerce sends just its ID). */
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
}

/** Access tokens for D365, from Entra ID with the client secret held in Key Vault. */
export interface TokenSource {
  /** A valid token; `fresh` skips the cached one (after D365 answered 401). */
  getToken(options?: { fresh?: boolean } & CallOptions): Promise<string>;
}

/** Creates customers in D365. Throws `ProcessingError` (permanent or transient) on failure. */
export interface D365Client {
  /**
   * `customerAccount` is absent when D365 confirmed the create (a 2xx) without naming the account:
   * the customer exists and must be looked up, never created again.
   */
  createCustomer(request: CustomerRequest, options?: CallOptions): Promise<{ customerAccount?: string }>;
  /**
   * The accounts of the customers with this e-mail in the legal entity (CustomersV3, cross-company,
   * with a filter built by the one safe builder), in D365's order, at most `CUSTOMER_LOOKUP_TOP`;
   * empty when there is none.
   */
  findCustomersByEmail(legalEntity: string, email: string, options?: CallOptions): Promise<string[]>;
  /**
   * Recovery only (shared/domain/recovery-match.ts): the customers whose `PersonFirstName`,
   * `PersonLastName` (when given) and `PrimaryContactPhone` all equal these, in the legal entity
   * (CustomersV3, cross-company, one safe filter), at most `CUSTOMER_LOOKUP_TOP`. `undefined` when a
   * value cannot be filtered on exactly (e.g. a name with a comma): the lookup did not run.
   */
  findCustomersByNameAndPhone(
    legalEntity: string,
    person: PersonKey,
    options?: CallOptions,
  ): Promise<NameAndPhoneMatch[] | undefined>;
  /**
   * Possible duplicates of a customer without an e-mail (issue 32, customer-match.ts
   * `rowIsPossibleDuplicate`): the accounts of the people without an e-mail of this last name and
   * phone whose first name one of the two writes as an initial of the other's. Optional: a D365
   * client without it finds none (the exact lookup still decides).
   */
  findPossibleDuplicates?(legalEntity: string, person: PersonKey, options?: CallOptions): Promise<string[]>;
  /**
   * Organisations (issue 32): the accounts of the organisations with this tax number, or with this
   * name in this country and no tax number, every row re-checked exactly (customer-match.ts).
   * `undefined` when the name cannot be filtered on exactly. Optional: a D365 client without it
   * cannot take organisations (they fail, never create blindly).
   */
  findOrganizations?(
    legalEntity: string,
    organisation: OrganisationKey,
    options?: CallOptions,
  ): Promise<string[] | undefined>;
}

/** What an organisation lookup matches on (already normalised: customer-match.ts). */
export type OrganisationKey = { taxNumber: string } | { name: string; country: string };

/** The name and phone a recovery lookup matches on. */
export interface PersonKey {
  firstName: string;
  lastName?: string;
  phone: string;
}

/**
 * A D365 customer as the update path reads it (CustomersV3 by key, cross-company): the entity's
 * ETag (`@odata.etag`, sent back as `If-Match`) and its field values by entity field name.
 */
export interface D365CustomerSnapshot {
  etag: string;
  fields: Record<string, unknown>;
}

/** What a PATCH of one customer did. */
export type D365PatchResult =
  /** D365 applied it (204); `etag` when D365 answered one, else read it again before the next PATCH. */
  | { kind: 'applied'; etag?: string }
  /** 412 Precondition Failed: the customer changed in D365 since `etag` was read. */
  | { kind: 'conflict' }
  /** 404: no customer with this key in the legal entity. */
  | { kind: 'not_found' };

/**
 * Updates existing customers in D365 through the standard CustomersV3 entity (both targets: the
 * custom service only creates). Throws `ProcessingError` (permanent or transient) like `D365Client`.
 */
export interface D365CustomerUpdates {
  /** The customer by key (`dataAreaId` + `CustomerAccount`), or undefined when D365 has none. */
  getCustomer(
    legalEntity: string,
    customerAccount: string,
    options?: CallOptions,
  ): Promise<D365CustomerSnapshot | undefined>;
  /**
   * `PATCH CustomersV3(dataAreaId='…',CustomerAccount='…')?cross-company=true` with
   * `If-Match: etag` (`'*'` only under the "ours wins" conflict policy); only `changes` are sent.
   */
  patchCustomer(
    legalEntity: string,
    customerAccount: string,
    changes: Record<string, unknown>,
    options: { etag: string } & CallOptions,
  ): Promise<D365PatchResult>;
}

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

/**
 * An organisation customer's contact persons in D365 (F&O's `CDSContactPersonsV2` entity; the
 * CustomersV3 target lands an organisation's contact person through it: land-contact-person.ts).
 */
export interface D365ContactPersons {
  /** The contact persons associated with the customer (every page; any company: cross-company). */
  listContactPersons(
    legalEntity: string,
    customerAccount: string,
    options?: CallOptions,
  ): Promise<ContactIdentity[]>;
  /** Adds one contact person, associated with the customer. */
  addContactPerson(
    legalEntity: string,
    customerAccount: string,
    contact: ContactPerson,
    options?: CallOptions,
  ): Promise<void>;
}

/**
 * Back-pressure towards D365, shared by the whole fleet (every instance on the storage account):
 * at most `maxConcurrency` calls in flight (and, with `D365_MAX_REQUESTS_PER_SECOND`, at most that
 * many started per second), and when D365 answers 429 with `Retry-After`, no call at all until that
 * time has passed — on any instance, not just for the request that got the 429.
 */
export interface D365Gate {
  /**
   * Waits at most `maxWaitMs` for a free slot and for any throttling pause to end. Resolves the held
   * slot, or `{ retryAt, reason }` (epoch ms) when none came in time, so the caller can renew its
   * lease and ask again, or reschedule the work through the queue.
   */
  acquire(
    maxWaitMs: number,
    options?: GateAcquireOptions,
  ): Promise<GateSlot | { retryAt: number; reason: 'paused' | 'busy' }>;
  /** D365 asked us to wait: no call starts, on any instance, before `now + seconds`. */
  pause(seconds: number): void | Promise<void>;
  /** When calls may start again, as far as this instance knows (epoch ms; in the past when not paused). */
  pausedUntil(): number;
}

/**
 * One instance's fair admission (issue 24, shared/domain/fair-share.ts): how many requests of each
 * caller it works on at once. In memory, per instance; a request over its caller's share is
 * deferred (its message sent again with the delay given), never counted as a failed delivery.
 */
export interface FairAdmission {
  /** A request's share: its caller (or `anonymous`), the caller's weight (CALLER_WEIGHTS), its priority. */
  shareOf(request: { caller?: string; priority?: Priority }): FairShare;
  /** A ticket to work on one of the share's requests now, or how long to defer it (its caller is at its share). */
  admit(share: FairShare): AdmissionTicket | { deferSeconds: number };
  /** How many of the share's requests (its caller's, or all background work) this instance works on now. */
  working(share: FairShare): number;
}

/** Held while a request is worked on; released (once) when its invocation ends. */
export interface AdmissionTicket {
  release(): void;
}

export interface GateAcquireOptions {
  /**
   * Goes before this instance's waiters that do not say so (after those that do): a call that
   * serves many requests, such as a batched lookup, whose requests then wait for their creates. With
   * lookups and creates in one first-come queue, a lookup batch waits behind the creates of the last
   * one, and the creates then run out of customers to create (measured in docs/performance.md).
   */
  ahead?: boolean;
  /**
   * Whose request waits (its caller, the caller's weight, live or background): this instance's
   * waiters take turns per caller by weight, background work after every live request
   * (shared/domain/fair-share.ts). Absent: an anonymous live request of weight 1.
   */
  share?: FairShare;
}

/** One of the fleet's D365 slots, held across a request's lookup and create. */
export interface GateSlot {
  /** Runs one D365 call in the slot (waits out a pause that began meanwhile; keeps the slot's claim alive). */
  run<T>(call: () => Promise<T>): Promise<T>;
  /** Gives the slot up (to the next waiter); a second release does nothing. */
  release(): Promise<void>;
}

/**
 * Claims per customer identity (legal entity + normalised e-mail), shared by the fleet: under
 * DUPLICATE_POLICY link/reject, the lookup and the create of one identity are done by one request
 * at a time. A claim expires (`until`) so a killed holder does not block the identity for ever.
 */
export interface IdentityClaims {
  /** Claims `key` for `owner` until `until` (ISO); another owner's live claim answers `held`. */
  claim(key: string, owner: string, until: string): Promise<IdentityClaim | { held: true; until: string }>;
  /**
   * Privacy (issue 27): deletes the claims (identity, update and address claims alike) held by any
   * of `owners` (correlation IDs of an erased customer's requests), live or expired; how many went.
   */
  releaseOwnedBy(owners: ReadonlySet<string>): Promise<number>;
}

export interface IdentityClaim {
  /**
   * Until when the claim is held, as last written (ISO). Before then no other owner can take it, so
   * a holder whose claim already covers a call need not write it again.
   */
  readonly until: string;
  /** Extends the claim; false when it expired and another owner took it. */
  extend(until: string): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * Custom events for Application Insights. Properties are correlation IDs, legal entities and codes
 * only: never personal data. The names are the ones the workbook and alert rules in infra/ query.
 */
export type TelemetryEventName =
  | 'CustomerAccepted'
  | 'CustomerSucceeded'
  | 'CustomerFailed'
  | 'CustomerRetryScheduled'
  | 'D365Throttled'
  | 'CustomerPoisoned'
  /** A verified webhook delivery was taken in (outcome: accepted, replayed, unmappable). */
  | 'WebhookAccepted'
  /** A verified delivery answered 2xx without creating anything (a topic not handled yet). */
  | 'WebhookIgnored'
  /** A delivery refused with 401 (reason: signature, unknown-source, stale) or 413/400. */
  | 'WebhookRejected'
  /** A result callback answered 2xx (latencyMs: request ended → receiver answered). */
  | 'CallbackDelivered'
  /** A result callback gave up (reason: attempts, refused) or its endpoint answered 410 (disabled). */
  | 'CallbackFailed'
  | 'CallbackEndpointDisabled'
  /** A create's further addresses were landed (measurements: landed, failed; outcome: complete or partial). */
  | 'CustomerAddresses'
  /** An organisation's contact person on the CustomersV3 target (outcome: created, found, failed). */
  | 'CustomerContactPerson'
  /** A privacy request was taken in (topic: its type; outcome: accepted, replayed). */
  | 'PrivacyRequestReceived'
  /** A privacy request completed (topic: its type; measurements: what it erased or found, in all). */
  | 'PrivacyRequestCompleted'
  /** A delivery for an erased customer was dropped (the erasure mark stands). */
  | 'PrivacyDeliveryDropped'
  /** A shop write-back ended (issue 28): written (outcome: changed / unchanged) or failed (reason). */
  | 'ShopWriteBackWritten'
  | 'ShopWriteBackFailed'
  /** A shop's `customers/update` caused by our own write-back, dropped (reason: how it was told). */
  | 'ShopEchoIgnored'
  /** A backfill page was read (issue 30): its counts (found, queued, replayed, skippedLinked, unmappable). */
  | 'BackfillPage'
  /** A drift-repair run of one shop (issue 30): its counts (listed, linked, inProgress, found, alreadySent, unmappable). */
  | 'DriftRepairRun'
  /** Issue 29: an F&O data event taken in (queued), or acknowledged and ignored (reason). */
  | 'FoDataEventQueued'
  | 'FoDataEventIgnored'
  /** Issue 29: a D365 change written to the shop (outcome `written`, reason: the fields), or refused by it. */
  | 'FoShopUpdate'
  /** Issue 29: a D365 change our own PATCH caused (reason: the field), not written back to the shop. */
  | 'FoEchoSkipped';

export interface TelemetryEvent {
  name: TelemetryEventName;
  properties: {
    /** Absent only for webhook deliveries refused before a request existed. */
    correlationId?: string;
    /** Webhook source name (from WEBHOOK_SOURCES) and its kind: shopify, bigcommerce, standard. */
    source?: string;
    sourceKind?: string;
    topic?: string;
    legalEntity?: string;
    outcome?: string;
    target?: string;
    reason?: string;
    attempts?: string;
    /** BackfillPage: the job, and `true` on a dry run. */
    jobId?: string;
    dryRun?: string;
  };
  measurements?: {
    endToEndMs?: number;
    d365Ms?: number;
    delayMs?: number;
    retryAfterSeconds?: number;
    latencyMs?: number;
    /** CustomerAddresses: further addresses in D365 now, and those that did not land. */
    addressesLanded?: number;
    addressesFailed?: number;
    /** PrivacyRequestCompleted: items erased (or found), all stores together; days from receipt. */
    items?: number;
    days?: number;
    /** ShopWriteBackWritten: the shop calls' time of the attempt that wrote it. */
    shopMs?: number;
    /** BackfillPage: this page's customers, by what became of them. */
    found?: number;
    queued?: number;
    replayed?: number;
    skippedLinked?: number;
    unmappable?: number;
    /** DriftRepairRun: the run's customers, by what became of them (domain/drift-repair.ts). */
    listed?: number;
    linked?: number;
    inProgress?: number;
    alreadySent?: number;
  };
}

export type TelemetryMetric =
  | { name: 'QueueDepth'; value: number; properties: { queue: string } }
  /**
   * Privacy requests not completed (issue 27), per type (`erase`, `export`): open ones, those past
   * their due date, and those due within PRIVACY_DUE_ALERT_DAYS (the hourly purgeRecords timer).
   */
  | {
      name: 'PrivacyRequestsOpen' | 'PrivacyRequestsPastDue' | 'PrivacyRequestsDueSoon';
      value: number;
      properties: { type: string };
    }
  /**
   * Drift repair (issue 30): shop customers a run found without a link (or with a failed one) and
   * sent through the intake, per shop; above 0, the shop's webhooks are being missed.
   */
  | { name: 'DriftRepairFound'; value: number; properties: { source: string } }
  /**
   * Issue 29: F&O data events acknowledged but not taken in, by reason (`unknown-legal-entity`,
   * `no-link`, `not-a-shop-link`, `other-entity`, `duplicate`): one per event, value 1.
   */
  | { name: 'FoDataEventsIgnored'; value: number; properties: { reason: string } };

export interface Telemetry {
  trackEvent(event: TelemetryEvent): void;
  trackMetric(metric: TelemetryMetric): void;
}

export const noopTelemetry: Telemetry = { trackEvent() {}, trackMetric() {} };

/**
 * Structured, personal-data-free logging for the use-cases. Only the fields below can be logged,
 * so a name, e-mail, phone, address, birth date, secret or token cannot reach a log line by
 * accident; free text (reasons from D365) must have passed through `scrub` first.
 */
export interface LogFields {
  correlationId?: string;
  legalEntity?: string;
  status?: string;
  attempt?: number;
  customerAccount?: string;
  outcome?: string;
  code?: string;
  reason?: string;
  durationMs?: number;
  retryAfterSeconds?: number;
  dequeueCount?: number;
  /** Webhook source name and topic (configuration, never the shop's data). */
  source?: string;
  topic?: string;
  /** A bulk replay job (issue 31) or a backfill job (issue 30); its tick or page, and counts. */
  jobId?: string;
  tick?: number;
  total?: number;
  page?: number;
  found?: number;
}

export interface Log {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export const silentLog: Log = { info() {}, warn() {}, error() {} };
/** Slots for requests held open (`Prefer: wait`): at most so many per instance at once. */
export interface WaitSlots {
  /** Takes a slot; false when all are taken (the request is answered at once instead). */
  tryEnter(): boolean;
  leave(): void;
}

/** The callback outbox: result events waiting on the callback queue until they are delivered. */
export interface CallbackOutbox {
  send(message: CallbackMessage, options?: { delaySeconds?: number }): Promise<void>;
}

/** Callback URLs that answered 410 Gone: nothing more is sent to them, nor registered for them. */
export interface CallbackEndpoints {
  isDisabled(url: string): Promise<boolean>;
  disable(url: string, at: string): Promise<void>;
}

/**
 * Whether result callbacks can be signed: the state of the signing secret (`CALLBACK_SECRET_NAME`)
 * in Key Vault. `missing`: no such secret (or no enabled version); `forbidden`: the app's identity
 * may not read it; `unknown`: Key Vault did not answer (a delivery reads it again).
 */
export type CallbackSigningState = 'ready' | 'missing' | 'forbidden' | 'unknown';

export interface CallbackSigning {
  readonly secretName: string;
  /**
   * The state now. A problem is remembered briefly (so refused intakes do not each ask Key Vault),
   * unless `fresh` (the check at start, which must not hold up requests once the secret is there).
   */
  state(options?: { fresh?: boolean }): Promise<CallbackSigningState>;
}

/** What a callback endpoint did with one POST. */
export type CallbackAnswer =
  | { kind: 'answered'; status: number; retryAfter?: string }
  /** No HTTP answer: connection refused or reset, TLS failure, timeout. */
  | { kind: 'unreachable'; reason: string }
  /** Not sent: the host now resolves to an address callbacks may not reach (SSRF). */
  | { kind: 'refused'; reason: string };

/** POSTs one signed event to a callback URL (never following redirects). */
export interface CallbackSender {
  post(url: string, request: { headers: Record<string, string>; body: string }): Promise<CallbackAnswer>;
}

/** Several e-mails looked up in one D365 request (CustomersV3, cross-company): batched duplicate lookups. */
export interface D365EmailBatchLookup {
  /**
   * For each e-mail given (the same strings as keys): its accounts as `findCustomersByEmail` answers
   * them, or `undefined` when this one answer cannot tell them completely (a full page, a row it
   * cannot attribute to one e-mail): then that e-mail must be looked up alone.
   */
  findCustomersByEmails(
    legalEntity: string,
    emails: readonly string[],
    options?: CallOptions,
  ): Promise<Map<string, string[] | undefined>>;
}

/** A batched lookup got no D365 gate slot in time: nothing was sent to D365; ask again at `retryAt`. */
export class D365GateUnavailableError extends Error {
  constructor(
    readonly retryAt: number,
    readonly reason: 'paused' | 'busy',
  ) {
    super(reason === 'paused' ? 'D365 is throttling the fleet (429)' : 'every D365 slot is taken');
    this.name = 'D365GateUnavailableError';
  }
}

/** A call was run in a D365 gate slot already given up: it would run outside the fleet's cap (a bug). */
export class GateSlotReleasedError extends Error {
  constructor() {
    super('a D365 call was run in a gate slot that was already released');
    this.name = 'GateSlotReleasedError';
  }
}

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
  updateCustomer(
    customerId: string,
    changes: Partial<Pick<ShopCustomer, 'email' | 'firstName' | 'lastName' | 'phone'>>,
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

/** The operator audit log (issue 31): every operator action, apart from personal data. */
export interface AuditLog {
  /** Writes an entry (its ID is given here) and returns it. */
  append(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry>;
  /** The entries that name one request, newest first. */
  forRequest(correlationId: string, limit: number): Promise<AuditEntry[]>;
  /** Every entry, newest first, a page at a time. */
  recent(limit: number, cursor?: string): Promise<{ entries: AuditEntry[]; cursor?: string }>;
}

/** Bulk replay jobs (issue 31), stored beside the operations index; every write but `create` is conditional. */
export interface ReplayJobs {
  /** Stores a new job and returns it with its etag. */
  create(job: Omit<ReplayJob, 'etag'>): Promise<ReplayJob>;
  get(id: string): Promise<ReplayJob | undefined>;
  /** Writes the job if it is unchanged since its etag; `undefined` when it changed meanwhile. */
  save(job: ReplayJob): Promise<ReplayJob | undefined>;
  /** The newest jobs first (at most `limit`). */
  recent(limit: number): Promise<ReplayJob[]>;
  /** Every job still running (few: operators start them). */
  running(): Promise<ReplayJob[]>;
}

/** One step of a replay job, on the replay queue (REPLAY_QUEUE_NAME); no personal data. */
export interface ReplayTick {
  v: 1;
  jobId: string;
  /** The job's `tick` when it was sent: a message for another tick is stale. */
  tick: number;
}

export interface ReplayTicks {
  send(tick: ReplayTick, options?: { delaySeconds?: number }): Promise<void>;
}

/** How the fleet's D365 gate stands now (one read of the gate partition). */
export interface GateRoom {
  read(): Promise<GateRoomState>;
}
