import { createHash, createHmac } from 'node:crypto';
import { SHOPIFY_CUSTOMERS_CREATE_EXAMPLE } from '../shared/http/webhooks/examples';
import { customerBody, customerEmail } from './customers';

/**
 * What each sender posts, signed as it signs it, one unique event and customer per `n`: the load
 * generator builds every request with these, so a webhook run costs the generator what a real
 * sender's signing costs, and the app verifies every one.
 */
export type Route = 'customers' | 'shopify' | 'standard' | 'bigcommerce';

/** The secrets and names the bench's webhook sources were configured with. */
export interface WebhookSecrets {
  shopifySecret: string;
  shopDomain: string;
  standardSecret: string;
  standardSource: string;
  bigCommerceSecret: string;
  storeHash: string;
}

export interface SignedRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/**
 * Shopify's documented customers/create payload with this customer's own IDs and e-mail address,
 * updated now (the signed `updated_at` is what the app's age check and replay protection go by).
 */
function shopifyBody(tag: string, n: number): string {
  const id = 7_000_000_000 + n;
  const sample = SHOPIFY_CUSTOMERS_CREATE_EXAMPLE as Record<string, unknown> & {
    default_address: Record<string, unknown>;
  };
  return JSON.stringify({
    ...sample,
    id,
    email: customerEmail(tag, n),
    last_name: `Customer${n}`,
    updated_at: new Date().toISOString(),
    admin_graphql_api_id: `gid://shopify/Customer/${id}`,
    default_address: { ...sample.default_address, customer_id: id },
  });
}

export function signedRequest(route: Route, secrets: WebhookSecrets, tag: string, n: number): SignedRequest {
  switch (route) {
    case 'customers':
      return { path: '/api/customers', body: customerBody(tag, n), headers: JSON_TYPE };
    case 'shopify': {
      const body = shopifyBody(tag, n);
      return {
        path: '/api/webhooks/shopify',
        body,
        headers: {
          ...JSON_TYPE,
          'x-shopify-topic': 'customers/create',
          'x-shopify-hmac-sha256': createHmac('sha256', secrets.shopifySecret).update(body).digest('base64'),
          'x-shopify-shop-domain': secrets.shopDomain,
          'x-shopify-event-id': `${tag}-${n}`,
          'x-shopify-triggered-at': new Date().toISOString(),
        },
      };
    }
    case 'standard': {
      const body = customerBody(tag, n);
      const id = `msg_${tag}_${n}`;
      const timestamp = String(Math.floor(Date.now() / 1000));
      const key = Buffer.from(secrets.standardSecret.replace(/^whsec_/, ''), 'base64');
      const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
      return {
        path: `/api/webhooks/standard?source=${encodeURIComponent(secrets.standardSource)}`,
        body,
        headers: {
          ...JSON_TYPE,
          'webhook-id': id,
          'webhook-timestamp': timestamp,
          'webhook-signature': `v1,${signature}`,
        },
      };
    }
    case 'bigcommerce': {
      const body = JSON.stringify({
        scope: 'store/customer/created',
        store_id: '1025646',
        data: { type: 'customer', id: n + 1 },
        hash: createHash('sha1').update(`${tag}.${n}`).digest('hex'),
        created_at: Math.floor(Date.now() / 1000),
        producer: `stores/${secrets.storeHash}`,
      });
      return {
        path: '/api/webhooks/bigcommerce',
        body,
        headers: { ...JSON_TYPE, 'x-webhook-secret': secrets.bigCommerceSecret },
      };
    }
  }
}
