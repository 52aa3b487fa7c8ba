import { createHash, timingSafeEqual } from 'node:crypto';
import { parseJson, RequestContext, sendJson } from '../http';
import { addressesOf, writeAddresses } from './bigcommerce-addresses';
import { BigCommerceStore, fireCustomerEvent } from './bigcommerce-store';

/**
 * The BigCommerce V3 Customers API, as far as the sync calls it (`/stores/{store_hash}/v3/...`).
 * Behaviour and sources (developer.bigcommerce.com):
 * - `GET /v3/customers` with `id:in`, `email:in`, `date_modified:min`, `date_modified:max` (inclusive), `include=addresses,attributes`,
 *   `page`, `limit` (default 50, at most 250); `{data, meta: {pagination}}`
 *   (/docs/rest-management/customers#get-all-customers); `PUT /v3/customers` updates up to 10 customers
 *   by `id` (/docs/rest-management/customers#update-customers);
 * - `GET|POST /v3/customers/attributes`: `name` (1–255) and `type` `string|number|date`; a store holds
 *   at most 50 attributes (/docs/rest-management/customers/attributes);
 * - `GET|PUT /v3/customers/attribute-values`: the PUT upserts by customer and attribute, at most 10
 *   per call, `value` ≤ 255 characters (always a string; a number attribute takes a number, a date one
 *   an ISO date), 422 for invalid data (/docs/rest-management/customers/attribute-values);
 *   `PUT|POST /v3/customers/addresses`: bigcommerce-addresses.ts;
 *   `DELETE /v3/customers/attribute-values?id:in=…` (required, the values' own IDs) removes them, 204
 *   without a body (…/attribute-values#delete-customer-attribute-values); an unknown ID is no error
 *   (best-effort: the reference names none); without `id:in` 422 (best-effort); whether a delete
 *   fires `store/customer/updated` is not documented: the emulator fires none;
 * - `X-Auth-Token` (the store API account's token) or 401; an unknown store 404
 *   (/docs/start/authentication/api-accounts, /docs/start/about/status-codes);
 * - every answer carries `X-Rate-Limit-Requests-Left`, `-Requests-Quota`, `-Time-Reset-Ms`,
 *   `-Time-Window-Ms`; past the window's quota 429 with the same headers
 *   (/docs/start/best-practices/api-rate-limits).
 * Error bodies are `{status, title, type, errors}` (the reference's ErrorResponse); titles best-effort.
 */
export const BIGCOMMERCE_API_PATH =
  /^\/stores\/([a-z0-9]{1,32})\/v3\/customers(\/attributes|\/attribute-values|\/addresses)?\/?$/;
const STATUS_DOCS = 'https://developer.bigcommerce.com/docs/start/about/status-codes';
const MAX_BATCH = 10;
const MAX_ATTRIBUTES = 50;

const sameToken = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

export function problem(
  ctx: RequestContext,
  status: number,
  title: string,
  headers: Record<string, string> = {},
  errors?: Record<string, string>,
): void {
  sendJson(ctx.res, status, { status, title, type: STATUS_DOCS, ...(errors && { errors }) }, headers);
}

