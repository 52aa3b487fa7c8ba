import { z } from 'zod';
import { parseJson, RequestContext, sendEmpty, sendJson } from '../http';
import { BigCommerceStore, createStore, fireCustomerEvent } from './bigcommerce-store';
import { refill, throttleStatus } from './shopify-cost';
import { addCustomer, createShop, customerControlView, notify, ShopifyShop } from './shopify-store';
import { Delivery, pendingDeliveries } from './shop-webhooks';
import { sendCompliance, UnknownCustomerError } from './shopify-compliance';

/** The emulated shops, by Shopify domain and BigCommerce store hash. */
export interface ShopsState {
  shopify: Map<string, ShopifyShop>;
  bigcommerce: Map<string, BigCommerceStore>;
}

export const createShopsState = (): ShopsState => ({ shopify: new Map(), bigcommerce: new Map() });

/**
 * The shops' control API (loopback only, like the rest of `/_emulator/`):
 * - `PUT /_emulator/shopify/shops/{domain}` seeds a shop (`{plan|bucket, apps: [{token, clientSecret,
 *   scopes, webhooks: [{topic, address, metafieldNamespaces}]}], customers, metafieldWritesFireUpdate,
 *   echoDelayMs, retryDelaysMs}`); `GET` reports it (customers with metafields, definitions, per-app counters and
 *   bucket, webhook deliveries; `?customers=none` leaves the customers out);
 * - `POST …/customers` adds a customer as the merchant would (fires `customers/create`); `PATCH
 *   …/customers/{id}` changes one (fires `customers/update`, cause `merchant`); `DELETE …/customers/{id}`
 *   deletes one; `POST …/revoke` `{token}` uninstalls the app (its token answers 401 from then on);
 *   `POST …/compliance` `{topic, customerId | customer, orders, dataRequestId}` sends a mandatory
 *   compliance webhook (`customers/data_request`, `customers/redact`, `shop/redact`) as Shopify does
 *   (shopify-compliance.ts): `202 {deliveries, body}`; `POST …/faults` `{dropEvents}`: the next so
 *   many webhook events are never delivered (recorded as `dropped`: a delivery Shopify gave up on);
 * - `PUT /_emulator/bigcommerce/stores/{hash}` seeds a store (`{token, customers, companies,
 *   companyAddresses, companyUsers (B2B Edition, bigcommerce-b2b.ts), quota, windowMs, attributes,
 *   hooks: [{scope, destination, headers}], writesFireUpdate, retryDelaysMs}`); `GET` reports it;
 *   `POST …/customers` adds one (fires `store/customer/created`); `GET …/customers/{id}` shows one as
 *   the store holds it (its addresses too); `DELETE …/customers/{id}`; `POST …/revoke` revokes the API
 *   account's token.
 */
const SHOPIFY =
  /^\/_emulator\/shopify\/shops\/([a-z0-9][a-z0-9-]*\.myshopify\.com)(?:\/(customers|revoke|compliance|faults)(?:\/(\d{1,20}))?)?\/?$/;
const BIGCOMMERCE =
  /^\/_emulator\/bigcommerce\/stores\/([a-z0-9]{1,32})(?:\/(customers|revoke)(?:\/(\d{1,12}))?)?\/?$/;

const issues = (error: unknown): string =>
  error instanceof z.ZodError
    ? error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')
    : String(error);

function body(ctx: RequestContext): unknown {
  if (ctx.body.length === 0) return {};
  const parsed = parseJson(ctx.body);
  return parsed.ok ? parsed.value : undefined;
}

const deliveriesView = (deliveries: Delivery[]) => ({
  pending: pendingDeliveries(deliveries),
  value: deliveries.map((d) => ({ ...d })),
});

/** `?customers=none`: the report without its customers (a large shop's counters, polled). */
function shopifyReport(shop: ShopifyShop, withCustomers = true): unknown {
  return {
    domain: shop.domain,
    ...(withCustomers && { customers: [...shop.customers.values()].map(customerControlView) }),
    definitions: shop.definitions,
    apps: [...shop.apps.values()].map((app) => {
      refill(app.bucket);
      return {
        id: app.id,
        revoked: app.revoked,
        ...app.stats,
        throttleStatus: throttleStatus(app.bucket),
        // The app's bulk operations (shopify-bulk.ts): no file contents.
        bulkOperations: app.bulkOperations.map((op) => ({
          id: op.id,
          objectCount: op.objectCount,
          rootObjectCount: op.rootObjectCount,
          fileSize: op.file.length,
          downloads: op.downloads,
          bytesServed: op.bytesServed,
        })),
      };
    }),
    deliveries: deliveriesView(shop.deliveries),
  };
}

