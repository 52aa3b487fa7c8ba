import { FAILURE_CODES, FailureCode } from './status';

/**
 * How a step failed: `permanent` ends the request as `failed` (retrying cannot help);
 * `transient` leaves it to be retried, optionally not before `retryAfterSeconds`.
 * Messages never carry personal data, secrets or tokens.
 */
export type Failure =
  | { kind: 'permanent'; code: FailureCode; message: string }
  | {
      kind: 'transient';
      reason: string;
      retryAfterSeconds?: number;
      /**
       * The request may have been carried out although no answer said so (a timeout, a reset
       * connection, a gateway's 502/504): a create call that failed so may have created the customer.
       */
      uncertain?: boolean;
      /** D365 answered 429 (its service protection limits): the whole instance should back off. */
      throttled?: boolean;
    };

export class ProcessingError extends Error {
  readonly failure: Failure;
  constructor(failure: Failure) {
    super(
      failure.kind === 'permanent' ? `${failure.code}: ${failure.message}` : `transient: ${failure.reason}`,
    );
    this.name = 'ProcessingError';
    this.failure = failure;
  }
}

export const permanent = (code: FailureCode, message: string): ProcessingError =>
  new ProcessingError({ kind: 'permanent', code, message });

export interface TransientOptions {
  retryAfterSeconds?: number;
  uncertain?: boolean;
  throttled?: boolean;
}

export const transient = (reason: string, options: TransientOptions = {}): ProcessingError =>
  new ProcessingError({
    kind: 'transient',
    reason,
    retryAfterSeconds: options.retryAfterSeconds,
    ...(options.uncertain && { uncertain: true }),
    ...(options.throttled && { throttled: true }),
  });

/** Classifies an error thrown while talking to a service: network failures and timeouts are transient. */
export function asProcessingError(error: unknown, service: string): ProcessingError {
  if (error instanceof ProcessingError) return error;
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError')
    return transient(`${service} timed out`, { uncertain: true });
  const code =
    (error as { code?: string; cause?: { code?: string } } | null)?.cause?.code ??
    (error as { code?: string })?.code;
  // A refused connection never reached the service; anything else may have been carried out.
  return transient(`${service} unreachable${code ? ` (${code})` : ''}`, {
    uncertain: code !== 'ECONNREFUSED',
  });
}

/** The class of an error and its status code, never its message (which may echo data): for logs. */
export function errorName(error: unknown): string {
  const e = error as { name?: string; statusCode?: number; code?: string } | null;
  return [e?.name ?? 'Error', e?.statusCode ?? e?.code].filter(Boolean).join(' ');
}

/** Parses a `Retry-After` header given in seconds or as an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/** The failure message of a rejected duplicate: names the existing accounts (never the e-mail). */
export function duplicateMessage(accounts: readonly string[]): string {
  const which =
    accounts.length === 1 ? `account ${accounts[0]}` : `${accounts.length} accounts: ${accounts.join(', ')}`;
  return `${FAILURE_CODES.duplicate.replace(/\.$/, '')}: ${which}.`;
}

/** The `needs_review` message when several customers match by name and phone (accounts only, no personal data). */
export function ambiguousMessage(accounts: readonly string[], hasEmail = true): string {
  const lead = hasEmail
    ? "No D365 customer has this request's e-mail, and "
    : 'The request has no e-mail, and ';
  return `${lead}${accounts.length} customers without an e-mail have its name and phone (${accounts.join(', ')}): an operator decides which one is this request's customer; it is never replayed into another create.`;
}

/** The `needs_review` message when several organisations match (issue 32; accounts and fields only). */
export function organisationAmbiguousMessage(accounts: readonly string[], matchedOn: string): string {
  const by = matchedOn === 'tax_number' ? 'its tax number' : 'its name in its country (and no tax number)';
  return `${accounts.length} D365 organisations have ${by} (${accounts.join(', ')}): an operator decides which one is this request's customer; it is never replayed into another create.`;
}

/** The `needs_review` message when an organisation cannot be looked up exactly (issue 32). */
export function organisationUnsearchableMessage(): string {
  return "The organisation's name cannot be looked up exactly in D365 (it holds a character F&O filters treat as an operator): an operator decides whether D365 already has it; nothing was created.";
}

/** The `needs_review` message when a customer without an e-mail cannot be looked up exactly (issue 32). */
export function unsearchableMessage(): string {
  return 'The request has no e-mail, and its name cannot be looked up exactly in D365 (it holds a character F&O filters treat as an operator, and more customers share its phone than one lookup reads): an operator decides whether D365 already has this customer; nothing was created.';
}
