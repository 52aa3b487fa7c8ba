import { FULL_CUSTOMER_EXAMPLE } from '../../shared/http/openapi-examples';
import {
  BIGCOMMERCE_CUSTOMER_CREATED_TEXT,
  SHOPIFY_CUSTOMERS_CREATE_TEXT,
} from '../../shared/http/webhooks/examples';
import { Json, PROBLEM_SHAPE, request, status } from './postman-parts';

/**
 * The collection's Webhooks folder: each sender's delivery, signed in the pre-request script the
 * way the sender signs it (Postman's sandbox has CryptoJS): Standard Webhooks' HMAC-SHA256 of
 * `id.timestamp.body` with the base64 `whsec_` key, Shopify's base64 HMAC-SHA256 of the body, and
 * BigCommerce's static secret header. The body is signed after its `{{variables}}` are resolved,
 * which is what Postman sends.
 */

const STANDARD_SIGN = [
  "const cryptoJs = require('crypto-js');",
  'const body = pm.variables.replaceIn(pm.request.body.raw);',
  'const timestamp = String(Math.floor(Date.now() / 1000));',
  "const key = cryptoJs.enc.Base64.parse(String(pm.variables.get('standardWebhookSecret')).replace(/^whsec_/, ''));",
  "const signature = cryptoJs.HmacSHA256(pm.collectionVariables.get('webhookId') + '.' + timestamp + '.' + body, key);",
  "pm.collectionVariables.set('webhookTimestamp', timestamp);",
  "pm.collectionVariables.set('webhookSignature', 'v1,' + signature.toString(cryptoJs.enc.Base64));",
];

const SHOPIFY_SIGN = [
  "const cryptoJs = require('crypto-js');",
  'const body = pm.variables.replaceIn(pm.request.body.raw);',
  "const hmac = cryptoJs.HmacSHA256(body, String(pm.variables.get('shopifyWebhookSecret')));",
  "pm.collectionVariables.set('shopifyHmac', hmac.toString(cryptoJs.enc.Base64));",
  "pm.collectionVariables.set('shopifyTriggeredAt', new Date().toISOString());",
];

const unique = (variable: string, domain: string) =>
  `pm.collectionVariables.set('${variable}', 'postman-' + Date.now() + '-' + Math.floor(Math.random() * 1e6) + '@${domain}');`;

const STORED = (code: number) => [
  ...status(code),
  "pm.test('the stored request, its source and status URL', () => {",
  '  const answer = pm.response.json();',
  '  pm.expect(answer.correlationId).to.match(/^[0-9a-f-]{36}$/);',
  "  pm.expect(answer.source).to.be.a('string');",
  "  pm.expect(pm.response.headers.get('Location')).to.eql(answer.statusUrl);",
  '});',
];

const REPLAYED = (variable: string) => [
  ...status(200),
  "pm.test('the first delivery\\u2019s request, nothing new', () => {",
  "  pm.expect(pm.response.headers.get('Idempotent-Replayed')).to.eql('true');",
  `  pm.expect(pm.response.json().correlationId).to.eql(pm.collectionVariables.get('${variable}'));`,
  '});',
];

const UNAUTHORIZED = [
  ...status(401),
  ...PROBLEM_SHAPE,
  "pm.test('webhook-unauthorized', () => pm.expect(pm.response.json().type).to.eql('urn:d365-customer-sync:problem:webhook-unauthorized'));",
];

const standardHeaders = [
  { key: 'webhook-id', value: '{{webhookId}}', description: 'The event ID; the same on a redelivery.' },
  { key: 'webhook-timestamp', value: '{{webhookTimestamp}}', description: 'Set by the pre-request script.' },
  { key: 'webhook-signature', value: '{{webhookSignature}}', description: 'Set by the pre-request script.' },
];

