import type { HttpResponseInit } from '@azure/functions';
import type { Config } from '../config/config';
import { parseClientPrincipal } from './caller';
import { problemResponse, problems } from './problem';

/**
 * Operator authentication, one module for every operations route (the console and its API, the
 * replay and link routes, and the privacy admin routes of issue 27).
 *
 * - `CALLER_AUTH=keys` (locally, and in Azure without App Service Authentication): the route is
 *   `authLevel: 'admin'`, so the Functions host lets only the **master key** through (`x-functions-key`
 *   or `?code=`); a function key or no key gets the host's 401. Every such operator is the key.
 * - `CALLER_AUTH=app-service` (Bicep `enableCallerAuthentication`): the platform signs the operator in
 *   with Entra ID and injects `X-MS-CLIENT-PRINCIPAL`; the route is `authLevel: 'anonymous'` (a browser
 *   cannot hold the master key, and it should not) and this module demands the principal (401
 *   without one) holding `CALLER_ROLE_OPERATOR` (403 without it). The operator is its object ID.
 *
 * Register a route with `operatorAuthLevel()` and call `requireOperator` first in its handler.
 */
export interface Operator {
  /** `key`: the master key (keys mode); `entra`: a signed-in Entra ID principal with the operator role. */
  kind: 'key' | 'entra';
  /** Stable ID for the audit log: `master-key`, or the principal's object ID. */
  id: string;
  /** The principal's display name claim, when the platform passed one (for people reading the audit). */
  name?: string;
}

/** The host-level authLevel of an operator route, from how callers authenticate. */
export function operatorAuthLevel(auth: Config['callers']['auth']): 'admin' | 'anonymous' {
  return auth === 'app-service' ? 'anonymous' : 'admin';
}

const NAME_CLAIMS = ['name', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name'];

/** The `name` claim of an App Service client principal, if any (at most 100 characters). */
function principalName(header: string | null): string | undefined {
  try {
    const principal = JSON.parse(Buffer.from(header ?? '', 'base64').toString('utf8')) as {
      claims?: { typ?: unknown; val?: unknown }[];
    };
    const claim = (principal.claims ?? []).find((c) => NAME_CLAIMS.includes(String(c.typ)));
    return typeof claim?.val === 'string' && claim.val !== '' ? claim.val.slice(0, 100) : undefined;
  } catch {
    return undefined;
  }
}

export type OperatorCheck = { ok: true; operator: Operator } | { ok: false; status: 401 | 403 };

/** Who the operator is, or why not (see the module comment). Pure: reads only the headers. */
export function authorizeOperator(
  headers: { get(name: string): string | null },
  callers: Config['callers'],
): OperatorCheck {
  // The host checked the master key (authLevel admin) before the handler ran.
  if (callers.auth === 'keys') return { ok: true, operator: { kind: 'key', id: 'master-key' } };
  const header = headers.get('x-ms-client-principal');
  const principal = parseClientPrincipal(header);
  if (!principal) return { ok: false, status: 401 };
  if (!principal.roles.includes(callers.roles.operator)) return { ok: false, status: 403 };
  const name = principalName(header);
  return { ok: true, operator: { kind: 'entra', id: principal.id, ...(name !== undefined && { name }) } };
}

/** `authorizeOperator`, with the refusal shaped like `requireCaller`'s: an empty 401 (`WWW-Authenticate: Bearer`) or a 403 problem. */
export function requireOperator(
  headers: { get(name: string): string | null },
  callers: Config['callers'],
): { ok: true; operator: Operator } | { ok: false; response: HttpResponseInit } {
  const check = authorizeOperator(headers, callers);
  if (check.ok) return check;
  return {
    ok: false,
    response:
      check.status === 401
        ? { status: 401, headers: { 'www-authenticate': 'Bearer', 'cache-control': 'no-store' } }
        : problemResponse(problems.forbidden(), { 'cache-control': 'no-store' }),
  };
}
