import { randomUUID } from 'node:crypto';
import { RequestContext, sendJson } from './http';
import { EmulatorState } from './state';

/** One of Entra ID's token errors: the OAuth `error`, the AADSTS code and its text. */
export interface EntraFailure {
  error: string;
  code: number;
  description: string;
}

export interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

/** An error answer shaped as Entra ID's (`AADSTS<code>: ...` plus trace and correlation ids). */
export function entraErrorBody(
  ctx: Pick<RequestContext, 'req' | 'origin'>,
  { error, code, description }: EntraFailure,
): EntraErrorBody {
  const traceId = randomUUID();
  const header = ctx.req.headers['client-request-id'];
  const correlationId = typeof header === 'string' && header ? header : randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${ctx.origin}/error?code=${code}`,
  };
}

const noStore = { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' };

/** The headers of every token endpoint answer: no caching, a request id, the client's request id echoed. */
export function tokenResponseHeaders(ctx: RequestContext): Record<string, string> {
  const clientRequestId = ctx.req.headers['client-request-id'];
  return {
    ...noStore,
    'x-ms-request-id': randomUUID(),
    ...(typeof clientRequestId === 'string' ? { 'client-request-id': clientRequestId } : {}),
  };
}

/** Answers a token request with an Entra ID error (every token error is HTTP 400) and counts it. */
/**
 * The HTTP status of a token error. Entra ID answers client-authentication failures (`invalid_client`:
 * AADSTS7000215 wrong secret, AADSTS7000216 none) with **401**, as RFC 6749 section 5.2 allows for
 * `invalid_client` and as captured from login.microsoftonline.com (Microsoft Learn, "Microsoft Entra
 * authentication and authorization error codes", AADSTS7000215 "InvalidClientSecret"; the MSAL
 * issue threads quoting `HTTP 401 ... AADSTS7000215`); every other token error is 400.
 */
export const entraErrorStatus = (failure: EntraFailure): number =>
  failure.error === 'invalid_client' ? 401 : 400;

export function sendEntraError(state: EmulatorState, ctx: RequestContext, failure: EntraFailure): void {
  state.stats.tokenErrors += 1;
  sendJson(ctx.res, entraErrorStatus(failure), entraErrorBody(ctx, failure), tokenResponseHeaders(ctx));
}

/** AADSTS900144, the answer to a form that lacks a parameter. */
export const missingParameter = (name: string): EntraFailure => ({
  error: 'invalid_request',
  code: 900144,
  description: `The request body must contain the following parameter: '${name}'.`,
});

/** AADSTS90002 for a tenant id that does not exist: `invalid_tenant` from the metadata, `invalid_request` from a token endpoint. */
export const tenantNotFound = (
  tenant: string,
  error: 'invalid_tenant' | 'invalid_request',
): EntraFailure => ({
  error,
  code: 90002,
  description: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
});
