import type { FailureCode, FieldError, Problem } from './types';

const PROBLEM = 'urn:d365-customer-sync:problem:';

/** Base of every error the client throws for an answer of the API. */
export class CustomerSyncError extends Error {
  override name = 'CustomerSyncError';
  constructor(
    message: string,
    /** The HTTP status, when the API answered. */
    readonly status?: number,
    /** The problem details, when the API sent them. */
    readonly problem?: Problem,
    readonly correlationId?: string,
  ) {
    super(message);
  }
}

/** 400: the body (or a header) is invalid; `fieldErrors` point at every offending field. */
export class ValidationError extends CustomerSyncError {
  override name = 'ValidationError';
  readonly fieldErrors: FieldError[];
  constructor(problem: Problem) {
    super(problem.detail, problem.status, problem);
    this.fieldErrors = problem.errors ?? [];
  }
}

/** The customer exists already in the legal entity (`DUPLICATE_POLICY=reject`). */
export class DuplicateError extends CustomerSyncError {
  override name = 'DuplicateError';
  /** The D365 accounts that have this e-mail address in the legal entity: use one of them instead. */
  readonly existingAccounts: string[];
  constructor(
    message: string,
    status?: number,
    problem?: Problem,
    correlationId?: string,
    existingAccounts?: string[],
  ) {
    super(message, status, problem, correlationId);
    this.existingAccounts = existingAccounts ?? problem?.existingAccounts ?? [];
  }
}

/** 404 on an update: this app did not create or link that customer (by account or by reference). Nothing was stored. */
export class CustomerNotFoundError extends CustomerSyncError {
  override name = 'CustomerNotFoundError';
}

/** 429: the caller is over its budget, also after the client's own retries. */
export class ThrottledError extends CustomerSyncError {
  override name = 'ThrottledError';
  constructor(
    problem: Problem,
    readonly retryAfterSeconds: number,
  ) {
    super(problem.detail, problem.status, problem);
  }
}

/** 422: the Idempotency-Key was sent before with another body. Use a new key for a new customer. */
export class IdempotencyKeyReusedError extends CustomerSyncError {
  override name = 'IdempotencyKeyReusedError';
}

/** The request ended `failed` in D365 (business error, configuration, retries exhausted...). */
export class CustomerFailedError extends CustomerSyncError {
  override name = 'CustomerFailedError';
  constructor(
    message: string,
    readonly code: FailureCode,
    status?: number,
    problem?: Problem,
    correlationId?: string,
  ) {
    super(message, status, problem, correlationId);
  }
}

/** 401 / 403: the function key, the sign-in or the app role is missing. */
export class AuthenticationError extends CustomerSyncError {
  override name = 'AuthenticationError';
}

/** The API stayed unavailable (503, 500, network) through the client's retries; nothing is lost by repeating. */
export class UnavailableError extends CustomerSyncError {
  override name = 'UnavailableError';
}

/** The request is accepted but did not end within the client's timeout: poll `statusUrl` later. */
export class PendingTimeoutError extends CustomerSyncError {
  override name = 'PendingTimeoutError';
  constructor(
    correlationId: string,
    readonly statusUrl: string,
  ) {
    super(
      `The request ${correlationId} is still pending; poll its status later.`,
      undefined,
      undefined,
      correlationId,
    );
  }
}

/** 409: the `Customer-Reference` already names one of your customers (`statusUrl`: its create). */
export class ReferenceInUseError extends CustomerSyncError {
  override name = 'ReferenceInUseError';
  constructor(
    problem: Problem,
    readonly statusUrl?: string,
  ) {
    super(problem.detail, problem.status, problem);
  }
}

/**
 * The create found the customer D365 already had (`linked`), but your caller did not verify the
 * shopper's identity: the account is withheld and the customer cannot be changed through your
 * reference until it is verified (Shopify's `verified_email`, or an operator). SECURITY.md.
 */
export class VerificationPendingError extends CustomerSyncError {
  override name = 'VerificationPendingError';
  constructor(correlationId: string) {
    super(
      `The customer of ${correlationId} exists already; its link waits for a verified identity, so its account is not shown.`,
      undefined,
      undefined,
      correlationId,
    );
  }
}

/** Maps a final problem answer to the typed error. */
export function errorForProblem(problem: Problem, retryAfterSeconds = 0): CustomerSyncError {
  const kind = problem.type.startsWith(PROBLEM) ? problem.type.slice(PROBLEM.length) : problem.type;
  switch (kind) {
    case 'invalid-request':
    case 'invalid-header':
    case 'unsupported-media-type':
    case 'body-too-large':
    case 'length-required':
    case 'invalid-correlation-id':
    case 'invalid-path':
      return new ValidationError(problem);
    case 'unknown-customer':
      return new CustomerNotFoundError(problem.detail, problem.status, problem, problem.correlationId);
    case 'duplicate':
      return new DuplicateError(problem.detail, problem.status, problem, problem.correlationId);
    case 'rate-limited':
      return new ThrottledError(problem, retryAfterSeconds);
    case 'idempotency-key-reused':
      return new IdempotencyKeyReusedError(problem.detail, problem.status, problem);
    case 'reference-in-use':
      return new ReferenceInUseError(problem, problem.statusUrl);
    case 'forbidden':
      return new AuthenticationError(problem.detail, problem.status, problem);
    case 'temporarily-unavailable':
      return new UnavailableError(problem.detail, problem.status, problem);
    default:
      if (problem.code) {
        return new CustomerFailedError(
          problem.detail,
          problem.code,
          problem.status,
          problem,
          problem.correlationId,
        );
      }
      return new CustomerSyncError(problem.detail || problem.title, problem.status, problem);
  }
}
