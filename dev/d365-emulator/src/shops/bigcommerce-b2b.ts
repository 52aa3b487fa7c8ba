import { createHash, timingSafeEqual } from 'node:crypto';
import { RequestContext, sendJson } from '../http';
import type { BigCommerceStore } from './bigcommerce-store';
import { rateHeaders } from './bigcommerce-api';

/**
 * BigCommerce B2B Edition's Server to Server API (`https://api-b2b.bigcommerce.com/api/v3/io`), as far
 * as the sync reads it (issue 32). Sources: bigcommerce/docs `docs/b2b-edition/specs/api-v3/`
 * (developer.bigcommerce.com/b2b-edition/apis/rest-management):
 * - auth: `X-Auth-Token` (a store API account's token) **and** `X-Store-Hash` (company.yaml
 *   securitySchemes: "When using the `X-Auth-Token` header with B2B Edition Server to Server API
 *   requests, the `X-Store-Hash` header is also required"); a missing or wrong one 401
 *   (docs/b2b-edition/about/api-status-codes.mdx); the deprecated `authToken` header is not taken
 *   (its tokens come from B2B Edition's own settings: the emulator has none);
 * - `GET /companies/{companyId}` → `{code: 200, data: {companyId, companyName, companyEmail,
 *   companyPhone, companyStatus, extraFields[{fieldName, fieldValue}], …}, meta: {message}}`, no
 *   address and no users in it (`companyData_RESPONSE`); an unknown company 404 `{code: 404, data: {},
 *   meta: {message: "This resource is not found."}}` (`ERROR_404_Data`);
 * - `GET /addresses?companyId=` → `{code, data: [addressFields_GET], meta: {pagination: {totalCount,
 *   offset, limit}, message}}` (address.yaml); `limit` default 10, below 250;
 * - `GET /users?companyId=&roles=` → the same shape with `userResponse` items (`role` 0 admin, 1 senior
 *   buyer, 2 junior buyer; `roles` filters on it), `limit` default 10, at most 250 (user.yaml);
 * - a `limit` past the maximum 413 ("When the client requests too many objects",
 *   api-status-codes.mdx); 429 "when an OAuth client exceeds the rate limit for API requests to a
 *   store" (same page): these calls share the store's rate window with the V3 API.
 * Error bodies `{code, data: {}, meta: {message}}` as the 404 example; messages best-effort.
 */
export const B2B_API_PATH = /^\/api\/v3\/io\/(companies\/(\d{1,12})|addresses|users)\/?$/;

const sameToken = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

function error(ctx: RequestContext, code: number, message: string, headers: Record<string, string> = {}) {
  sendJson(ctx.res, code, { code, data: {}, meta: { message } }, headers);
}

function list(
  ctx: RequestContext,
  items: Record<string, unknown>[],
  maxLimit: number,
  headers: Record<string, string>,
): void {
  const params = ctx.url.searchParams;
  const limit = Number(params.get('limit') ?? 10) || 10;
  const offset = Math.max(0, Number(params.get('offset') ?? 0) || 0);
  if (limit < 1 || limit > maxLimit) return error(ctx, 413, 'The limit is out of range.', headers);
  sendJson(
    ctx.res,
    200,
    {
      code: 200,
      data: items.slice(offset, offset + limit),
      meta: { pagination: { totalCount: items.length, offset, limit }, message: 'SUCCESS' },
    },
    headers,
  );
}

const byCompany = (ctx: RequestContext) => (item: Record<string, unknown>) => {
  const companyId = ctx.url.searchParams.get('companyId');
  return companyId === null || Number(item.companyId) === Number(companyId);
};

/** The B2B Edition call; the store is the one `X-Store-Hash` names. */
export function handleBigCommerceB2b(
  ctx: RequestContext,
  stores: Map<string, BigCommerceStore>,
  match: RegExpExecArray,
): void {
  const hash = ctx.req.headers['x-store-hash'];
  const store = typeof hash === 'string' ? stores.get(hash) : undefined;
  const token = ctx.req.headers['x-auth-token'];
  if (!store || store.revoked || typeof token !== 'string' || !sameToken(token, store.token))
    return error(ctx, 401, 'Unauthorized');
  store.stats.requests += 1;
  store.stats.b2bRequests += 1;
  const now = Date.now();
  const before = rateHeaders(store, now);
  if (store.used >= store.quota) {
    store.stats.throttled += 1;
    return error(ctx, 429, 'Too Many Requests', before);
  }
  store.used += 1;
  const headers = rateHeaders(store, now);
  if (ctx.method !== 'GET') return error(ctx, 405, 'Method Not Allowed', headers);
  const [, resource = '', companyId] = match;
  if (companyId !== undefined) {
    const company = store.companies.find((c) => Number(c.companyId) === Number(companyId));
    if (!company) return error(ctx, 404, 'This resource is not found.', headers);
    return sendJson(ctx.res, 200, { code: 200, data: company, meta: { message: 'SUCCESS' } }, headers);
  }
  if (resource === 'addresses') return list(ctx, store.companyAddresses.filter(byCompany(ctx)), 249, headers);
  const roles = ctx.url.searchParams.getAll('roles').flatMap((r) => r.split(',').map(Number));
  const users = store.companyUsers
    .filter(byCompany(ctx))
    .filter((u) => roles.length === 0 || roles.includes(Number(u.role)));
  return list(ctx, users, 250, headers);
}
