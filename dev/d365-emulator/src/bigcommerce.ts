import { timingSafeEqual, createHash } from 'node:crypto';
import { RequestContext, sendJson } from './http';
import type { EmulatorState } from './state';

/**
 * The BigCommerce V3 Customers API, as far as the app calls it: `GET /stores/{store_hash}/v3/customers`
 * with `id:in`, `include=addresses`, `page` and `limit`. Behaviour from BigCommerce's documentation:
 * - the endpoint, its filters and the `{data, meta: {pagination}}` answer:
 *   https://developer.bigcommerce.com/docs/rest-management/customers#get-all-customers (limit default
 *   50, max 250; `addresses` only with `include=addresses`);
 * - authentication with the store API account's token in `X-Auth-Token`; a missing or wrong token is
 *   401: https://developer.bigcommerce.com/docs/start/authentication/api-accounts#x-auth-token-header,
 *   https://developer.bigcommerce.com/docs/start/about/status-codes;
 * - rate limits: every answer carries `X-Rate-Limit-Requests-Left`, `X-Rate-Limit-Requests-Quota`,
 *   `X-Rate-Limit-Time-Reset-Ms` and `X-Rate-Limit-Time-Window-Ms`; past the quota of the window the
 *   answer is 429 and the client waits `X-Rate-Limit-Time-Reset-Ms`:
 *   https://developer.bigcommerce.com/docs/start/best-practices/api-rate-limits.
 * Stores are seeded through the control API (`PUT /_emulator/bigcommerce/stores/{hash}`).
 */
interface Store {
  token: string;
  customers: Record<string, unknown>[];
  quota: number;
  windowMs: number;
  windowStart: number;
  used: number;
  requests: number;
  throttled: number;
}

const stores = new WeakMap<EmulatorState, Map<string, Store>>();
const storesOf = (state: EmulatorState): Map<string, Store> => {
  let map = stores.get(state);
  if (!map) stores.set(state, (map = new Map()));
  return map;
};

const API_PATH = /^\/stores\/([a-z0-9]{1,32})\/v3\/customers\/?$/;
const CONTROL_PATH = /^\/_emulator\/bigcommerce\/stores\/([a-z0-9]{1,32})\/?$/;

export const isBigCommercePath = (pathname: string): boolean =>
  pathname.startsWith('/stores/') || pathname.startsWith('/_emulator/bigcommerce/');

const sameToken = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

function problem(ctx: RequestContext, status: number, title: string, headers: Record<string, string> = {}) {
  sendJson(
    ctx.res,
    status,
    { status, title, type: 'https://developer.bigcommerce.com/docs/start/about/status-codes' },
    headers,
  );
}

function rateHeaders(store: Store, now: number): Record<string, string> {
  if (now - store.windowStart >= store.windowMs) {
    store.windowStart = now;
    store.used = 0;
  }
  return {
    'X-Rate-Limit-Requests-Left': String(Math.max(0, store.quota - store.used)),
    'X-Rate-Limit-Requests-Quota': String(store.quota),
    'X-Rate-Limit-Time-Reset-Ms': String(Math.max(0, store.windowStart + store.windowMs - now)),
    'X-Rate-Limit-Time-Window-Ms': String(store.windowMs),
  };
}

function handleApi(state: EmulatorState, ctx: RequestContext, hash: string): void {
  const store = storesOf(state).get(hash);
  if (!store) return problem(ctx, 404, 'The store does not exist.');
  store.requests += 1;
  const token = ctx.req.headers['x-auth-token'];
  if (typeof token !== 'string' || !sameToken(token, store.token)) return problem(ctx, 401, 'Unauthorized');
  if (ctx.method !== 'GET') return problem(ctx, 405, 'Method Not Allowed');
  const now = Date.now();
  const before = rateHeaders(store, now);
  if (store.used >= store.quota) {
    store.throttled += 1;
    return problem(ctx, 429, 'Too Many Requests', before);
  }
  store.used += 1;
  const params = ctx.url.searchParams;
  const ids = params.get('id:in')?.split(',').map(Number);
  const withAddresses = (params.get('include') ?? '').split(',').includes('addresses');
  const limit = Math.min(250, Math.max(1, Number(params.get('limit') ?? 50) || 50));
  const page = Math.max(1, Number(params.get('page') ?? 1) || 1);
  const matching = store.customers.filter((c) => !ids || ids.includes(Number(c.id)));
  const data = matching.slice((page - 1) * limit, page * limit).map((c) => {
    if (withAddresses) return c;
    const { addresses: _addresses, ...rest } = c;
    return rest;
  });
  const totalPages = Math.max(1, Math.ceil(matching.length / limit));
  const link = (p: number) => `?page=${p}&limit=${limit}`;
  sendJson(
    ctx.res,
    200,
    {
      data,
      meta: {
        pagination: {
          total: matching.length,
          count: data.length,
          per_page: limit,
          current_page: page,
          total_pages: totalPages,
          links: {
            ...(page > 1 && { previous: link(page - 1) }),
            current: link(page),
            ...(page < totalPages && { next: link(page + 1) }),
          },
        },
      },
    },
    rateHeaders(store, now),
  );
}

/** `PUT` seeds a store (`{token, customers, quota?, windowMs?}`); `GET` reports its counters. */
function handleStoreControl(state: EmulatorState, ctx: RequestContext, hash: string): void {
  const map = storesOf(state);
  if (ctx.method === 'GET') {
    const store = map.get(hash);
    if (!store) return problem(ctx, 404, 'No such store.');
    sendJson(ctx.res, 200, {
      requests: store.requests,
      throttled: store.throttled,
      customers: store.customers.length,
    });
    return;
  }
  if (ctx.method !== 'PUT') return problem(ctx, 405, 'Use GET or PUT.');
  const body = JSON.parse(ctx.body.toString('utf8') || '{}') as Partial<Store>;
  if (typeof body.token !== 'string' || !Array.isArray(body.customers)) {
    return problem(ctx, 400, 'Send {token, customers[]}.');
  }
  map.set(hash, {
    token: body.token,
    customers: body.customers,
    quota: body.quota ?? 150,
    windowMs: body.windowMs ?? 30_000,
    windowStart: Date.now(),
    used: 0,
    requests: 0,
    throttled: 0,
  });
  sendJson(ctx.res, 200, { ok: true });
}

export function handleBigCommerce(state: EmulatorState, ctx: RequestContext): void {
  const api = API_PATH.exec(ctx.url.pathname);
  if (api) return handleApi(state, ctx, api[1]!);
  const control = CONTROL_PATH.exec(ctx.url.pathname);
  if (control && ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(ctx.req.socket.remoteAddress ?? '')) {
    return handleStoreControl(state, ctx, control[1]!);
  }
  problem(ctx, 404, 'Not Found');
}
