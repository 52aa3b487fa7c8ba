import type { HttpResponseInit } from '@azure/functions';
import { Config } from '../config/config';
import { Caller, holds, Permission, PERMISSIONS, SHARED_KEY_CALLER } from '../domain/ownership';
import { problemResponse, problems } from './problem';

export type { Caller, Permission } from '../domain/ownership';

/** An Entra principal as App Service Authentication describes it: its object ID and app roles. */
export interface ClientPrincipal {
  id: string;
  roles: readonly string[];
}

const OBJECT_ID_CLAIMS = ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'];

interface PrincipalHeader {
  auth_typ?: string;
  role_typ?: string;
  claims?: { typ?: unknown; val?: unknown }[];
}

/**
 * Reads `X-MS-CLIENT-PRINCIPAL`, which App Service Authentication injects after validating the
 * caller's Entra ID token (and strips from incoming requests). Only trusted when CALLER_AUTH says
 * the platform injects it.
 */
export function parseClientPrincipal(header: string | null): ClientPrincipal | undefined {
  if (!header || header.length > 16_384) return undefined;
  let principal: PrincipalHeader;
  try {
    principal = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as PrincipalHeader;
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

/** The policy's permissions an Entra principal holds, through the app roles CALLER_ROLE_* name. */
export function permissionsOf(roles: readonly string[], callers: Config['callers']): Permission[] {
  return PERMISSIONS.filter((permission) => roles.includes(callers.roles[permission]));
}

export type CallerCheck = { ok: true; caller: Caller } | { ok: false; status: 401 | 403 };

/** What the caller check reads of a request. */
export interface CallerRequest {
  headers: { get(name: string): string | null };
}

/**
 * Who is calling, and whether it holds the route's permission:
 * - `keys`: the host checked the function key; every caller is the one shared caller, which holds
 *   every permission;
 * - `app-service`: the platform-injected principal (401 without one), its object ID and the
 *   permissions its app roles grant (403 without the route's).
 */
export function authorize(
  request: CallerRequest,
  permission: Permission,
  callers: Config['callers'],
): CallerCheck {
  if (callers.auth === 'keys') return { ok: true, caller: SHARED_KEY_CALLER };
  const principal = parseClientPrincipal(request.headers.get('x-ms-client-principal'));
  if (!principal) return { ok: false, status: 401 };
  const caller: Caller = {
    id: principal.id,
    source: principal.id,
    permissions: permissionsOf(principal.roles, callers),
  };
  return holds(caller, permission) ? { ok: true, caller } : { ok: false, status: 403 };
}

/** `authorize`, with the refusal already shaped as the route's problem+json answer (401 or 403). */
export function requireCaller(
  request: CallerRequest,
  permission: Permission,
  callers: Config['callers'],
): { ok: true; caller: Caller } | { ok: false; response: HttpResponseInit } {
  const check = authorize(request, permission, callers);
  if (check.ok) return check;
  return {
    ok: false,
    response: problemResponse(check.status === 401 ? problems.unauthenticated() : problems.forbidden()),
  };
}
