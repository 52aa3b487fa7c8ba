import type { AddressesOutcome } from './further-addresses';
import type { ContactPersonOutcome } from './contact-person';
import type { ReviewDecision } from './operations/review-decision';
import { Identity, mayRevealAccounts } from './ownership';
import type { MatchedOn } from './recovery-match';
import { WriteBackAnswer, writeBackAnswer, WriteBackState } from './write-back';

/**
 * The processing state machine of one customer request, and the status answer derived from it.
 *
 *   accepting ─► queued ─► processing ─► submitting ─► succeeded
 *                    ▲          │  ▲          │   └──► failed
 *                    │          ▼  │          ▼
 *                    │        retrying ◄──────┘
 *                    │          └──────────────────► needs_review
 *                    └── (reconciler, replay)
 *
 * - `accepting`: an Idempotency-Key claimed the ID; the queue message is being written.
 * - `queued`: stored and queued, no worker has taken it yet.
 * - `processing`: an invocation holds it (until `leaseUntil`): reading the secret, getting a token,
 *   looking the customer up.
 * - `submitting`: the create call to D365 is in flight; from here on the customer may exist in D365
 *   (`submittedAt` is set), so whoever takes it over looks it up before creating. A create that needs
 *   no lookup and has its gate slot at hand is claimed straight into it (`queued`/`retrying` →
 *   `submitting`: the claim and the fence in one write).
 * - `retrying`: a transient failure; the next attempt is queued for `nextAttemptAt`.
 * - `succeeded` / `failed`: terminal. Only an operator's replay moves `failed` back to `queued`.
 * - `needs_review`: terminal. D365 confirmed the create (a 2xx) without naming the account, and the
 *   customer could not be found by looking it up: it exists in D365, so the request is never replayed
 *   into another create; an operator finds it in D365 (`acceptedWithoutAccountAt` says when).
 * Every change is a conditional (ETag) update, so two invocations never both move a request on.
 */

export const STATUSES = [
  'accepting',
  'queued',
  'processing',
  'submitting',
  'retrying',
  'succeeded',
  'failed',
  'needs_review',
] as const;
export type Status = (typeof STATUSES)[number];

export const TERMINAL_STATUSES: readonly Status[] = ['succeeded', 'failed', 'needs_review'];

/** Which transitions the state machine allows. */
const TRANSITIONS: Record<Status, readonly Status[]> = {
  accepting: ['queued', 'processing', 'failed'],
  // Straight to `submitting`: a create that needs no lookup claimed with its slot at hand (issue 33).
  queued: ['processing', 'submitting', 'failed', 'queued'],
  processing: ['processing', 'submitting', 'retrying', 'succeeded', 'failed', 'needs_review'],
  submitting: ['processing', 'retrying', 'succeeded', 'failed', 'needs_review'],
  retrying: ['processing', 'submitting', 'retrying', 'failed', 'needs_review'],
  succeeded: [],
  failed: ['queued'],
  // Never back to `queued`: the customer exists in D365, a replay would create a second one.
  needs_review: [],
};

export function isTerminal(status: Status): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function canTransition(from: Status, to: Status): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Short, stable failure codes. Each has a message an operator can act on (no personal data). */
export const FAILURE_CODES = {
  invalid_message: 'The queued message was not a valid customer request.',
  duplicate:
    'A customer with this e-mail address already exists in the legal entity (DUPLICATE_POLICY=reject).',
  business_error: 'D365 rejected the customer.',
  not_registered:
    'D365 refused the app (401 to a freshly issued token, or 403): register the Entra application in D365 (System administration > Setup > Microsoft Entra ID applications, with a user that has rights to create customers) and check that D365_URL is the environment the token is issued for.',
  invalid_secret:
    'Entra ID rejected the D365 client secret read from Key Vault (AADSTS7000215). Put the current secret in Key Vault.',
  unauthorized: 'D365 rejected a fresh access token (401). Check the D365 URL and the app registration.',
  configuration:
    'A setting names something Key Vault, Entra ID or D365 does not have (the client secret, the tenant, the application, the environment, the custom service): the message says which, and npm run doctor names the fix.',
  unmappable:
    "The shop's customer cannot be mapped to a D365 customer (see the message for the fields); the webhook was answered 2xx so the shop does not resend it.",
  source_not_found: 'The shop no longer has the customer its webhook named.',
  account_not_found:
    'D365 confirmed the create without naming the customer account, and the customer could not be found by looking it up. It exists in D365: find it there; this request is never replayed into another create.',
  retries_exhausted:
    'D365 stayed unavailable through every retry; the message is kept in the poison queue for replay.',
  customer_not_found:
    'D365 has no customer with this account in the legal entity (it was deleted or renamed there); the update was not applied.',
  customer_not_created:
    'The create this update waited for ended without a customer; the update was not applied.',
  invalid_update:
    'The update no longer makes a valid customer when merged with the changes applied before it; it was not applied.',
  update_conflict:
    'The customer was changed in D365 since our last update, in fields this update changes (UPDATE_CONFLICT_POLICY=review): nothing was sent; compare the fields named here in D365 and send the update again if it should win.',
  possible_duplicate:
    'The request has no e-mail, and D365 has a customer without one of its last name and phone whose first name one of the two writes as an initial of the other (J. Smith and John Smith): possibly the same person, possibly two of one household. Nothing was created: an operator links the request to that account in D365, or creates the customer there.',
} as const;
export type FailureCode = keyof typeof FAILURE_CODES;

