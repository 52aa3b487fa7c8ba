import { createHash, createHmac, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createBucket, LeakyBucket, SHOPIFY_PLANS } from './shopify-cost';
import { DEFAULT_RETRY_DELAYS_MS, deliver, Delivery } from './shop-webhooks';
import type { BulkOperationRecord } from './shopify-bulk';

/** One emulated Shopify shop: its customers (with metafields), metafield definitions and installed apps. */
export interface ShopifyMetafield {
  id: string;
  namespace: string;
  key: string;
  value: string;
  type: string;
  createdAt: string;
  updatedAt: string;
}

export interface ShopifyCustomer {
  /** Numeric ID as text: Shopify's IDs exceed 2^53 (so do the emulator's). */
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  verifiedEmail: boolean;
  state: 'DECLINED' | 'DISABLED' | 'ENABLED' | 'INVITED';
  note: string | null;
  tags: string[];
  /** REST-shaped addresses, sent as they are in webhook payloads. */
  addresses: Record<string, unknown>[];
  createdAt: string;
  updatedAt: string;
  metafields: Map<string, ShopifyMetafield>;
}

export interface MetafieldDefinition {
  id: string;
  name: string;
  namespace: string;
  key: string;
  type: string;
  ownerType: string;
  description: string | null;
  uniqueValues: boolean;
}

export interface WebhookSubscription {
  topic: string;
  address: string;
  /** Metafields of these namespaces ride in the payload (WebhookSubscriptionInput.metafieldNamespaces). */
  metafieldNamespaces: string[];
}

export interface ShopifyApp {
  /** The app's numeric ID (its reserved metafield namespace is `app--<id>`). */
  id: string;
  token: string;
  /** The app's client secret: Shopify signs the app's webhooks with it. */
  clientSecret: string;
  scopes: Set<string>;
  revoked: boolean;
  bucket: LeakyBucket;
  webhooks: WebhookSubscription[];
  stats: {
    requests: number;
    throttled: number;
    pointsSpent: number;
    lowestAvailable: number;
    /** `customers` list pages answered (outside bulk operations): a backfill's page reads. */
    customerPages: number;
    /** Of those, pages answered before (same `after`, `first`, `query`, sort): a page read again. */
    customerPagesRepeated: number;
  };
  /** The `customers` pages answered, by `after|first|query|sortKey|reverse` (repeats are counted). */
  customerPagesServed: Set<string>;
  /** The app's bulk operations on this shop, oldest first (shopify-bulk.ts). */
  bulkOperations: BulkOperationRecord[];
}

export interface ShopifyShop {
  domain: string;
  customers: Map<string, ShopifyCustomer>;
  definitions: MetafieldDefinition[];
  apps: Map<string, ShopifyApp>;
  deliveries: Delivery[];
  /** Whether a metafield write through the API fires `customers/update` (the documented echo). */
  metafieldWritesFireUpdate: boolean;
  /**
   * How long the shop takes to send the webhook an Admin API write fired. Shopify queues webhooks and
   * promises neither timing nor order ("Webhooks … might be delivered out of order", "might receive
   * the same webhook more than once": https://shopify.dev/docs/apps/build/webhooks/best-practices),
   * so the echo may reach the app before or after the app recorded its write; tests choose.
   */
  echoDelayMs: number;
  retryDelaysMs: number[];
  /**
   * A fault (`POST …/faults`): the next this many events are never delivered to any subscriber,
   * as a delivery Shopify gave up on after its retries, or one of a subscription it deleted after
   * repeated failures (https://shopify.dev/docs/apps/build/webhooks/best-practices: apps must
   * reconcile). Recorded in `deliveries` as `dropped`.
   */
  dropEvents: number;
  nextId: bigint;
  /** How long an emulated bulk query runs before it is COMPLETED (shopify-bulk.ts). */
  bulkRunMs: number;
  /** How long a completed bulk operation's `url` works (Shopify: seven days; tests shorten it). */
  bulkUrlTtlMs?: number;
}

