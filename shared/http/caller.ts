import type { HttpResponseInit } from '@azure/functions';
import { Config } from '../config/config';
import { problemResponse, problems } from './problem';

/** Who is calling, and the app roles the platform says it holds. */
export interface Caller {
  /** A stable ID (Entra object ID of the user or service principal); 'anonymous' with function keys. */
  id: string;
  roles: readonly string[];
}

export type Permission = 'create' | 'read' | 'operator';

const OBJECT_ID_CLAIMS = ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'];

interface ClientPrincipal {
  auth_typ?: string;
  role_typ?: string;
  claims?: { typ?: unknown; val?: unknown }[];
}

/**
 * Reads `X-MS-CLIENT-PRINCIPAL`, which App Service Authentication injects after validating the
 * caller's Entra ID token (and strips from incoming requests). Only trusted when CALLER_AUTH says
 * the platform injects it.
 */
export function parseClientPrincipal(header: string | null): Caller | undefined {
  if (!header || header.length > 16_384) return undefined;
  let principal: ClientPrincipal;
  try {
    principal = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as ClientPrincipal;
  } catch {
    return undefined;
  }
  const claims = Array.isArray(principal.claims) ? principal.claims : [];
  const value = (types: string[]): string[] =>
    claims
      .filter((c) => types.includes(String(c.typ)) && typeof c.val === 'string')
      .map((c) => c.val as string);
  const [id] = value(OBJECT_ID_CLAIMS);
  if (!id) return undefined;
  const roleType = typeof principal.role_typ === 'string' ? principal.role_typ : 'roles';
  return { id, roles: value([roleType, 'roles']) };
}

export type CallerCheck = { ok: true; caller: Caller } | { ok: false; status: 401 | 403 };

/**
 * Who may do what. With function keys (the host checked the key) every caller is 'anonymous' and
 * holds every permission; with App Service Authentication the principal must hold the route's role.
 */
export function authorize(
  headers: { get(name: string): string | null },
  permission: Permission,
  callers: Config['callers'],
): CallerCheck {
  if (callers.auth === 'keys') return { ok: true, caller: { id: 'anonymous', roles: [] } };
  const caller = parseClientPrincipal(headers.get('x-ms-client-principal'));
  if (!caller) return { ok: false, status: 401 };
  const needed = callers.roles[permission];
  const allowed = caller.roles.includes(needed) || caller.roles.includes(callers.roles.operator);
  return allowed ? { ok: true, caller } : { ok: false, status: 403 };
}

/**
 * `authorize`, with the refusal already shaped as the route's answer: 403 problem+json, or a 401 as
 * empty as the platform's own (a missing key, App Service Authentication's missing token), so every
 * 401 of a keyed route is one shape (the OpenAPI document declares it without content).
 */
export function requireCaller(
  headers: { get(name: string): string | null },
  permission: Permission,
  callers: Config['callers'],
): { ok: true; caller: Caller } | { ok: false; response: HttpResponseInit } {
  const check = authorize(headers, permission, callers);
  if (check.ok) return check;
  return {
    ok: false,
    response:
      check.status === 401
        ? { status: 401, headers: { 'www-authenticate': 'Bearer' } }
        : problemResponse(problems.forbidden()),
  };
}

/**
 * Whether a caller may see (or replay) a request: its own, or any when it is an operator or
 * callers are not told apart. Others get 404, not 403, so an ID's existence is not confirmed.
 */
export function mayAccess(caller: Caller, owner: string | undefined, callers: Config['callers']): boolean {
  if (callers.auth === 'keys') return true;
  return caller.roles.includes(callers.roles.operator) || (owner ?? 'anonymous') === caller.id;
}