/**
 * How a request ended well. Creates: `created`, `linked`. Updates (issue 17): `updated` (sent to
 * D365), `unchanged` (nothing to send), `stale` (every field it names was set by a newer update:
 * recorded and dropped), `kept_d365` (D365 changed those fields meanwhile and UPDATE_CONFLICT_POLICY=d365).
 */
export type Outcome = 'created' | 'linked' | 'updated' | 'unchanged' | 'stale' | 'kept_d365';

/** What the status table holds for one correlation ID. `payload` holds personal data and never leaves the app. */
export interface StatusRecord {
  correlationId: string;
  /**
   * `update` for a customer update (issue 17); `erase` / `export` for a privacy request (issue 27,
   * domain/privacy); absent for a create.
   */
  kind?: 'update' | 'erase' | 'export';
  status: Status;
  legalEntity: string;
  target: 'custom-service' | 'odata';
  attempts: number;
  createdAt: string;
  updatedAt: string;
  customerAccount?: string;
  outcome?: Outcome;
  /**
   * The accounts the lookup found, comma-separated: set when `DUPLICATE_POLICY=reject` refused the
   * request, or when several customers matched (the request was linked to the first).
   */
  existingAccounts?: string;
  /**
   * Which fields a lookup matched the customer on (`link`, `reject`, or a recovery after a create
   * that may have reached D365): `email`, or `name_and_phone` (recovery only); never the values.
   */
  matchedOn?: MatchedOn;
  /**
   * What became of the create's further addresses (CustomersV3 target: those beyond one primary,
   * one invoice and one delivery address), as `AddressesOutcome` JSON: pointers only, never values.
   */
  addresses?: string;
  /** An organisation's create on the CustomersV3 target: what became of its contact person (never the values). */
  contactPerson?: ContactPersonOutcome;
  errorCode?: FailureCode;
  errorMessage?: string;
  /** The last transient failure, for operators (no personal data). */
  lastError?: string;
  /** The normalised request, kept until the request succeeds so it can be re-queued or replayed. */
  payload?: string;
  /** Hash of the normalised request, for Idempotency-Key replays. */
  fingerprint?: string;
  /**
   * The e-mail key of the customer (domain/customer-identity.ts `emailKeyOf`, a SHA-256, never the
   * address): a privacy request naming an e-mail finds the record by it after its payload is gone.
   */
  emailKey?: string;
  /** Who sent it (when caller authentication is on); no personal data. */
  caller?: string;
  /**
   * A create's: whether its caller verified the shopper's identity (ownership policy: a staff
   * caller, Shopify's `verified_email`, later an operator). An `unverified` one that matched an
   * existing D365 customer links it pending, and its answers name no account. Absent on records
   * accepted before the policy (treated as verified).
   */
  identity?: Identity;
  /** The webhook source it came from (a WEBHOOK_SOURCES name), and the shop's own customer ID. */
  source?: string;
  sourceCustomerId?: string;
  /** Where the signed result event goes when the request ends (the `Callback-Url` header). */
  callbackUrl?: string;
  /** Start of the current series of attempts (acceptance, or the operator's replay). */
  queuedAt?: string;
  /** Until when the invocation that claimed it owns it. */
  leaseUntil?: string;
  /** When the create call was first sent: from then on the customer may exist in D365. */
  submittedAt?: string;
  /**
   * When D365 answered the create with a 2xx but no customer account: the customer exists, so later
   * attempts only look it up (never create), and end as `needs_review` if it cannot be found.
   */
  acceptedWithoutAccountAt?: string;
  /** When the next attempt is due (`retrying`). */
  nextAttemptAt?: string;
  /** A privacy request's due date (30 days from receipt): the open-requests metric and alert read it. */
  dueAt?: string;
  /** When a privacy request erased this record's customer data (it keeps only its facts). */
  erasedAt?: string;
  /**
   * A shop's create that succeeded: writing its D365 account back to the shop (issue 28,
   * shared/domain/write-back.ts). Never changes `status`; its detail is `WriteBackDetail` JSON.
   */
  writeBack?: WriteBackState;
  writeBackDetail?: string;
  /**
   * Operations (issue 31): a `failed` or `needs_review` request an operator resolved (handled in D365
   * by hand: `manual`), or that a later request for the same customer made moot (`superseded`). The
   * status stays; the request leaves the operators' open list.
   */
  resolvedAt?: string;
  resolution?: 'manual' | 'superseded';
  /** Who resolved it (an operator's ID, or `system`), and the operator's note (scrubbed of personal data). */
  resolvedBy?: string;
  resolutionNote?: string;
  /**
   * Issue 32: what an operator decided for a `needs_review` possible duplicate: `linked` (to one of
   * the candidates: the request ends `succeeded`, outcome `linked`) or `create_new` (queued again;
   * the worker then creates without the possible-duplicate check).
   */
  reviewDecision?: ReviewDecision;
  /** The payload as the caller sent it, kept when an operator edited it (edit and retry), for the audit. Personal data. */
  originalPayload?: string;
  /** The bulk replay that last re-queued it. */
  replayJobId?: string;
  /**
   * Bulk work (a backfill's customer, a bulk replay's request): it yields to live requests for an
   * instance's room and for D365 slots (fair sharing, shared/domain/fair-share.ts). Absent: live.
   */
  priority?: 'background';
  /** Optimistic-concurrency tag of the stored version. */
  etag: string;
}