const shopSeedSchema = z
  .object({
    plan: z.enum(['standard', 'advanced', 'plus', 'enterprise']).default('standard'),
    bucket: z
      .object({
        maximumAvailable: z.number().positive(),
        restoreRate: z.number().positive(),
        /** What is left at the start (another client of the app spent the rest): a throttled shop. */
        currentlyAvailable: z.number().min(0).optional(),
      })
      .optional(),
    apps: z
      .array(
        z.object({
          token: z.string().min(8),
          clientSecret: z.string().min(8),
          scopes: z.array(z.string()).default(['read_customers', 'write_customers']),
          webhooks: z
            .array(
              z.object({
                // The compliance topics are declared in the app's configuration (shopify-compliance.ts).
                topic: z.enum([
                  'customers/create',
                  'customers/update',
                  'customers/delete',
                  'customers/data_request',
                  'customers/redact',
                  'shop/redact',
                ]),
                address: z.url(),
                metafieldNamespaces: z.array(z.string()).default([]),
              }),
            )
            .default([]),
        }),
      )
      .min(1),
    customers: z.array(z.record(z.string(), z.unknown())).default([]),
    metafieldWritesFireUpdate: z.boolean().default(true),
    echoDelayMs: z.number().int().min(0).max(60_000).default(0),
    retryDelaysMs: z.array(z.number().int().min(0).max(600_000)).max(8).default(DEFAULT_RETRY_DELAYS_MS),
    bulkRunMs: z.number().int().min(0).max(600_000).default(300),
    bulkUrlTtlMs: z.number().int().min(1).optional(),
  })
  .strict();
export type ShopSeed = z.input<typeof shopSeedSchema>;

export const customerSeedSchema = z
  .object({
    first_name: z.string().nullable().optional(),
    last_name: z.string().nullable().optional(),
    email: z.string().nullable().optional(),
    phone: z.string().nullable().optional(),
    verified_email: z.boolean().default(true),
    note: z.string().nullable().optional(),
    tags: z.array(z.string()).default([]),
    addresses: z.array(z.record(z.string(), z.unknown())).default([]),
  })
  .strip();

export const gid = (type: string, id: string): string => `gid://shopify/${type}/${id}`;
export const digestOf = (mf: ShopifyMetafield): string =>
  createHash('sha256').update(`${mf.type}\u0000${mf.value}`).digest('hex');

/** Creates (or replaces) a shop from a control-API seed; throws the zod error for a bad one. */
export function createShop(domain: string, input: unknown): ShopifyShop {
  const seed = shopSeedSchema.parse(input);
  const limits = seed.bucket ?? SHOPIFY_PLANS[seed.plan];
  const startsWith = seed.bucket?.currentlyAvailable ?? limits.maximumAvailable;
  const shop: ShopifyShop = {
    domain,
    customers: new Map(),
    definitions: [],
    apps: new Map(),
    deliveries: [],
    metafieldWritesFireUpdate: seed.metafieldWritesFireUpdate,
    echoDelayMs: seed.echoDelayMs,
    retryDelaysMs: seed.retryDelaysMs,
    dropEvents: 0,
    nextId: 7_300_000_000_000_000_001n,
    bulkRunMs: seed.bulkRunMs,
    ...(seed.bulkUrlTtlMs !== undefined && { bulkUrlTtlMs: seed.bulkUrlTtlMs }),
  };
  seed.apps.forEach((app, index) =>
    shop.apps.set(app.token, {
      id: String(100_000 + index),
      token: app.token,
      clientSecret: app.clientSecret,
      scopes: new Set(app.scopes),
      revoked: false,
      bucket: { ...createBucket(limits.maximumAvailable, limits.restoreRate), available: startsWith },
      webhooks: app.webhooks,
      stats: {
        requests: 0,
        throttled: 0,
        pointsSpent: 0,
        lowestAvailable: limits.maximumAvailable,
        customerPages: 0,
        customerPagesRepeated: 0,
      },
      customerPagesServed: new Set(),
      bulkOperations: [],
    }),
  );
  for (const customer of seed.customers) addCustomer(shop, customer, { notify: false });
  return shop;
}

export function nextId(shop: ShopifyShop): string {
  const id = shop.nextId;
  shop.nextId += 1n;
  return id.toString();
}

/** Adds a customer (the merchant, or a shopper signing up); `customers/create` goes to subscribers. */
export function addCustomer(
  shop: ShopifyShop,
  input: unknown,
  options: { notify: boolean } = { notify: true },
): ShopifyCustomer {
  const seed = customerSeedSchema.parse(input);
  const now = new Date().toISOString();
  const customer: ShopifyCustomer = {
    id: nextId(shop),
    firstName: seed.first_name ?? null,
    lastName: seed.last_name ?? null,
    email: seed.email ?? null,
    phone: seed.phone ?? null,
    verifiedEmail: seed.verified_email,
    state: 'DISABLED',
    note: seed.note ?? null,
    tags: seed.tags,
    addresses: seed.addresses,
    createdAt: now,
    updatedAt: now,
    metafields: new Map(),
  };
  shop.customers.set(customer.id, customer);
  if (options.notify) notify(shop, 'customers/create', customer, 'merchant');
  return customer;
}

