import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { emulatorVault } from '../../dev/local-stack/emulator-clients';

/** Test webhook sources and their secrets, as an operator would configure them. */
export const SHOP_DOMAIN = 'd365sync-test.myshopify.com';
export const SHOPIFY_SECRET = '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';
export const STANDARD_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
export const BIGCOMMERCE_HOOK_SECRET = 'bc-hook-secret-4f9a1c2e7b5d0e8a3c6f1b9d';
export const BIGCOMMERCE_STORE = 'abc123';

export const WEBHOOK_SOURCES = [
  {
    kind: 'shopify',
    name: 'test-shopify',
    shopDomain: SHOP_DOMAIN,
    secretName: 'webhook-shopify-test',
    legalEntity: 'USRT',
    currency: 'CAD',
    customerGroup: '30',
  },
  { kind: 'standard', name: 'test-standard', secretName: 'webhook-standard-test' },
  {
    kind: 'bigcommerce',
    name: 'test-bigcommerce',
    storeHash: BIGCOMMERCE_STORE,
    secretName: 'webhook-bigcommerce-test',
    apiTokenSecretName: 'bigcommerce-api-token-test',
    legalEntity: 'USRT',
    currency: 'USD',
  },
];

/** The Key Vault of a stack's emulator, through the real SDK (the identity the app reads it with). */
export const vaultOf = emulatorVault;

/** The settings and Key Vault secrets for the test sources. */
export async function plantWebhookSecrets(emulatorUrl: string, bigCommerceToken?: string): Promise<void> {
  const vault = vaultOf(emulatorUrl);
  await vault.setSecret('webhook-shopify-test', SHOPIFY_SECRET);
  await vault.setSecret('webhook-standard-test', STANDARD_SECRET);
  await vault.setSecret('webhook-bigcommerce-test', BIGCOMMERCE_HOOK_SECRET);
  if (bigCommerceToken) await vault.setSecret('bigcommerce-api-token-test', bigCommerceToken);
}

export const fixture = (name: string): Buffer =>
  readFileSync(join(__dirname, '..', 'fixtures', 'webhooks', name));

let shopifyInstant = 0;

/**
 * A Shopify fixture as Shopify would send it now: its signed `updated_at` (the event's time, which
 * replay protection and the age check go by) set to a distinct instant just before `at`, so each
 * call is a new event and never a replay of another test's.
 */
export function freshShopify(name = 'shopify-customers-create.json', at = new Date()): Buffer {
  const updatedAt = new Date(at.getTime() - (shopifyInstant++ % 60_000)).toISOString();
  const text = fixture(name).toString('utf8');
  return Buffer.from(text.replace(/"updated_at": "[^"]*"/, `"updated_at": "${updatedAt}"`));
}

/** Shopify's signature: base64 HMAC-SHA256 of the raw body with the app's client secret. */
export const shopifyHmac = (body: Buffer | string, secret = SHOPIFY_SECRET): string =>
  createHmac('sha256', secret).update(body).digest('base64');

/** The headers Shopify sends with a delivery (https://shopify.dev/docs/apps/build/webhooks/subscribe/https). */
export function shopifyHeaders(
  body: Buffer | string,
  options: { topic?: string; eventId?: string; secret?: string; triggeredAt?: Date; shop?: string } = {},
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-shopify-topic': options.topic ?? 'customers/create',
    'x-shopify-hmac-sha256': shopifyHmac(body, options.secret),
    'x-shopify-shop-domain': options.shop ?? SHOP_DOMAIN,
    'x-shopify-api-version': '2025-07',
    'x-shopify-webhook-id': randomUUID(),
    'x-shopify-event-id': options.eventId ?? randomUUID(),
    'x-shopify-triggered-at': (options.triggeredAt ?? new Date()).toISOString(),
  };
}

/** Standard Webhooks headers, signed by the official `standardwebhooks` package. */
export function standardHeaders(
  body: Buffer | string,
  options: { id?: string; secret?: string; timestamp?: Date } = {},
): Record<string, string> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? new Date();
  const signature = new Webhook(options.secret ?? STANDARD_SECRET).sign(id, timestamp, body);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

/** POSTs bytes exactly as given. */
export async function postRaw(url: string, body: Buffer | string, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as Record<string, unknown> };
}