/** The status answer: the record without its personal payload or storage details. */
export interface StatusAnswer {
  correlationId: string;
  /** `update` for a customer update; absent for a create. */
  kind?: 'update';
  status: Status;
  legalEntity: string;
  /** For webhooks: the source and the shop's customer ID (no personal data). */
  source?: string;
  sourceCustomerId?: string;
  customerAccount?: string;
  outcome?: Outcome;
  /**
   * `pending`: the create matched a customer D365 already has, but its caller did not verify the
   * shopper's identity: the link grants no changes and the account is not shown until it is
   * verified (Shopify's `verified_email`, an operator).
   */
  verification?: 'pending';
  /** Every account with the request's e-mail (a rejected duplicate, or several matches). */
  existingAccounts?: string[];
  /** Which fields a lookup matched the customer on (see StatusRecord). */
  matchedOn?: MatchedOn;
  /** What an operator decided for it in review (`linked`, `create_new`): no names, no operator. */
  reviewDecision?: ReviewDecision;
  /** The further addresses of a create on the CustomersV3 target: which landed, which did not (pointers). */
  addresses?: AddressesOutcome;
  /** An organisation's create on the CustomersV3 target: its contact person `created`, `found` (already there) or `failed`. */
  contactPerson?: ContactPersonOutcome;
  /** When a privacy request erased the customer's data from this request (issue 27): it keeps its facts only. */
  erasedAt?: string;
  error?: { code: FailureCode; message: string };
  lastError?: string;
  nextAttemptAt?: string;
  /** A shop's customer: the write-back of its D365 account to the shop (pending, written, failed). */
  writeBack?: WriteBackAnswer;
  attempts: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * The status answer of a record, as the ownership policy lets its caller see it: a create whose
 * unverified identity matched another customer names no account (`verification: "pending"`, or a
 * duplicate's failure without `existingAccounts` and with the generic message).
 */
export function toStatusAnswer(record: StatusRecord): StatusAnswer {
  if (!mayRevealAccounts(record)) {
    const {
      customerAccount: _account,
      existingAccounts: _existing,
      errorMessage: _message,
      ...rest
    } = record;
    return { ...answerOf(rest), ...(record.outcome === 'linked' && { verification: 'pending' }) };
  }
  return answerOf(record);
}

function answerOf(record: Omit<StatusRecord, 'etag'>): StatusAnswer {
  return {
    correlationId: record.correlationId,
    ...(record.kind === 'update' && { kind: record.kind }),
    status: record.status,
    legalEntity: record.legalEntity,
    ...(record.source !== undefined && { source: record.source }),
    ...(record.sourceCustomerId !== undefined && { sourceCustomerId: record.sourceCustomerId }),
    ...(record.customerAccount !== undefined && { customerAccount: record.customerAccount }),
    ...(record.outcome !== undefined && { outcome: record.outcome }),
    ...(record.existingAccounts && { existingAccounts: record.existingAccounts.split(',') }),
    ...(record.matchedOn !== undefined && { matchedOn: record.matchedOn }),
    ...(record.reviewDecision !== undefined && { reviewDecision: record.reviewDecision }),
    ...(record.addresses !== undefined && { addresses: JSON.parse(record.addresses) as AddressesOutcome }),
    ...(record.contactPerson !== undefined && { contactPerson: record.contactPerson }),
    ...(record.erasedAt !== undefined && { erasedAt: record.erasedAt }),
    ...(record.errorCode !== undefined && {
      error: { code: record.errorCode, message: record.errorMessage ?? FAILURE_CODES[record.errorCode] },
    }),
    ...(record.lastError !== undefined && !isTerminal(record.status) && { lastError: record.lastError }),
    ...(record.nextAttemptAt !== undefined &&
      record.status === 'retrying' && { nextAttemptAt: record.nextAttemptAt }),
    ...(record.writeBack !== undefined && {
      writeBack: writeBackAnswer(record.writeBack, record.writeBackDetail),
    }),
    attempts: record.attempts,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
