import type { HttpResponseInit } from '@azure/functions';
import { Problem, problemResponse, problems } from './problem';
import type { FieldError } from '../domain/customer-contract';
import { FailureCode, StatusRecord, toStatusAnswer } from '../domain/status';
import { statusUrl } from './status-url';

/** An intake's result when nothing was stored or queued (the create and update intakes alike). */
export type NotAccepted =
  | { kind: 'invalid'; errors: FieldError[] }
  | { kind: 'unavailable' }
  | { kind: 'key-reused' }
  | { kind: 'in-progress' }
  | { kind: 'erased' };

/** The problem+json answer for a request the intake did not accept. */
export function notAcceptedResponse(result: NotAccepted, retryAfterSeconds: number): HttpResponseInit {
  switch (result.kind) {
    case 'invalid':
      return problemResponse(problems.invalidBody(result.errors));
    case 'unavailable':
      return problemResponse(problems.storageUnavailable(retryAfterSeconds));
    case 'key-reused':
      return problemResponse(problems.idempotencyKeyReused());
    case 'in-progress':
      return problemResponse(problems.idempotencyKeyInProgress());
    case 'erased':
      return problemResponse(problems.erasedCustomer());
  }
}

const FAILURE_STATUS: Record<FailureCode, number> = {
  business_error: 422,
  duplicate: 409,
  invalid_message: 422,
  not_registered: 502,
  invalid_secret: 502,
  unauthorized: 502,
  configuration: 502,
  unmappable: 422,
  source_not_found: 422,
  retries_exhausted: 503,
  account_not_found: 502,
  customer_not_found: 404,
  customer_not_created: 409,
  invalid_update: 422,
  update_conflict: 409,
  possible_duplicate: 409,
};

/**
 * The answer for a request: `202 Accepted` (the intake's answer), or — when the caller asked to
 * wait (`final`) — `201 Created` (`200` for an update) with the status answer when it succeeded,
 * and the failure as problem+json when it ended `failed` or `needs_review`.
 */
export function outcomeResponse(
  record: StatusRecord,
  statusUrl: string,
  headers: Record<string, string>,
  retryAfterSeconds: number,
  final = false,
): HttpResponseInit {
  const answer = toStatusAnswer(record);
  const common = { location: statusUrl, 'x-correlation-id': record.correlationId, ...headers };
  if (!final) {
    return {
      status: 202,
      headers: { ...common, 'retry-after': String(retryAfterSeconds) },
      jsonBody: { correlationId: record.correlationId, status: answer.status, statusUrl },
    };
  }
  // An update changes a customer that exists: 200, not 201.
  if (record.status === 'succeeded')
    return { status: record.kind === 'update' ? 200 : 201, headers: common, jsonBody: answer };
  // `needs_review` is as final as `failed` (an operator acts, nothing retries): a problem, no Retry-After.
  if ((record.status === 'failed' || record.status === 'needs_review') && answer.error) {
    const problem: Problem = {
      type: `urn:d365-customer-sync:problem:${answer.error.code.replace(/_/g, '-')}`,
      title:
        record.status === 'needs_review'
          ? 'The request ended for an operator to review'
          : record.kind === 'update'
            ? 'D365 did not update the customer'
            : 'D365 did not create the customer',
      status: FAILURE_STATUS[answer.error.code],
      detail: answer.error.message,
      code: answer.error.code,
      correlationId: record.correlationId,
      statusUrl,
      ...(answer.existingAccounts && { existingAccounts: answer.existingAccounts }),
    };
    return problemResponse(problem, common);
  }
  return outcomeResponse(record, statusUrl, headers, retryAfterSeconds);
}

/**
 * The answer of an intake (create or update) that accepted the request: 202 with the status URL, or,
 * when the caller waited (`waitedSeconds` > 0), the outcome as `outcomeResponse` gives it.
 */
export function acceptedResponse(
  requestUrl: string,
  accepted: { record: StatusRecord; replayed: boolean; waitedSeconds: number },
  retryAfterSeconds: number,
): HttpResponseInit {
  const { record, replayed, waitedSeconds } = accepted;
  const headers: Record<string, string> = {
    ...(replayed && { 'idempotent-replayed': 'true' }),
    ...(waitedSeconds > 0 && { 'preference-applied': `wait=${waitedSeconds}` }),
  };
  const url = statusUrl(requestUrl, record.correlationId);
  return outcomeResponse(record, url, headers, retryAfterSeconds, waitedSeconds > 0);
}
