import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { appRoot } from './app-root';
import { localStackDir, readState, SeededSource } from './stack-state';

/**
 * `npm run webhook -- shopify|bigcommerce|standard [--topic <topic>] [--file <payload.json>]`: sends
 * one delivery to the local stack's webhook route, signed as the sender signs it with the secret
 * `npm start` put in the emulator's Key Vault, from the fixture in test/fixtures/webhooks (or
 * `--file`), and prints the answer as `curl -i` does. Each run is a new event (a new Shopify event
 * ID, webhook-id or BigCommerce hash), as the senders make one per change. Shopify's `--topic`
 * `customers/redact`, `customers/data_request` or `shop/redact` sends Shopify's documented
 * compliance payload for the stack's shop (docs/privacy.md).
 */
const FIXTURES = {
  shopify: 'shopify-customers-create.json',
  bigcommerce: 'bigcommerce-store-customer-created.json',
  standard: 'standard-customer-created.json',
} as const;
type Kind = keyof typeof FIXTURES;

/** Shopify's mandatory compliance topics and their documented payloads (test/fixtures/webhooks/README.md). */
const COMPLIANCE_FIXTURES: Record<string, string> = {
  'customers/redact': 'shopify-customers-redact.json',
  'customers/data_request': 'shopify-customers-data-request.json',
  'shop/redact': 'shopify-shop-redact.json',
};
/** The shop the compliance fixtures name; replaced by the stack's shop. */
const FIXTURE_SHOP = 'd365sync-test.myshopify.com';

/** The request a sender makes: the route (under /api), the headers and the exact bytes signed. */
export function signedDelivery(
  kind: Kind,
  source: SeededSource,
  payload: string,
  now = new Date(),
  topic = 'customers/create',
): { path: string; headers: Record<string, string>; body: string } {
  const json = { 'content-type': 'application/json' };
  if (kind === 'shopify') {
    // A new event now: the app refuses one whose signed `updated_at` is older than
    // WEBHOOK_MAX_EVENT_AGE_SECONDS (replay protection). Replaced as text: the id exceeds 2^53.
    // A compliance payload has no `updated_at`; it names its shop (`shop_domain`).
    const body = payload
      .replace(/"updated_at"\s*:\s*"[^"]*"/, `"updated_at": "${now.toISOString()}"`)
      .replace(`"${FIXTURE_SHOP}"`, JSON.stringify(source.shopDomain ?? FIXTURE_SHOP));
    // https://shopify.dev/docs/apps/build/webhooks/subscribe/https: base64 HMAC-SHA256 of the body.
    return {
      path: '/webhooks/shopify',
      body,
      headers: {
        ...json,
        'x-shopify-topic': topic,
        'x-shopify-hmac-sha256': createHmac('sha256', source.secret).update(body).digest('base64'),
        'x-shopify-shop-domain': source.shopDomain ?? '',
        'x-shopify-api-version': '2025-07',
        'x-shopify-webhook-id': randomUUID(),
        'x-shopify-event-id': randomUUID(),
        'x-shopify-triggered-at': now.toISOString(),
      },
    };
  }
  if (kind === 'bigcommerce') {
    // The hook's static secret header; `hash` is the event's own key, `producer` names the store.
    const body = payload
      .replace(/"hash": "[0-9a-f]{40}"/, `"hash": "${randomBytes(20).toString('hex')}"`)
      .replace(/"producer": "stores\/[a-z0-9]+"/, `"producer": "stores/${source.storeHash ?? ''}"`);
    return { path: '/webhooks/bigcommerce', body, headers: { ...json, 'x-webhook-secret': source.secret } };
  }
  const id = `msg_${randomUUID()}`;
  return {
    path: `/webhooks/standard?source=${encodeURIComponent(source.name)}`,
    body: payload,
    headers: {
      ...json,
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(source.secret).sign(id, now, payload),
    },
  };
}

async function main(): Promise<void> {
  const kind = process.argv[2] as Kind | undefined;
  if (!kind || !(kind in FIXTURES)) {
    throw new Error(
      `say which sender: npm run webhook -- ${Object.keys(FIXTURES).join('|')} [--file <payload.json>]`,
    );
  }
  const root = appRoot();
  const state = readState(localStackDir(root));
  const source = state.webhooks.find((s) => s.kind === kind);
  if (!source) {
    throw new Error(
      `no ${kind} source with a secret npm start knows: WEBHOOK_SOURCES names none, or npm start runs without the emulator.`,
    );
  }
  const topicArg = process.argv.indexOf('--topic');
  const topic = topicArg > 0 ? process.argv[topicArg + 1]! : undefined;
  if (topic !== undefined && (kind !== 'shopify' || !(topic in COMPLIANCE_FIXTURES)))
    throw new Error(`--topic is one of Shopify's ${Object.keys(COMPLIANCE_FIXTURES).join(', ')}`);
  const fileArg = process.argv.indexOf('--file');
  const fixture = topic !== undefined ? COMPLIANCE_FIXTURES[topic]! : FIXTURES[kind];
  const file = fileArg > 0 ? process.argv[fileArg + 1]! : join(root, 'test', 'fixtures', 'webhooks', fixture);
  const delivery = signedDelivery(kind, source, readFileSync(file, 'utf8'), new Date(), topic);
  const response = await fetch(`${state.apiUrl}${delivery.path}`, {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
  console.log(`HTTP/1.1 ${response.status} ${response.statusText}`);
  response.headers.forEach((value, name) => console.log(`${name}: ${value}`));
  console.log('');
  console.log(await response.text());
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`npm run webhook: ${(error as Error).message}`);
    process.exit(1);
  });
}