/**
 * The customer as webhooks carry it: the REST representation
 * (https://shopify.dev/docs/api/admin-rest/latest/resources/customer; the `customers/create` example
 * in https://shopify.dev/docs/api/webhooks?reference=toml), with `metafields` of the subscription's
 * namespaces.
 */
export function restCustomer(
  customer: ShopifyCustomer,
  namespaces: readonly string[] = [],
): Record<string, unknown> {
  const addresses = customer.addresses.map((address, index) => ({
    id: Number(customer.id.slice(-6)) * 10 + index,
    customer_id: Number(customer.id),
    default: index === 0,
    ...address,
  }));
  const metafields = [...customer.metafields.values()]
    .filter((mf) => namespaces.includes(mf.namespace))
    .map((mf) => ({
      id: Number(mf.id),
      namespace: mf.namespace,
      key: mf.key,
      value: mf.value,
      type: mf.type,
      owner_id: Number(customer.id),
      owner_resource: 'customer',
      admin_graphql_api_id: gid('Metafield', mf.id),
      created_at: mf.createdAt,
      updated_at: mf.updatedAt,
    }));
  return {
    // A JSON number as Shopify sends it (> 2^53: parsers round it; admin_graphql_api_id stays exact).
    id: Number(customer.id),
    email: customer.email,
    created_at: customer.createdAt,
    updated_at: customer.updatedAt,
    first_name: customer.firstName,
    last_name: customer.lastName,
    state: customer.state.toLowerCase(),
    note: customer.note,
    verified_email: customer.verifiedEmail,
    multipass_identifier: null,
    tax_exempt: false,
    tags: customer.tags.join(', '),
    currency: 'USD',
    phone: customer.phone,
    addresses,
    tax_exemptions: [],
    admin_graphql_api_id: gid('Customer', customer.id),
    default_address: addresses[0] ?? null,
    ...(namespaces.length > 0 && { metafields }),
  };
}

/** Signs with the app's client secret: base64 HMAC-SHA256 of the raw body (X-Shopify-Hmac-Sha256). */
export const signWebhook = (body: string, secret: string): string =>
  createHmac('sha256', secret).update(body).digest('base64');

/**
 * Sends `topic` about `customer` to every app subscribed to it, with Shopify's headers
 * (https://shopify.dev/docs/apps/build/webhooks/subscribe/https: Topic, Hmac-Sha256, Shop-Domain,
 * API-Version, Webhook-Id, Event-Id (the same on retries), Triggered-At).
 */
export function notify(
  shop: ShopifyShop,
  topic: string,
  customer: ShopifyCustomer,
  cause: Delivery['cause'],
): void {
  const eventId = randomUUID();
  const triggeredAt = new Date().toISOString();
  const dropped = shop.dropEvents > 0;
  if (dropped) shop.dropEvents -= 1;
  for (const app of shop.apps.values()) {
    if (app.revoked) continue;
    if (dropped) {
      for (const subscription of app.webhooks.filter((s) => s.topic === topic))
        shop.deliveries.push(droppedDelivery(topic, subscription.address, customer.id, cause, triggeredAt));
      continue;
    }
    for (const subscription of app.webhooks.filter((s) => s.topic === topic)) {
      const body = JSON.stringify(restCustomer(customer, subscription.metafieldNamespaces));
      deliver(
        {
          topic,
          address: subscription.address,
          customerId: customer.id,
          cause,
          body,
          ...(cause === 'api' && { delayMs: shop.echoDelayMs }),
          headers: () => ({
            'content-type': 'application/json',
            'x-shopify-topic': topic,
            'x-shopify-hmac-sha256': signWebhook(body, app.clientSecret),
            'x-shopify-shop-domain': shop.domain,
            'x-shopify-api-version': '2026-10',
            'x-shopify-webhook-id': randomUUID(),
            'x-shopify-event-id': eventId,
            'x-shopify-triggered-at': triggeredAt,
          }),
        },
        shop.retryDelaysMs,
        shop.deliveries,
      );
    }
  }
}

/** A delivery the shop never made (the `dropEvents` fault): settled, not delivered, no attempt. */
const droppedDelivery = (
  topic: string,
  address: string,
  customerId: string,
  cause: Delivery['cause'],
  createdAt: string,
): Delivery => ({
  id: randomUUID(),
  topic,
  address,
  customerId,
  cause,
  attempts: 0,
  lastResult: 'dropped',
  delivered: false,
  settled: true,
  createdAt,
});

/** The control API's view of a customer (everything, metafields included). */
export function customerControlView(customer: ShopifyCustomer): Record<string, unknown> {
  return {
    ...restCustomer(customer),
    id: customer.id,
    metafields: [...customer.metafields.values()].map((mf) => ({ ...mf, compareDigest: digestOf(mf) })),
  };
}
