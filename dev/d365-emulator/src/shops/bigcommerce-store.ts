import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_RETRY_DELAYS_MS, deliver, Delivery } from './shop-webhooks';

/** One emulated BigCommerce store: customers, customer attributes and their values, B2B Edition companies, hooks, rate window. */
export interface BigCommerceAttribute {
  id: number;
  name: string;
  type: 'string' | 'number' | 'date';
  date_created: string;
  date_modified: string;
}

export interface BigCommerceAttributeValue {
  id: number;
  attribute_id: number;
  customer_id: number;
  attribute_value: string;
  date_created: string;
  date_modified: string;
}

export interface BigCommerceHook {
  scope: string;
  destination: string;
  /** Sent back on every callback (the app checks its secret header among them). */
  headers: Record<string, string>;
}

export interface BigCommerceStore {
  hash: string;
  token: string;
  revoked: boolean;
  customers: Record<string, unknown>[];
  /** B2B Edition (issue 32): companies as `GET /companies/{id}` returns them, their addresses, their users. */
  companies: Record<string, unknown>[];
  companyAddresses: Record<string, unknown>[];
  companyUsers: Record<string, unknown>[];
  attributes: BigCommerceAttribute[];
  attributeValues: BigCommerceAttributeValue[];
  hooks: BigCommerceHook[];
  deliveries: Delivery[];
  /** Whether an attribute-value or customer write through the API fires `store/customer/updated`. */
  writesFireUpdate: boolean;
  retryDelaysMs: number[];
  quota: number;
  windowMs: number;
  windowStart: number;
  used: number;
  nextId: number;
  stats: { requests: number; b2bRequests: number; throttled: number; lowestLeft: number };
}

const storeSeedSchema = z
  .object({
    token: z.string().min(1),
    customers: z.array(z.record(z.string(), z.unknown())),
    companies: z.array(z.object({ companyId: z.number().int().positive() }).passthrough()).default([]),
    companyAddresses: z.array(z.object({ companyId: z.number().int().positive() }).passthrough()).default([]),
    companyUsers: z
      .array(
        z.object({ companyId: z.number().int().positive(), role: z.number().int().min(0) }).passthrough(),
      )
      .default([]),
    quota: z.number().int().positive().default(150),
    windowMs: z.number().int().positive().default(30_000),
    attributes: z
      .array(z.object({ name: z.string().min(1).max(255), type: z.enum(['string', 'number', 'date']) }))
      .default([]),
    hooks: z
      .array(
        z.object({
          scope: z.string().regex(/^store\/customer\/(created|updated|deleted|\*)$/),
          destination: z.url(),
          headers: z.record(z.string(), z.string()).default({}),
        }),
      )
      .default([]),
    writesFireUpdate: z.boolean().default(true),
    retryDelaysMs: z.array(z.number().int().min(0).max(600_000)).max(8).default(DEFAULT_RETRY_DELAYS_MS),
  })
  .strict();

export function createStore(hash: string, input: unknown): BigCommerceStore {
  const seed = storeSeedSchema.parse(input);
  const now = new Date().toISOString();
  return {
    hash,
    token: seed.token,
    revoked: false,
    customers: seed.customers,
    companies: seed.companies,
    companyAddresses: seed.companyAddresses,
    companyUsers: seed.companyUsers,
    attributes: seed.attributes.map((a, i) => ({ id: i + 1, ...a, date_created: now, date_modified: now })),
    attributeValues: [],
    hooks: seed.hooks,
    deliveries: [],
    writesFireUpdate: seed.writesFireUpdate,
    retryDelaysMs: seed.retryDelaysMs,
    quota: seed.quota,
    windowMs: seed.windowMs,
    windowStart: Date.now(),
    used: 0,
    nextId: 1000,
    stats: { requests: 0, b2bRequests: 0, throttled: 0, lowestLeft: seed.quota },
  };
}

/**
 * Sends a customer event to the store's hooks of that scope (or `store/customer/*`). BigCommerce's
 * callbacks are thin: `{scope, store_id, data: {type, id}, hash, created_at, producer}`, the hook's own
 * headers come back with each (https://developer.bigcommerce.com/docs/integrations/webhooks,
 * https://developer.bigcommerce.com/docs/integrations/webhooks/events#customers); `hash` is the same
 * on a re-fire of one event.
 */
export function fireCustomerEvent(
  store: BigCommerceStore,
  scope: string,
  customerId: number,
  cause: Delivery['cause'],
): void {
  const createdAt = Math.floor(Date.now() / 1000);
  const data = { type: 'customer', id: customerId };
  const hash = createHash('sha1')
    .update(JSON.stringify({ scope, data, createdAt, n: store.nextId++ }))
    .digest('hex');
  const body = JSON.stringify({
    scope,
    store_id: '1001',
    data,
    hash,
    created_at: createdAt,
    producer: `stores/${store.hash}`,
  });
  for (const hook of store.hooks.filter((h) => h.scope === scope || h.scope === 'store/customer/*')) {
    deliver(
      {
        topic: scope,
        address: hook.destination,
        customerId: String(customerId),
        cause,
        body,
        headers: () => ({ 'content-type': 'application/json', ...hook.headers }),
      },
      store.retryDelaysMs,
      store.deliveries,
    );
  }
}
