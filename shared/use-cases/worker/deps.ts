import type { CustomerRequest } from '../../domain/customer-contract';
import type { ConflictPolicy } from '../../domain/customer-update';
import type { QueueMessage } from '../../domain/queue-message';
import type { RetryPolicy } from '../../domain/retry-policy';
import type { FailureCode, Outcome, StatusRecord } from '../../domain/status';
import type {
  CallbackOutbox,
  CustomerLinks,
  CustomerQueue,
  D365Client,
  D365CustomerUpdates,
  D365Gate,
  BackfillUploads,
  FoEventLedger,
  GateSlot,
  ErasureMarks,
  FairAdmission,
  IdentityClaims,
  Log,
  ShopClients,
  StatusStore,
  Telemetry,
  WriteBackQueue,
} from '../../ports';
import { clock } from '../clock';
import type { LandAddressesDeps } from '../land-further-addresses';
import type { LandContactDeps } from '../land-contact-person';
import type { ResolveDeps } from './resolve-source';
import type { KeyCorrelationDeps } from '../key-correlation';

/** What the queue worker needs: the create's ports and settings, and the update's (issue 17). */
export interface WorkerDeps
  extends
    Pick<ResolveDeps, 'sourceCustomers' | 'webhookSources'>,
    // An erasure's anonymising updates are keyed requests too (privacy-d365.ts).
    Pick<KeyCorrelationDeps, 'correlationKey' | 'retentionDays'>,
    Pick<LandAddressesDeps, 'postalAddresses' | 'furtherAddressesOf'>,
    Pick<LandContactDeps, 'contactPersons'> {
  statusStore: StatusStore;
  d365: D365Client;
  gate: D365Gate;
  /**
   * Duplicate lookups that take a gate slot of their own (one per batch: batched-email-lookup.ts).
   * With it the worker looks a customer up before it takes the slot for the create, so a slot is
   * held only while a call runs; without it, lookup and create share one slot.
   */
  gatedLookup?: Pick<D365Client, 'findCustomersByEmail'>;
  /** Where retries are scheduled (the customer queue itself, with a visibility delay). */
  queue: CustomerQueue;
  /** Where a request that ran out of retries leaves its message for replay. */
  poisonQueue: CustomerQueue;
  telemetry: Telemetry;
  log: Log;
  /** Where result callbacks wait for delivery (absent: no callbacks). */
  callbackOutbox?: CallbackOutbox;
  /** The customer links (issue 17): a create that succeeds links the caller's customer; updates need them. */
  links?: CustomerLinks;
  target: StatusRecord['target'];
  defaultCustomerGroup: string;
  duplicatePolicy: 'link' | 'reject' | 'create';
  retry: RetryPolicy;
  leaseSeconds: number;
  /** How long one D365 call may take (D365_TIMEOUT_MS): the fence only sends a create with that much lease left. */
  callTimeoutMs: number;
  /** Per-customer claims (link/reject): one request at a time looks up and creates one identity. */
  identityClaims: IdentityClaims;
  /**
   * Fair sharing (issue 24): this instance's admission per caller; the gate's waiters line up by
   * the share it gives. Absent: first come, first served.
   */
  admission?: FairAdmission;
  /** How long an invocation may wait for a gate slot or a throttling pause before rescheduling instead. */
  maxInlineWaitMs?: number;
  /**
   * How long D365 may take to show a customer it created (a commit still running behind a gateway
   * timeout): a lookup after an uncertain create only concludes "not there" this long after the
   * create was sent; one after a 2xx without an account looks again for `ACCOUNT_LOOKUP_ROUNDS` times it.
   */
  settleSeconds?: number;
  /** Privacy requests (issue 27): erasure marks, the D365 mode per legal entity, batches. */
  privacy?: PrivacyDeps;
  /** Updates (issue 17): CustomersV3 by key. Required for update messages, with the three below. */
  d365Updates?: D365CustomerUpdates;
  /** The customer as D365's entity fields (CustomersV3), for the diff: the same mapping as the create. */
  toD365Fields?: (request: CustomerRequest) => Record<string, unknown>;
  /** Which entity fields each member sets, and a list's address as D365 holds it (d365-entity-fields.ts). */
  entityFields?: EntityFields;
  conflictPolicy?: ConflictPolicy;
  /**
   * The shops' Admin APIs and the write-back queue (issue 28): a shop's create that succeeds gets
   * `writeBack: pending` in the same write and a message on the write-back queue (write-back.ts).
   */
  shopClients?: ShopClients;
  writeBackQueue?: WriteBackQueue;
  now?: () => Date;
  random?: () => number;
}

/** What a privacy request (issue 27) needs besides the worker's ports. */
export interface PrivacyDeps {
  erasureMarks: ErasureMarks;
  /** F&O data events (issue 29): the rows held of a D365 customer (its events' changes, its state). */
  foEvents?: Pick<FoEventLedger, 'forgetCustomer'>;
  /** Uploaded exports' rows (issue 30, CSV backfill): the customer's rows in the pages not yet read. */
  backfillUploads?: Pick<BackfillUploads, 'forgetCustomers'>;
  /** Whether the linked D365 customers of a legal entity are anonymised (else reported). */
  anonymiseIn: (legalEntity: string) => boolean;
  /** Items per batch (default 100). */
  batchSize?: number;
  /** How long one invocation works before it hands the rest to the next (default 60 s). */
  sliceMs?: number;
  /**
   * How long after the erasure marks were written the last look for new data waits (default 60 s):
   * longer than an intake takes between checking a mark and writing its record.
   */
  settleSeconds?: number;
}

