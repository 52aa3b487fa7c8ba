import { STATUS_CODES } from 'node:http';
import {
  customServiceException,
  EXCEPTION_TYPES,
  gatewayHtml,
  odataError,
  odataWriteFailed,
  THROTTLE_MESSAGE,
} from './d365-errors';
import { EntraFailure, entraErrorBody } from './entra-errors';
import { RequestContext, send, sendEmpty, sendJson } from './http';
import { keyVaultChallenge, keyVaultError } from './key-vault';
import { EmulatorState } from './state';
import { FaultRule, FaultService } from './faults';

/** A rule that carries its own answer (body and/or headers): a scripted answer. */
export const isScripted = (rule: FaultRule): boolean => rule.body !== undefined || rule.headers !== undefined;

/**
 * A scripted answer: exactly the rule's status, headers and body (a string as is, anything else as
 * JSON with `Content-Type: application/json; charset=utf-8` unless the headers name one).
 */
export function sendScriptedAnswer(ctx: RequestContext, rule: FaultRule): void {
  const headers: Record<string, string> = { ...rule.headers };
  const hasType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  const body =
    rule.body === undefined
      ? undefined
      : typeof rule.body === 'string'
        ? rule.body
        : JSON.stringify(rule.body);
  if (body !== undefined && !hasType)
    headers['Content-Type'] =
      typeof rule.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  send(ctx.res, rule.status ?? 200, body, headers);
}

/** The Infolog of an X++ operation that failed inside its transaction: F&O's generic text. */
const UPDATE_CANCELED = 'Update has been canceled.';

const isOData = (ctx: RequestContext): boolean => ctx.url.pathname.startsWith('/data');

/** The 429 D365 answers under service protection (throttle model and faults alike). */
export function sendD365Throttled(ctx: RequestContext, retryAfterSeconds: number): void {
  const headers = { 'Retry-After': String(retryAfterSeconds) };
  if (isOData(ctx))
    sendJson(ctx.res, 429, odataError(THROTTLE_MESSAGE), { ...headers, 'OData-Version': '4.0' });
  else sendJson(ctx.res, 429, { Message: THROTTLE_MESSAGE }, headers);
}

/**
 * Answers a request with a fault's status, in the shape the faulted service (or the gateway before it)
 * would use: 429 with Retry-After; 502/503/504 as a gateway's HTML page; 500 as the service's own
 * exception; 401/403 and others as plausible service answers.
 */
export function sendFaultAnswer(
  state: EmulatorState,
  ctx: RequestContext,
  service: FaultService,
  status: number,
  retryAfter: number | undefined,
): void {
  const retryHeaders: Record<string, string> =
    status === 429 || retryAfter !== undefined ? { 'Retry-After': String(retryAfter ?? 1) } : {};
  if (status === 502 || status === 503 || status === 504) {
    send(ctx.res, status, gatewayHtml(status), {
      'Content-Type': 'text/html; charset=utf-8',
      ...retryHeaders,
    });
    return;
  }
  const reason = STATUS_CODES[status] ?? 'Error';
  switch (service) {
    case 'shopify':
      // Shopify's Admin API errors outside GraphQL: `{"errors": "<text>"}`
      // (https://shopify.dev/docs/api/usage/response-codes).
      sendJson(
        ctx.res,
        status,
        {
          errors:
            status === 401
              ? '[API] Invalid API key or access token (unrecognized login or wrong password)'
              : reason,
        },
        retryHeaders,
      );
      return;
    case 'bigcommerce':
      sendJson(
        ctx.res,
        status,
        { status, title: reason, type: 'https://developer.bigcommerce.com/docs/start/about/status-codes' },
        retryHeaders,
      );
      return;
    case 'd365':
      if (status === 429) {
        sendD365Throttled(ctx, retryAfter ?? 1);
      } else if (status === 401) {
        sendEmpty(ctx.res, 401, {
          'WWW-Authenticate': `Bearer authorization_uri="${state.url}/${state.options.tenantId}/oauth2/authorize"`,
        });
      } else if (status === 403) {
        sendEmpty(ctx.res, 403);
      } else if (isOData(ctx)) {
        const body =
          status === 500 && (ctx.method === 'POST' || ctx.method === 'PATCH')
            ? odataWriteFailed([`Error: ${UPDATE_CANCELED}`])
            : odataError(status === 500 ? 'An error has occurred.' : reason);
        sendJson(ctx.res, status, body, { 'OData-Version': '4.0', ...retryHeaders });
      } else if (status >= 500) {
        sendJson(
          ctx.res,
          status,
          customServiceException(UPDATE_CANCELED, EXCEPTION_TYPES.business),
          retryHeaders,
        );
      } else {
        sendJson(ctx.res, status, { Message: reason }, retryHeaders);
      }
      return;
    case 'keyvault':
      if (status === 401) {
        sendJson(
          ctx.res,
          401,
          keyVaultError('Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.'),
          {
            'WWW-Authenticate': keyVaultChallenge(state, ctx.origin),
          },
        );
      } else if (status === 429) {
        sendJson(
          ctx.res,
          429,
          keyVaultError(
            'Throttled',
            'Request was not processed because too many requests were received. Reason: A1',
          ),
          retryHeaders,
        );
      } else if (status === 403) {
        sendJson(
          ctx.res,
          403,
          keyVaultError(
            'Forbidden',
            'Caller is not authorized to perform action on resource.',
            'ForbiddenByRbac',
          ),
        );
      } else {
        const code = status >= 500 ? 'InternalServerError' : reason.replace(/\s+/g, '');
        sendJson(ctx.res, status, keyVaultError(code, `${reason}.`), retryHeaders);
      }
      return;
    case 'token': {
      const clientId = new URLSearchParams(ctx.body.toString('utf8')).get('client_id') ?? '';
      state.stats.tokenErrors += 1;
      sendJson(ctx.res, status, entraErrorBody(ctx, tokenFault(status, reason, clientId)), retryHeaders);
      return;
    }
  }
}

/** The Entra ID error a faulted token request answers with, by status. */
function tokenFault(status: number, reason: string, clientId: string): EntraFailure {
  if (status === 400 || status === 401) {
    return {
      error: 'invalid_client',
      code: 7000215,
      description: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    };
  }
  if (status === 429) {
    return {
      error: 'temporarily_unavailable',
      code: 50196,
      description:
        'The server terminated an operation because it encountered a client request loop. Please contact your app vendor.',
    };
  }
  if (status >= 500) {
    return {
      error: 'server_error',
      code: 50000,
      description: 'There was an error issuing a token or an issue with our sign-in service.',
    };
  }
  return { error: 'invalid_request', code: 90000, description: `${reason}.` };
}
