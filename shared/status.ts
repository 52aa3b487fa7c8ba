/**
 * The processing state machine of one customer request, and the status answer derived from it.
 *
 *   queued ──► processing ──► submitting ──► succeeded
 *                 │               │      └─► failed
 *                 └───────────────┴────────► failed
 *
 * `processing`: a worker has claimed the request (reading the secret, getting a token).
 * `submitting`: the create call to D365 is about to be sent or in flight; a request last seen in
 * this state may already exist in D365.
 * A transient failure leaves the record where it was and the queue delivers the message again.
 */

export const STATUSES = ['queued', 'processing', 'submitting', 'succeeded', 'failed'] as const;
export type Status = (typeof STATUSES)[number];

export const TERMINAL_STATUSES: readonly Status[] = ['succeeded', 'failed'];

/** Which transitions the state machine allows. Terminal states have none. */
const TRANSITIONS: Record<Status, readonly Status[]> = {
  queued: ['processing', 'failed'],
  processing: ['processing', 'submitting', 'failed'],
  submitting: ['processing', 'submitting', 'succeeded', 'failed'],
  succeeded: [],
  failed: [],
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
  business_error: 'D365 rejected the customer.',
  not_registered:
    'D365 answered 403: the Entra application is not registered in D365 (System administration > Setup > Azure Active Directory applications) or its user lacks rights.',
  invalid_secret:
    'Entra ID rejected the D365 client secret read from Key Vault (AADSTS7000215). Put the current secret in Key Vault.',
  unauthorized: 'D365 rejected a fresh access token (401). Check the D365 URL and the app registration.',
  configuration: 'The app could not read the D365 client secret from Key Vault.',
  retries_exhausted:
    'D365 stayed unavailable through every retry; the message was moved to the poison queue.',
} as const;
export type FailureCode = keyof typeof FAILURE_CODES;

export type Outcome = 'created' | 'linked';

/** What the status table holds for one correlation ID. `payload` holds personal data and never leaves the app. */
export interface StatusRecord {
  correlationId: string;
  status: Status;
  legalEntity: string;
  target: 'custom-service' | 'odata';
  attempts: number;
  createdAt: string;
  updatedAt: string;
  customerAccount?: string;
  outcome?: Outcome;
  errorCode?: FailureCode;
  errorMessage?: string;
  /** The last transient failure, for operators (no personal data). */
  lastError?: string;
  /** The normalised request, kept until the request succeeds so it can be re-queued. */
  payload?: string;
  /** Optimistic-concurrency tag of the stored version. */
  etag: string;
}

/** The status answer: the record without its personal payload or storage details. */
export interface StatusAnswer {
  correlationId: string;
  status: Status;
  legalEntity: string;
  customerAccount?: string;
  outcome?: Outcome;
  error?: { code: FailureCode; message: string };
  lastError?: string;
  attempts: number;
  createdAt: string;
  updatedAt: string;
}

export function toStatusAnswer(record: StatusRecord): StatusAnswer {
  return {
    correlationId: record.correlationId,
    status: record.status,
    legalEntity: record.legalEntity,
    ...(record.customerAccount !== undefined && { customerAccount: record.customerAccount }),
    ...(record.outcome !== undefined && { outcome: record.outcome }),
    ...(record.errorCode !== undefined && {
      error: { code: record.errorCode, message: record.errorMessage ?? FAILURE_CODES[record.errorCode] },
    }),
    ...(record.lastError !== undefined && !isTerminal(record.status) && { lastError: record.lastError }),
    attempts: record.attempts,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
