import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { deliver } from './shop-webhooks';
import { ShopifyShop, signWebhook } from './shopify-store';

/**
 * Shopify's mandatory compliance webhooks, sent as Shopify sends them
 * (https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance): `customers/data_request`
 * (a customer asked the merchant for their data), `customers/redact` (the merchant asked for a
 * customer's erasure; Shopify sends it 10 days later, or 6 months after the customer's last order)
 * and `shop/redact` (48 hours after the app was uninstalled). A POST with a JSON body signed like
 * every Shopify webhook (X-Shopify-Hmac-Sha256 with the app's client secret) and the usual headers.
 * An app declares them in its configuration (`compliance_topics` in shopify.app.toml), not through
 * the webhook API: here, an app of the seed lists them among its `webhooks` topics.
 *
 * The payloads are the page's examples with this shop's values. IDs are JSON numbers written with
 * every digit (Shopify's exceed 2^53), so the text is assembled, not `JSON.stringify`'d from numbers.
 */
export const COMPLIANCE_TOPICS = ['customers/data_request', 'customers/redact', 'shop/redact'] as const;
export type ComplianceTopic = (typeof COMPLIANCE_TOPICS)[number];

const numericId = z.string().regex(/^\d{1,20}$/, 'must be a numeric ID');

export const complianceRequestSchema = z
  .object({
    topic: z.enum(COMPLIANCE_TOPICS),
    /** The shop's customer (`customers/…`): one of the shop's customers by ID ... */
    customerId: numericId.optional(),
    /** ... or as Shopify still knows it after the customer was deleted (`id`, `email`, `phone`). */
    customer: z
      .object({
        id: numericId,
        email: z.string().nullable().default(null),
        phone: z.string().nullable().default(null),
      })
      .strict()
      .optional(),
    /** `orders_to_redact` / `orders_requested`: the customer's order IDs (none by default). */
    orders: z.array(numericId).max(100).default([]),
    /** `customers/data_request`: the request's ID in Shopify (`data_request.id`). */
    dataRequestId: numericId.optional(),
  })
  .strict()
  .refine((r) => r.topic === 'shop/redact' || r.customerId !== undefined || r.customer !== undefined, {
    message: 'customers/redact and customers/data_request name a customer (customerId or customer)',
    path: ['customerId'],
  });
export type ComplianceRequest = z.input<typeof complianceRequestSchema>;

/** A stable numeric shop ID for the payloads' `shop_id` (Shopify's is the shop's own; ours derives from the domain). */
export function shopIdOf(domain: string): string {
  return String(createHash('sha256').update(domain).digest().readUInt32BE(0) + 1);
}

const list = (ids: readonly string[]): string => `[${ids.join(',')}]`;

/** The payload text of one compliance webhook (the documented fields, in the documented order). */
export function compliancePayload(
  shop: ShopifyShop,
  request: z.output<typeof complianceRequestSchema>,
): string {
  const head = `"shop_id":${shopIdOf(shop.domain)},"shop_domain":${JSON.stringify(shop.domain)}`;
  if (request.topic === 'shop/redact') return `{${head}}`;
  const known = request.customerId !== undefined ? shop.customers.get(request.customerId) : undefined;
  if (request.customerId !== undefined && !known) throw new UnknownCustomerError(request.customerId);
  const who = known ?? request.customer!;
  const customer = `{"id":${who.id},"email":${JSON.stringify(who.email)},"phone":${JSON.stringify(who.phone)}}`;
  if (request.topic === 'customers/redact')
    return `{${head},"customer":${customer},"orders_to_redact":${list(request.orders)}}`;
  const dataRequest = request.dataRequestId ?? String(Date.now() % 1_000_000_000);
  return `{${head},"orders_requested":${list(request.orders)},"customer":${customer},"data_request":{"id":${dataRequest}}}`;
}

export class UnknownCustomerError extends Error {
  constructor(readonly customerId: string) {
    super(`No customer ${customerId} in this shop (name a deleted one with "customer").`);
    this.name = 'UnknownCustomerError';
  }
}

/**
 * Sends a compliance webhook to every installed (not revoked) app that declared its topic, signed
 * with that app's client secret, retried as other deliveries; `shop/redact` also goes to an app
 * that was uninstalled (revoked): that is when Shopify sends it. Returns the body and how many
 * deliveries started.
 */
export function sendCompliance(shop: ShopifyShop, input: unknown): { body: string; deliveries: number } {
  const request = complianceRequestSchema.parse(input);
  const body = compliancePayload(shop, request);
  const eventId = randomUUID();
  const triggeredAt = new Date().toISOString();
  let deliveries = 0;
  for (const app of shop.apps.values()) {
    if (app.revoked && request.topic !== 'shop/redact') continue;
    for (const subscription of app.webhooks.filter((s) => s.topic === request.topic)) {
      deliveries += 1;
      deliver(
        {
          topic: request.topic,
          address: subscription.address,
          customerId: request.customerId ?? request.customer?.id ?? '',
          cause: 'merchant',
          body,
          headers: () => ({
            'content-type': 'application/json',
            'x-shopify-topic': request.topic,
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
  return { body, deliveries };
}