const shopifyHeaders = [
  { key: 'X-Shopify-Topic', value: 'customers/create' },
  { key: 'X-Shopify-Hmac-Sha256', value: '{{shopifyHmac}}', description: 'Set by the pre-request script.' },
  { key: 'X-Shopify-Shop-Domain', value: '{{shopifyShopDomain}}' },
  { key: 'X-Shopify-Event-Id', value: '{{shopifyEventId}}', description: 'The same on a redelivery.' },
  { key: 'X-Shopify-Triggered-At', value: '{{shopifyTriggeredAt}}' },
];

const standardBody = () => {
  const copy = structuredClone(FULL_CUSTOMER_EXAMPLE) as { Customer: Record<string, unknown> };
  copy.Customer.EmailAddress = '{{standardEmail}}';
  return JSON.stringify(copy, null, 2);
};

/**
 * Shopify's documented payload as text (its `id` stays exact), with a fresh e-mail address and a
 * fresh `updated_at`: the signed time the app's age check and replay protection go by.
 */
const shopifyBody = () =>
  SHOPIFY_CUSTOMERS_CREATE_TEXT.replace('"bob@biller.com"', '"{{shopifyEmail}}"').replace(
    /"updated_at": "[^"]*"/,
    '"updated_at": "{{shopifyUpdatedAt}}"',
  );

const bigCommerceBody = () =>
  BIGCOMMERCE_CUSTOMER_CREATED_TEXT.replace(
    /"hash": "[0-9a-f]{40}"/,
    '"hash": "{{bigCommerceHash}}"',
  ).replace('"stores/abc123"', '"stores/{{bigCommerceStoreHash}}"');

/** An F&O CustomersV3 update event (README, "D365 changes to the shop") of an account no shop holds. */
const foDataEvent = (eventId: string | undefined) =>
  JSON.stringify(
    {
      BusinessEventId: 'CustomersV3_Update',
      BusinessEventLegalEntity: 'USRT',
      ControlNumber: 5637144577,
      ...(eventId !== undefined && { EventId: eventId }),
      EventTime: `/Date(${Date.parse('2026-12-07T09:33:20.000Z')})/`,
      MajorVersion: 0,
      MinorVersion: 0,
      dataAreaId: 'usrt',
      CustomerAccount: 'US-999999',
      PersonFirstName: 'Jane',
      PersonLastName: 'Doe',
    },
    null,
    2,
  );

