import type { HttpResponseInit } from '@azure/functions';
import { createHash } from 'node:crypto';
import type { CallerKey } from '../config/caller-keys';
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
  query?: { get(name: string): string | null };
}

/**
 * The caller an admin-level route sees in keys mode: the host lets only the master key through
 * those routes, so whoever reached one is an operator.
 */
export const MASTER_KEY_CALLER: Caller = { id: 'key:master', source: 'operator', permissions: ['operator'] };

/**
 * Who is calling, and whether it holds the route's permission:
 * - `keys` without CALLER_KEYS: the host checked the function key; every caller is the one shared
 *   caller, which holds every permission;
 * - `keys` with CALLER_KEYS: the key the host checked (`x-functions-key` or `?code=`) names the
 *   caller (401 without a key, 403 for a key no entry names, or without the route's permission);
 *   admin-level routes (the `operator` permission) are the master key's: an operator;
 * - `app-service`: the platform-injected principal (401 without one), its object ID and the
 *   permissions its app roles grant (403 without the route's).
 */
export function authorize(
  request: CallerRequest,
  permission: Permission,
  callers: Config['callers'],
): CallerCheck {
  if (callers.auth === 'keys') {
    if (callers.keys.length === 0) return { ok: true, caller: SHARED_KEY_CALLER };
    if (permission === 'operator') return { ok: true, caller: MASTER_KEY_CALLER };
    return authorizeNamedKey(request, permission, callers.keys);
  }
  const principal = parseClientPrincipal(request.headers.get('x-ms-client-principal'));
  if (!principal) return { ok: false, status: 401 };
  const caller = {
    id: principal.id,
    source: principal.id,
    permissions: permissionsOf(principal.roles, callers),
  };
  return holds(caller, permission) ? { ok: true, caller } : { ok: false, status: 403 };
}

/**
 * The caller a named key (CALLER_KEYS) is, from the key the host checked (`x-functions-key` or
 * `?code=`): 401 without a key, 403 for a key no entry names or without `permission`.
 */
function authorizeNamedKey(
  request: CallerRequest,
  permission: Permission,
  keys: readonly CallerKey[],
): CallerCheck {
  const key = request.headers.get('x-functions-key') ?? request.query?.get('code') ?? null;
  if (!key) return { ok: false, status: 401 };
  const caller = namedKeyCaller(key, keys);
  return caller && holds(caller, permission) ? { ok: true, caller } : { ok: false, status: 403 };
}

/**
 * The caller check of a route that App Service Authentication does not cover (F&O's data events:
 * F&O sends only a key, never a token). In `keys` mode, `authorize`. In `app-service` mode no
 * principal header can be trusted there (the platform neither validates nor strips one on an
 * excluded path), and every caller holds a function key (the baseline of both modes), which the
 * host's `function` level accepts on any route: so only a key CALLER_KEYS names, with
 * `permission`, opens it; any other key (a shop's or the POS's own) is 403, no key 401.
 */
export function authorizeKeyRoute(
  request: CallerRequest,
  permission: Permission,
  callers: Config['callers'],
): CallerCheck {
  return callers.auth === 'keys'
    ? authorize(request, permission, callers)
    : authorizeNamedKey(request, permission, callers.keys);
}

/**
 * The CALLER_KEYS entry of a function key, by the SHA-256 of its value (the setting never holds
 * keys). Comparing digests leaks nothing usable about a key through timing.
 */
export function namedKeyCaller(key: string, keys: readonly CallerKey[]): Caller | undefined {
  const digest = createHash('sha256').update(key, 'utf8').digest('hex');
  const entry = keys.find((k) => k.keySha256 === digest);
  return entry && { id: `key:${entry.name}`, source: entry.name, permissions: entry.roles };
}

/**
 * `authorize`, with the refusal already shaped as the route's answer: 403 problem+json, or a 401 as
 * empty as the platform's own (a missing key, App Service Authentication's missing token), so every
 * 401 of a keyed route is one shape (the OpenAPI document declares it without content).
 */
export function requireCaller(
  request: CallerRequest,
  permission: Permission,
  callers: Config['callers'],
  check: CallerCheck = authorize(request, permission, callers),
): { ok: true; caller: Caller } | { ok: false; response: HttpResponseInit } {
  if (check.ok) return check;
  return {
    ok: false,
    response:
      check.status === 401
        ? { status: 401, headers: { 'www-authenticate': 'Bearer' } }
        : problemResponse(problems.forbidden()),
  };
}