export function rateHeaders(store: BigCommerceStore, now: number): Record<string, string> {
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

function page<T>(ctx: RequestContext, items: T[], headers: Record<string, string>): void {
  const params = ctx.url.searchParams;
  const limit = Math.min(250, Math.max(1, Number(params.get('limit') ?? 50) || 50));
  const current = Math.max(1, Number(params.get('page') ?? 1) || 1);
  const data = items.slice((current - 1) * limit, current * limit);
  const totalPages = Math.max(1, Math.ceil(items.length / limit));
  const link = (p: number) => `?page=${p}&limit=${limit}`;
  const pagination = {
    total: items.length,
    count: data.length,
    per_page: limit,
    current_page: current,
    total_pages: totalPages,
    links: {
      ...(current > 1 && { previous: link(current - 1) }),
      current: link(current),
      ...(current < totalPages && { next: link(current + 1) }),
    },
  };
  sendJson(ctx.res, 200, { data, meta: { pagination } }, headers);
}

const listParam = (ctx: RequestContext, name: string): string[] | undefined =>
  ctx.url.searchParams
    .get(name)
    ?.split(',')
    .map((v) => v.trim())
    .filter(Boolean);

function listCustomers(store: BigCommerceStore, ctx: RequestContext, headers: Record<string, string>): void {
  const ids = listParam(ctx, 'id:in')?.map(Number);
  const emails = listParam(ctx, 'email:in')?.map((e) => e.toLowerCase());
  const modifiedMin = ctx.url.searchParams.get('date_modified:min');
  const modifiedMax = ctx.url.searchParams.get('date_modified:max');
  const include = listParam(ctx, 'include') ?? [];
  const matching = store.customers
    .filter((c) => !ids || ids.includes(Number(c.id)))
    .filter((c) => !emails || emails.includes(String(c.email ?? '').toLowerCase()))
    .filter((c) => !modifiedMin || Date.parse(String(c.date_modified ?? 0)) >= Date.parse(modifiedMin))
    .filter((c) => !modifiedMax || Date.parse(String(c.date_modified ?? 0)) <= Date.parse(modifiedMax))
    .map((c) => {
      const { addresses, ...rest } = c;
      return {
        ...rest,
        ...(include.includes('addresses') && {
          addresses: addresses === undefined ? [] : addressesOf(store, c),
        }),
        ...(include.includes('attributes') && {
          attributes: store.attributeValues.filter((v) => v.customer_id === Number(c.id)),
        }),
      };
    });
  page(ctx, matching, headers);
}

export function readArray(
  ctx: RequestContext,
  headers: Record<string, string>,
): Record<string, unknown>[] | undefined {
  const parsed = parseJson(ctx.body);
  if (!parsed.ok || !Array.isArray(parsed.value) || parsed.value.length === 0) {
    problem(ctx, 422, 'JSON data is missing or invalid', headers, { body: 'must be a non-empty array' });
    return undefined;
  }
  if (parsed.value.length > MAX_BATCH && !ctx.url.pathname.endsWith('/attributes')) {
    problem(ctx, 413, `The request holds more than ${MAX_BATCH} items.`, headers);
    return undefined;
  }
  return parsed.value as Record<string, unknown>[];
}

function updateCustomers(
  store: BigCommerceStore,
  ctx: RequestContext,
  headers: Record<string, string>,
): void {
  const items = readArray(ctx, headers);
  if (!items) return;
  const errors: Record<string, string> = {};
  items.forEach((item, i) => {
    if (!store.customers.some((c) => Number(c.id) === Number(item.id)))
      errors[`${i}.id`] = 'customer does not exist';
  });
  if (Object.keys(errors).length > 0)
    return problem(ctx, 422, 'The customers could not be updated.', headers, errors);
  const now = new Date().toISOString();
  const updated = items.map((item) => {
    const customer = store.customers.find((c) => Number(c.id) === Number(item.id))!;
    Object.assign(customer, item, { id: customer.id, date_modified: now });
    if (store.writesFireUpdate)
      fireCustomerEvent(store, 'store/customer/updated', Number(customer.id), 'api');
    return customer;
  });
  sendJson(ctx.res, 200, { data: updated, meta: {} }, headers);
}

function createAttributes(
  store: BigCommerceStore,
  ctx: RequestContext,
  headers: Record<string, string>,
): void {
  const items = readArray(ctx, headers);
  if (!items) return;
  const errors: Record<string, string> = {};
  items.forEach((item, i) => {
    if (typeof item.name !== 'string' || item.name.length < 1 || item.name.length > 255)
      errors[`${i}.name`] = 'name must be 1-255 characters';
    if (!['string', 'number', 'date'].includes(String(item.type)))
      errors[`${i}.type`] = 'type must be one of string, number, date';
    if (store.attributes.some((a) => a.name === item.name))
      errors[`${i}.name`] = 'an attribute with this name exists';
  });
  if (store.attributes.length + items.length > MAX_ATTRIBUTES)
    errors.body = `a store holds at most ${MAX_ATTRIBUTES} attributes`;
  if (Object.keys(errors).length > 0)
    return problem(ctx, 422, 'The attributes were not valid.', headers, errors);
  const now = new Date().toISOString();
  const created = items.map((item) => {
    const attribute = {
      id: Math.max(0, ...store.attributes.map((a) => a.id)) + 1,
      name: String(item.name),
      type: item.type as 'string' | 'number' | 'date',
      date_created: now,
      date_modified: now,
    };
    store.attributes.push(attribute);
    return attribute;
  });
  sendJson(ctx.res, 200, { data: created, meta: {} }, headers);
}

function valueError(store: BigCommerceStore, item: Record<string, unknown>): string | undefined {
  const attribute = store.attributes.find((a) => a.id === Number(item.attribute_id));
  if (!attribute) return 'attribute_id does not exist';
  if (!store.customers.some((c) => Number(c.id) === Number(item.customer_id)))
    return 'customer_id does not exist';
  if (typeof item.value !== 'string' || item.value.length > 255)
    return 'value must be a string of at most 255 characters';
  if (attribute.type === 'number' && !/^-?\d+(\.\d+)?$/.test(item.value)) return 'value must be a number';
  if (attribute.type === 'date' && Number.isNaN(Date.parse(item.value))) return 'value must be a date';
  return undefined;
}

function upsertValues(store: BigCommerceStore, ctx: RequestContext, headers: Record<string, string>): void {
  const items = readArray(ctx, headers);
  if (!items) return;
  const errors: Record<string, string> = {};
  items.forEach((item, i) => {
    const error = valueError(store, item);
    if (error) errors[String(i)] = error;
  });
  if (Object.keys(errors).length > 0)
    return problem(ctx, 422, 'The customer attribute values were not valid.', headers, errors);
  const now = new Date().toISOString();
  const changed = new Set<number>();
  const data = items.map((item) => {
    const customerId = Number(item.customer_id);
    const attributeId = Number(item.attribute_id);
    let value = store.attributeValues.find(
      (v) => v.customer_id === customerId && v.attribute_id === attributeId,
    );
    if (!value) {
      value = {
        id: store.nextId++,
        attribute_id: attributeId,
        customer_id: customerId,
        attribute_value: '',
        date_created: now,
        date_modified: now,
      };
      store.attributeValues.push(value);
    }
    if (value.attribute_value !== item.value || value.date_created === now) changed.add(customerId);
    value.attribute_value = String(item.value);
    value.date_modified = now;
    return value;
  });
  if (store.writesFireUpdate)
    for (const id of changed) fireCustomerEvent(store, 'store/customer/updated', id, 'api');
  sendJson(ctx.res, 200, { data, meta: {} }, headers);
}

function deleteValues(store: BigCommerceStore, ctx: RequestContext, headers: Record<string, string>): void {
  const ids = listParam(ctx, 'id:in')?.map(Number);
  if (!ids || ids.length === 0 || ids.some((id) => !Number.isInteger(id)))
    return problem(ctx, 422, 'The id:in filter is required.', headers, { 'id:in': 'required: value IDs' });
  store.attributeValues = store.attributeValues.filter((v) => !ids.includes(v.id));
  ctx.res.writeHead(204, headers).end();
}

export function handleBigCommerceApi(
  ctx: RequestContext,
  store: BigCommerceStore | undefined,
  resource: string,
): void {
  if (!store) return problem(ctx, 404, 'The store does not exist.');
  store.stats.requests += 1;
  const token = ctx.req.headers['x-auth-token'];
  if (store.revoked || typeof token !== 'string' || !sameToken(token, store.token))
    return problem(ctx, 401, 'Unauthorized');
  const now = Date.now();
  const before = rateHeaders(store, now);
  if (store.used >= store.quota) {
    store.stats.throttled += 1;
    return problem(ctx, 429, 'Too Many Requests', before);
  }
  store.used += 1;
  store.stats.lowestLeft = Math.min(store.stats.lowestLeft, store.quota - store.used);
  const headers = rateHeaders(store, now);
  const route = `${ctx.method} ${resource}`;
  switch (route) {
    case 'GET ':
      return listCustomers(store, ctx, headers);
    case 'PUT ':
      return updateCustomers(store, ctx, headers);
    case 'GET /attributes': {
      const name = ctx.url.searchParams.get('name');
      return page(
        ctx,
        store.attributes.filter((a) => !name || a.name === name),
        headers,
      );
    }
    case 'POST /attributes':
      return createAttributes(store, ctx, headers);
    case 'GET /attribute-values': {
      const customers = listParam(ctx, 'customer_id:in')?.map(Number);
      const attributes = listParam(ctx, 'attribute_id:in')?.map(Number);
      return page(
        ctx,
        store.attributeValues.filter(
          (v) =>
            (!customers || customers.includes(v.customer_id)) &&
            (!attributes || attributes.includes(v.attribute_id)),
        ),
        headers,
      );
    }
    case 'PUT /attribute-values':
      return upsertValues(store, ctx, headers);
    case 'PUT /addresses':
      return writeAddresses(store, ctx, headers, false);
    case 'POST /addresses':
      return writeAddresses(store, ctx, headers, true);
    case 'DELETE /attribute-values':
      return deleteValues(store, ctx, headers);
    default:
      return problem(ctx, 405, 'Method Not Allowed', headers);
  }
}