export function webhookFolder(): Json {
  const standardUrl = '/webhooks/standard?source={{standardWebhookSource}}';
  return {
    name: 'Webhooks (signed in the pre-request scripts)',
    description:
      'The three webhook routes, each delivery signed as its sender signs it, and F&O\u2019s data events endpoint (a function key: F&O cannot sign). Set the sources\u2019 names and secrets (standardWebhookSource, standardWebhookSecret, shopifyShopDomain, shopifyWebhookSecret, bigCommerceStoreHash, bigCommerceWebhookSecret) to sources listed in WEBHOOK_SOURCES whose secrets are in the app\u2019s Key Vault; keep the secrets in a local environment, never in the collection.',
    item: [
      request('Standard Webhooks delivery (202)', '/webhooks/standard', 'post', {
        url: standardUrl,
        anonymous: true,
        prerequest: [
          unique('standardEmail', 'example.com'),
          "pm.collectionVariables.set('webhookId', 'msg_' + pm.variables.replaceIn('{{$guid}}'));",
          ...STANDARD_SIGN,
        ],
        headers: standardHeaders,
        rawBody: standardBody(),
        tests: [
          ...STORED(202),
          "pm.collectionVariables.set('standardCorrelationId', pm.response.json().correlationId);",
        ],
      }),
      request('Standard Webhooks redelivery (200, nothing new)', '/webhooks/standard', 'post', {
        url: standardUrl,
        anonymous: true,
        prerequest: STANDARD_SIGN,
        headers: standardHeaders,
        rawBody: standardBody(),
        tests: REPLAYED('standardCorrelationId'),
      }),
      request('Standard Webhooks delivery with a wrong signature (401)', '/webhooks/standard', 'post', {
        url: standardUrl,
        anonymous: true,
        prerequest: [
          "pm.collectionVariables.set('webhookId', 'msg_' + pm.variables.replaceIn('{{$guid}}'));",
          ...STANDARD_SIGN,
          "pm.collectionVariables.set('webhookSignature', 'v1,' + 'A'.repeat(43) + '=');",
        ],
        headers: standardHeaders,
        rawBody: standardBody(),
        tests: UNAUTHORIZED,
      }),
      request('Shopify customers/create (202)', '/webhooks/shopify', 'post', {
        url: '/webhooks/shopify',
        anonymous: true,
        prerequest: [
          unique('shopifyEmail', 'example.com'),
          "pm.collectionVariables.set('shopifyEventId', pm.variables.replaceIn('{{$guid}}'));",
          "pm.collectionVariables.set('shopifyUpdatedAt', new Date().toISOString());",
          ...SHOPIFY_SIGN,
        ],
        headers: shopifyHeaders,
        rawBody: shopifyBody(),
        tests: [
          ...STORED(202),
          "pm.test('the shop\\u2019s customer ID', () => pm.expect(pm.response.json().sourceCustomerId).to.eql('706405506930370084'));",
          "pm.collectionVariables.set('shopifyCorrelationId', pm.response.json().correlationId);",
        ],
      }),
      request('Shopify redelivery of the same event (200, nothing new)', '/webhooks/shopify', 'post', {
        url: '/webhooks/shopify',
        anonymous: true,
        prerequest: SHOPIFY_SIGN,
        headers: shopifyHeaders,
        rawBody: shopifyBody(),
        tests: REPLAYED('shopifyCorrelationId'),
      }),
      request('BigCommerce store/customer/created (202)', '/webhooks/bigcommerce', 'post', {
        url: '/webhooks/bigcommerce',
        anonymous: true,
        prerequest: [
          "pm.collectionVariables.set('bigCommerceHash', require('crypto-js').lib.WordArray.random(20).toString());",
        ],
        headers: [
          {
            key: 'X-Webhook-Secret',
            value: '{{bigCommerceWebhookSecret}}',
            description: 'The secret set on the hook.',
          },
        ],
        rawBody: bigCommerceBody(),
        tests: [
          ...STORED(202),
          "pm.test('the store\\u2019s customer ID', () => pm.expect(pm.response.json().sourceCustomerId).to.eql('32'));",
        ],
      }),
      request('F&O data event of a customer no shop holds (200, acknowledged)', '/d365/data-events', 'post', {
        url: '/d365/data-events',
        prerequest: ["pm.collectionVariables.set('foEventId', pm.variables.replaceIn('{{$guid}}'));"],
        rawBody: foDataEvent('{{foEventId}}'),
        tests: [
          "pm.test('200', () => pm.response.to.have.status(200));",
          "pm.test('ignored, with why, nothing about the customer', () => {",
          '  const answer = pm.response.json();',
          "  pm.expect(answer.status).to.eql('ignored');",
          "  pm.expect(['no-link', 'unknown-legal-entity', 'not-a-shop-link']).to.include(answer.reason);",
          "  pm.expect(pm.response.text()).to.not.include('Jane');",
          '});',
        ],
      }),
      request('F&O data event without its EventId (400 with a pointer)', '/d365/data-events', 'post', {
        url: '/d365/data-events',
        rawBody: foDataEvent(undefined),
        tests: [
          "pm.test('400', () => pm.response.to.have.status(400));",
          "pm.test('points at EventId', () => pm.expect(pm.response.json().errors.map((e) => e.pointer)).to.include('/EventId'));",
        ],
      }),
    ],
  };
}

/** The folder's non-secret defaults (collection variables); the secrets belong in an environment. */
export function webhookVariables(): Json[] {
  return [
    { key: 'standardWebhookSource', value: 'local-standard' },
    { key: 'shopifyShopDomain', value: 'local-shop.myshopify.com' },
    { key: 'bigCommerceStoreHash', value: 'abc123' },
  ];
}

/** The environment's secret slots (empty: fill them in a local copy). */
export const WEBHOOK_SECRET_VARIABLES = [
  'standardWebhookSecret',
  'shopifyWebhookSecret',
  'bigCommerceWebhookSecret',
] as const;