/** The deps an update needs, all there. */
export type UpdateDeps = WorkerDeps &
  Required<Pick<WorkerDeps, 'links' | 'd365Updates' | 'toD365Fields' | 'entityFields' | 'conflictPolicy'>>;

/** What the update plan needs of the D365 mapping besides `toD365Fields` (adapters/d365/d365-entity-fields.ts). */
export interface EntityFields {
  fieldsOf(members: readonly string[]): string[];
  addressList(
    fields: Record<string, unknown>,
    list: 'BillingAddress' | 'ShippingAddress',
    flag: 'Yes' | 'No' | undefined,
  ): unknown[];
  /** Privacy (issue 27): the placeholder values that anonymise a customer D365 holds as `fields` (only those that differ). */
  anonymise(fields: Record<string, unknown>): Record<string, unknown>;
  /** The entity fields anonymisation may set. */
  anonymisedFields: readonly string[];
}

export const hasUpdateDeps = (deps: WorkerDeps): deps is UpdateDeps =>
  deps.links !== undefined &&
  deps.entityFields !== undefined &&
  deps.d365Updates !== undefined &&
  deps.toD365Fields !== undefined &&
  deps.conflictPolicy !== undefined;

/** How one delivery of a queued request ended (a closed union: the function acknowledges every one). */
export type ProcessResult =
  | { kind: 'succeeded'; customerAccount: string; outcome: Outcome }
  | { kind: 'failed'; code: FailureCode }
  /** D365 confirmed the create without an account and it could not be found, or an update conflict: for an operator. */
  | { kind: 'needs-review' }
  /** A transient failure: the next attempt is queued for later. */
  | { kind: 'retrying'; delaySeconds: number }
  /** Someone else holds the request, or D365 asked us to wait: the message was queued again for later. */
  | { kind: 'deferred'; delaySeconds: number }
  /** The request had already ended: acknowledged without calling D365. */
  | { kind: 'already-finished' }
  /** A privacy request (issue 27) completed: erased, or its export ready. */
  | { kind: 'completed' }
  | { kind: 'discarded' };

export interface ProcessOptions {
  /** How often a claim that conflicts is tried again, each time on a fresh read (default 3). */
  claimAttempts?: number;
  /**
   * The record as the intake just wrote it (`Prefer: wait`, processed in the same invocation): used
   * instead of reading it back. Its ETag makes the claim conditional as a read's would, so a record
   * that changed meanwhile only costs a conflict and a fresh read.
   */
  accepted?: StatusRecord;
}

/** A claimed request as the steps carry it: each step that writes the record keeps the new one (its ETag) here. */
export interface Claimed {
  message: QueueMessage;
  record: StatusRecord;
  attempt: number;
  /** A create may have been sent before (`submittedAt`, or a `submitting` record): look it up first. */
  mayExist: boolean;
  /** When the create was (last) sent: a dead invocation's `submitting` record was last written then. */
  submittedAt?: string;
  /** When this invocation claimed it (epoch ms): D365's part of the telemetry. */
  started: number;
  /** A gate slot taken before the claim, which then was the fence (`submitting`: `claimAtFence`). */
  slot?: GateSlot;
}

/** Returned by a step: an ending (stop here), or nothing (go on to the next step). */
export type Stop = ProcessResult | undefined;

/** Lease beyond a D365 call's timeout that the fence demands, for the writes around the call. */
export const FENCE_MARGIN_SECONDS = 5;
/** Default for `maxInlineWaitMs`: a throttling pause or a full gate this long is waited out in place. */
export const DEFAULT_MAX_INLINE_WAIT_MS = 120_000;
/** How many settle periods a customer confirmed without an account is looked for before `needs_review`. */
export const ACCOUNT_LOOKUP_ROUNDS = 3;
const DEFAULT_SETTLE_SECONDS = 10;

/** One D365 call and the writes around it, in seconds: what a fence or a claim must cover. */
export const callSeconds = (deps: Pick<WorkerDeps, 'callTimeoutMs'>): number =>
  deps.callTimeoutMs / 1000 + FENCE_MARGIN_SECONDS;
export const inlineWaitMs = (deps: Pick<WorkerDeps, 'maxInlineWaitMs'>): number =>
  deps.maxInlineWaitMs ?? DEFAULT_MAX_INLINE_WAIT_MS;
export const settleSecondsOf = (deps: Pick<WorkerDeps, 'settleSeconds'>): number =>
  deps.settleSeconds ?? DEFAULT_SETTLE_SECONDS;
/** Seconds since an ISO time (0 when absent). */
export const secondsSince = (deps: { now?: () => Date }, iso: string | undefined): number =>
  iso === undefined ? 0 : (clock(deps).getTime() - Date.parse(iso)) / 1000;

/** What a success may set besides its account and outcome (an operator's link: operations/act-on-review.ts). */
export type SuccessField =
  | 'existingAccounts'
  | 'matchedOn'
  | 'addresses'
  | 'contactPerson'
  | 'writeBack'
  | 'writeBackDetail'
  | 'reviewDecision'
  | 'errorCode'
  | 'errorMessage'
  | 'resolvedAt'
  | 'resolution'
  | 'resolvedBy';