function handleShopify(shops: ShopsState, ctx: RequestContext, match: RegExpExecArray): void {
  const [, domain = '', sub, id] = match;
  const shop = shops.shopify.get(domain);
  const input = body(ctx);
  try {
    if (!sub && ctx.method === 'PUT') {
      shops.shopify.set(domain, createShop(domain, input));
      return sendJson(ctx.res, 200, { ok: true });
    }
    if (!shop) return sendJson(ctx.res, 404, { error: 'No such shop.' });
    if (!sub && ctx.method === 'GET')
      return sendJson(ctx.res, 200, shopifyReport(shop, ctx.url.searchParams.get('customers') !== 'none'));
    if (sub === 'revoke' && ctx.method === 'POST') {
      const token = (input as { token?: unknown } | undefined)?.token;
      const app = typeof token === 'string' ? shop.apps.get(token) : undefined;
      if (!app) return sendJson(ctx.res, 404, { error: 'No app with this token.' });
      app.revoked = true;
      return sendEmpty(ctx.res, 204);
    }
    if (sub === 'faults' && !id && ctx.method === 'POST') {
      const fault = z
        .object({ dropEvents: z.number().int().min(0).max(100_000) })
        .strict()
        .parse(input);
      shop.dropEvents = fault.dropEvents;
      return sendJson(ctx.res, 200, { dropEvents: shop.dropEvents });
    }
    if (sub === 'compliance' && !id && ctx.method === 'POST') {
      try {
        return sendJson(ctx.res, 202, sendCompliance(shop, input));
      } catch (error) {
        if (error instanceof UnknownCustomerError) return sendJson(ctx.res, 404, { error: error.message });
        throw error;
      }
    }
    if (sub === 'customers' && !id && ctx.method === 'POST') {
      const customer = addCustomer(shop, input);
      return sendJson(ctx.res, 201, customerControlView(customer));
    }
    const customer = id ? shop.customers.get(id) : undefined;
    if (sub === 'customers' && id && !customer) return sendJson(ctx.res, 404, { error: 'No such customer.' });
    if (customer && ctx.method === 'PATCH') {
      const changes = z
        .object({
          first_name: z.string().nullable(),
          last_name: z.string().nullable(),
          email: z.string().nullable(),
          phone: z.string().nullable(),
          note: z.string().nullable(),
        })
        .partial()
        .strict()
        .parse(input);
      if (changes.first_name !== undefined) customer.firstName = changes.first_name;
      if (changes.last_name !== undefined) customer.lastName = changes.last_name;
      if (changes.email !== undefined) customer.email = changes.email;
      if (changes.phone !== undefined) customer.phone = changes.phone;
      if (changes.note !== undefined) customer.note = changes.note;
      customer.updatedAt = new Date().toISOString();
      notify(shop, 'customers/update', customer, 'merchant');
      return sendJson(ctx.res, 200, customerControlView(customer));
    }
    if (customer && ctx.method === 'DELETE') {
      shop.customers.delete(customer.id);
      notify(shop, 'customers/delete', customer, 'merchant');
      return sendEmpty(ctx.res, 204);
    }
    sendJson(ctx.res, 405, { error: 'Method not allowed here.' });
  } catch (error) {
    sendJson(ctx.res, 400, { error: `Invalid request: ${issues(error)}` });
  }
}

function handleBigCommerce(shops: ShopsState, ctx: RequestContext, match: RegExpExecArray): void {
  const [, hash = '', sub, id] = match;
  const store = shops.bigcommerce.get(hash);
  const input = body(ctx);
  try {
    if (!sub && ctx.method === 'PUT') {
      shops.bigcommerce.set(hash, createStore(hash, input));
      return sendJson(ctx.res, 200, { ok: true });
    }
    if (!store) return sendJson(ctx.res, 404, { error: 'No such store.' });
    if (!sub && ctx.method === 'GET') {
      return sendJson(ctx.res, 200, {
        ...store.stats,
        customers: store.customers.length,
        attributes: store.attributes,
        attributeValues: store.attributeValues,
        deliveries: deliveriesView(store.deliveries),
      });
    }
    if (sub === 'revoke' && ctx.method === 'POST') {
      store.revoked = true;
      return sendEmpty(ctx.res, 204);
    }
    if (sub === 'customers' && !id && ctx.method === 'POST') {
      const customer = z.record(z.string(), z.unknown()).parse(input);
      const created = {
        ...customer,
        id: Math.max(0, ...store.customers.map((c) => Number(c.id))) + 1,
        date_modified: new Date().toISOString(),
      };
      store.customers.push(created);
      fireCustomerEvent(store, 'store/customer/created', created.id, 'merchant');
      return sendJson(ctx.res, 201, created);
    }
    if (sub === 'customers' && id && ctx.method === 'GET') {
      const customer = store.customers.find((c) => Number(c.id) === Number(id));
      if (!customer) return sendJson(ctx.res, 404, { error: 'No such customer.' });
      return sendJson(ctx.res, 200, customer);
    }
    if (sub === 'customers' && id && ctx.method === 'DELETE') {
      const before = store.customers.length;
      store.customers = store.customers.filter((c) => Number(c.id) !== Number(id));
      if (store.customers.length === before) return sendJson(ctx.res, 404, { error: 'No such customer.' });
      fireCustomerEvent(store, 'store/customer/deleted', Number(id), 'merchant');
      return sendEmpty(ctx.res, 204);
    }
    sendJson(ctx.res, 405, { error: 'Method not allowed here.' });
  } catch (error) {
    sendJson(ctx.res, 400, { error: `Invalid request: ${issues(error)}` });
  }
}

/** True when the request was a shops control request (and was answered). */
export function handleShopsControl(shops: ShopsState, ctx: RequestContext): boolean {
  const shopify = SHOPIFY.exec(ctx.url.pathname);
  if (shopify) {
    handleShopify(shops, ctx, shopify);
    return true;
  }
  const bigcommerce = BIGCOMMERCE.exec(ctx.url.pathname);
  if (bigcommerce) {
    handleBigCommerce(shops, ctx, bigcommerce);
    return true;
  }
  return false;
}
