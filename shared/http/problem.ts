import type { HttpResponseInit } from '@azure/functions';

import { countFieldErrors, type FieldError } from '../domain/customer-contract';

/** An RFC 9457 problem details object. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  /** Seconds; sent as the `Retry-After` header, not in the body. */
  retryAfterSeconds?: number;
  [extension: string]: unknown;
}

const TYPE_BASE = 'urn:d365-customer-sync:problem:';

/** "N fields must be corrected", N counting the errors past MAX_REPORTED_ERRORS that are not listed. */
const invalidBodyDetail = (count: number) =>
  `${count} field${count === 1 ? '' : 's'} must be corrected: see errors.`;

export const problems = {
  invalidBody: (errors: FieldError[]): Problem => ({
    type: `${TYPE_BASE}invalid-request`,
    title: 'The request is not a valid customer',
    status: 400,
    detail: invalidBodyDetail(countFieldErrors(errors)),
    errors,
  }),
  /** Issue 29: the body is not an F&O data event (every bad envelope field, with its pointer). */
  invalidDataEvent: (errors: FieldError[]): Problem => ({
    type: `${TYPE_BASE}invalid-data-event`,
    title: 'The body is not an F&O data event',
    status: 400,
    detail: `${errors.length} field${errors.length === 1 ? '' : 's'} of the event must be corrected: see errors.`,
    errors,
  }),
  unsupportedMediaType: (mediaType: string, accepted: readonly string[] = ['application/json']): Problem => ({
    type: `${TYPE_BASE}unsupported-media-type`,
    title: 'The body must be JSON',
    status: 415,
    detail: `Send the body as ${accepted.join(' or ')}${mediaType ? `, not ${mediaType.slice(0, 60)}` : ''}.`,
    errors: [{ pointer: '', detail: `Content-Type must be ${accepted.join(' or ')}.` }],
  }),
  tooLarge: (limit: number): Problem => ({
    type: `${TYPE_BASE}body-too-large`,
    title: 'The body is too large',
    status: 413,
    detail: `A customer request may be at most ${limit} bytes.`,
    errors: [{ pointer: '', detail: `The body exceeds ${limit} bytes.` }],
  }),
  lengthRequired: (): Problem => ({
    type: `${TYPE_BASE}length-required`,
    title: 'Content-Length is required',
    status: 411,
    detail:
      'Send the body with a Content-Length header, not chunked (Transfer-Encoding: chunked): the Functions host passes a chunked body to the app as empty.',
    errors: [{ pointer: '', detail: 'The request has no Content-Length.' }],
  }),
  invalidCorrelationId: (): Problem => ({
    type: `${TYPE_BASE}invalid-correlation-id`,
    title: 'Malformed correlation ID',
    status: 400,
    detail: 'A correlation ID is the UUID returned by POST /api/customers.',
    errors: [{ pointer: '', detail: 'correlationId must be a UUID.' }],
  }),
  notFound: (): Problem => ({
    type: `${TYPE_BASE}not-found`,
    title: 'Unknown correlation ID',
    status: 404,
    detail: 'No customer request with this correlation ID exists (or it is past its retention).',
  }),
  invalidHeader: (header: string, error: FieldError): Problem => ({
    type: `${TYPE_BASE}invalid-header`,
    title: `Malformed ${header} header`,
    status: 400,
    detail: error.detail,
    errors: [{ pointer: '', detail: error.detail }],
    header,
  }),
  idempotencyKeyReused: (): Problem => ({
    type: `${TYPE_BASE}idempotency-key-reused`,
    title: 'Idempotency-Key already used for another request',
    status: 422,
    detail: 'This Idempotency-Key was sent before with a different body. Use a new key for a new customer.',
  }),
  idempotencyKeyInProgress: (): Problem => ({
    type: `${TYPE_BASE}idempotency-key-in-progress`,
    title: 'The first request with this Idempotency-Key is still being accepted',
    status: 409,
    detail: 'Send the request again in a moment.',
    retryAfterSeconds: 1,
  }),
  invalidPath: (error: FieldError): Problem => ({
    type: `${TYPE_BASE}invalid-path`,
    title: 'Malformed customer key in the path',
    status: 400,
    detail: error.detail,
    errors: [error],
  }),
  /** One error: its own detail (e.g. the link routes naming both query forms); more: how many. */
  invalidQuery: (errors: FieldError[]): Problem => ({
    type: `${TYPE_BASE}invalid-query`,
    title: 'Malformed or missing query parameters',
    status: 400,
    detail:
      errors.length === 1
        ? errors[0]!.detail
        : `${errors.length} parameters must be corrected: see errors (pointer: /<parameter>).`,
    errors,
  }),
  actionRefused: (detail: string): Problem => ({
    type: `${TYPE_BASE}action-refused`,
    title: 'The action does not apply to this request now',
    status: 409,
    detail,
  }),
  customerNotFound: (): Problem => ({
    type: `${TYPE_BASE}unknown-customer`,
    title: 'Unknown customer',
    status: 404,
    detail:
      'No customer with this account or reference was created or linked through this app (or its create was never accepted). Nothing was queued.',
  }),
  erasedCustomer: (): Problem => ({
    type: `${TYPE_BASE}erased-customer`,
    title: 'The customer was erased',
    status: 409,
    detail:
      'A privacy request erased this customer (or every customer of this source); it is not taken in again until an operator releases that request (POST /api/privacy/requests/{id}/release). Nothing was stored.',
  }),
  notReady: (detail: string): Problem => ({
    type: `${TYPE_BASE}privacy-request-not-ready`,
    title: 'The privacy request is not there yet',
    status: 409,
    detail,
  }),
  notReplayable: (detail: string): Problem => ({
    type: `${TYPE_BASE}not-replayable`,
    title: 'The request cannot be replayed',
    status: 409,
    detail,
  }),
  forbidden: (): Problem => ({
    type: `${TYPE_BASE}forbidden`,
    title: 'Missing app role',
    status: 403,
    detail:
      "The caller lacks the role this request needs (its app role, or its named function key's roles); nothing was read or stored.",
  }),
  referenceInUse: (statusUrl: string): Problem => ({
    type: `${TYPE_BASE}reference-in-use`,
    title: 'The Customer-Reference already names a customer',
    status: 409,
    detail:
      'This Customer-Reference already names one of your customers (or its create is still running: see statusUrl). Change that customer with PATCH /api/customers/references/{reference}, or send a new reference for a new customer. Nothing was stored.',
    statusUrl,
  }),
  linkUnverified: (): Problem => ({
    type: `${TYPE_BASE}link-unverified`,
    title: 'The link is waiting for verification',
    status: 403,
    detail:
      "This reference's create matched a customer D365 already has, by an identity that is not verified: it cannot be changed through this link until the identity is verified (a Shopify update with verified_email, or an operator). Nothing was queued.",
  }),
  tooManyRequests: (retryAfterSeconds: number): Problem => ({
    type: `${TYPE_BASE}rate-limited`,
    title: 'Too many requests',
    status: 429,
    detail: `This caller sent more requests than its per-minute budget. Send again after ${retryAfterSeconds} seconds.`,
    retryAfterSeconds,
  }),
  secretUnavailable: (retryAfterSeconds: number): Problem => ({
    type: `${TYPE_BASE}temporarily-unavailable`,
    title: 'The callback secret could not be read',
    status: 503,
    detail: 'Key Vault did not answer. Ask again after Retry-After seconds.',
    retryAfterSeconds,
  }),
  storageUnavailable: (retryAfterSeconds: number): Problem => ({
    type: `${TYPE_BASE}temporarily-unavailable`,
    title: 'The request could not be stored',
    status: 503,
    detail: 'Nothing was queued. Send the same request again after Retry-After seconds.',
    retryAfterSeconds,
  }),
};

/** Renders a problem as an `application/problem+json` response. */
export function problemResponse(problem: Problem, headers: Record<string, string> = {}): HttpResponseInit {
  const { retryAfterSeconds, ...body } = problem;
  return {
    status: problem.status,
    headers: {
      'content-type': 'application/problem+json',
      ...(retryAfterSeconds !== undefined && { 'retry-after': String(retryAfterSeconds) }),
      ...headers,
    },
    body: JSON.stringify(body),
  };
}
