// Over 300 lines: the three webhook operations, their headers and payload schemas, declared together.
import { FAILURE_CODES } from '../../domain/status';
import { shopifyCustomerId } from '../../domain/webhooks/shopify-customer';
import { FULL_CUSTOMER_EXAMPLE } from '../openapi-examples';
import { EXAMPLE_STATUS_URL, header, Json, noContent500, PLATFORM_503, problem, ref } from '../openapi-parts';
import {
  BIGCOMMERCE_COMPANY_CREATED_EXAMPLE,
  BIGCOMMERCE_CUSTOMER_CREATED_EXAMPLE,
  SHOPIFY_CUSTOMERS_CREATE_EXAMPLE,
} from './examples';
import { STANDARD_WEBHOOKS_TOLERANCE_SECONDS } from './signatures';

/**
 * The three webhook routes in the OpenAPI document (`shared/http/openapi.ts` merges them in): what
 * each sender posts (the raw JSON and its signature headers), and every answer `intake.ts` and
 * `answers.ts` give. No function key: the signature (BigCommerce: the hook's secret header) is the
 * authentication, so each operation has `security: []` and the headers as required parameters.
 */

const CORRELATION_ID = '6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a';
const SHOPIFY_CUSTOMER_ID = shopifyCustomerId(SHOPIFY_CUSTOMERS_CREATE_EXAMPLE)!;
const BIGCOMMERCE_CUSTOMER_ID = String((BIGCOMMERCE_CUSTOMER_CREATED_EXAMPLE.data as { id: number }).id);

const accepted = (source: string, status: string, sourceCustomerId?: string): Json => ({
  correlationId: CORRELATION_ID,
  status,
  source,
  ...(sourceCustomerId !== undefined && { sourceCustomerId }),
  statusUrl: EXAMPLE_STATUS_URL,
});

const param = (name: string) => ({ $ref: `#/components/parameters/${name}` });

/** `202`: the first delivery of an event, stored. */
function storedResponse(description: string, examples: Record<string, Json>, privacy = false): Json {
  return {
    description,
    headers: { Location: header('Location'), 'Cache-Control': header('Cache-Control') },
    content: {
      'application/json': {
        // A privacy request (issue 27) is answered with its own status (PrivacyAnswer).
        schema: privacy ? { anyOf: [ref('WebhookAccepted'), ref('PrivacyAnswer')] } : ref('WebhookAccepted'),
        examples: Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { value }])),
      },
    },
  };
}

/** `200`: a redelivery (the first delivery's answer again) or a verified delivery that is ignored. */
function okResponse(redelivery: Json, ignored: Record<string, string>, privacy = false): Json {
  return {
    description:
      'A redelivery of a known event (the stored request, `Idempotent-Replayed: true`, nothing new stored), or a verified delivery that creates nothing (`ignored`).',
    headers: {
      'Cache-Control': header('Cache-Control'),
      Location: header('Location', true),
      'Idempotent-Replayed': header('Idempotent-Replayed', true),
    },
    content: {
      'application/json': {
        schema: {
          oneOf: [ref('WebhookAccepted'), ref('WebhookIgnored'), ...(privacy ? [ref('PrivacyAnswer')] : [])],
        },
        examples: {
          redelivery: { value: redelivery },
          ...Object.fromEntries(
            Object.entries(ignored).map(([name, reason]) => [name, { value: { ignored: true, reason } }]),
          ),
        },
      },
    },
  };
}

const unauthorized = (what: string) =>
  problem(
    401,
    `${what} Always the same body, so a prober learns nothing about which check failed; nothing is stored.`,
    ['webhookUnauthorized'],
  );

/** The answers every webhook route shares after verification. */
const common = (): Record<string, Json> => ({
  '409': problem(
    409,
    'The first delivery of this event is still being stored: deliver it again after `Retry-After`.',
    ['webhookInProgress'],
    [],
    { 'Retry-After': header('Retry-After') },
  ),
  '411': problem(411, 'The body was sent without Content-Length (chunked); nothing is stored.', [
    'lengthRequired',
  ]),
  '413': problem(413, 'The body is over 64 KiB; nothing is stored.', ['webhookTooLarge']),
  '500': noContent500,
  '503': problem(
    503,
    `Storage or Key Vault (the secret) unavailable; nothing was stored: the sender retries after \`Retry-After\`.${PLATFORM_503}`,
    ['storageUnavailable'],
    [],
    { 'Retry-After': header('Retry-After') },
  ),
});

const jsonBody = (description: string, schema: Json, examples: Record<string, Json>): Json => ({
  required: true,
  description,
  content: { 'application/json': { schema, examples } },
});

export function webhookPaths(): Record<string, Json> {
  return {
    '/webhooks/standard': {
      post: {
        operationId: 'standardWebhook',
        tags: ['webhooks'],
        summary: 'Receive a customer from a Standard Webhooks sender',
        description:
          'Any [Standard Webhooks](https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md) sender posts a customer in our contract, signed with its `whsec_` secret. No function key: the signature is the authentication. `webhook-id` is the Idempotency-Key (scoped to the source), so a redelivery creates nothing. Answers as soon as the request is stored and queued. In the envelope, `data.reference` beside `Customer` is the sender\u2019s own customer ID (its link); `type: customer.updated` with `data` = `{reference}` or `{legalEntity, customerAccount}`, an optional `version` and the merge patch\u2019s `Customer` members updates the customer (README \u201cCustomer updates\u201d). See docs/webhooks.md.',
        security: [],
        parameters: [
          param('WebhookSource'),
          param('WebhookId'),
          param('WebhookTimestamp'),
          param('WebhookSignature'),
        ],
        requestBody: jsonBody(
          'The raw bytes are signed: send them exactly as signed. Our contract, or the spec\u2019s envelope with the contract as `data`.',
          { anyOf: [ref('CustomerRequest'), ref('StandardWebhookEnvelope')] },
          {
            contract: { summary: 'Our contract as the body', value: FULL_CUSTOMER_EXAMPLE },
            envelope: {
              summary: 'The spec\u2019s envelope',
              value: {
                type: 'customer.created',
                timestamp: '2026-11-26T18:00:00Z',
                data: FULL_CUSTOMER_EXAMPLE,
              },
            },
          },
        ),
        responses: {
          '200': okResponse(
            accepted('contoso-middleware', 'succeeded'),
            { ignored: 'topic-not-handled', erased: 'erased' },
            true,
          ),
          '202': storedResponse(
            'Stored and queued (a privacy request, `customer.redact` / `customer.data_request`: its own status).',
            { queued: accepted('contoso-middleware', 'queued') },
            true,
          ),
          '400': problem(
            400,
            'Verified, but the body is not JSON or not a valid customer: `errors[]` has a JSON Pointer for each field, as for `POST /customers`. Nothing is stored.',
            ['invalidBody'],
          ),
          '403': problem(
            403,
            '`customer.updated` by `legalEntity` + `customerAccount` from a source without the `accounts` role (the same answer for every account); or (`link-unverified`) by a reference whose create matched an existing D365 customer without a verified identity. Nothing is stored.',
            ['forbidden', 'linkUnverified'],
          ),
          '404': problem(
            404,
            '`customer.updated` of a customer this app has no link for. Nothing is stored.',
            ['customerNotFound'],
          ),
          '401': unauthorized(
            'Unknown `source`; a missing, malformed or wrong signature; a `webhook-timestamp` more than five minutes from now.',
          ),
          ...common(),
        },
      },
    },
    '/webhooks/shopify': {
      post: {
        operationId: 'shopifyWebhook',
        tags: ['webhooks'],
        summary: 'Receive Shopify customers/create, customers/update and company_locations/create',
        description:
          'Shopify posts the customer (`customers/create`, `customers/update`), or a B2B company location (`company_locations/create`, when the source lists it: an organisation customer, referenced as `CompanyLocation:{id}`; docs/webhooks.md). An update goes through the update intake (README \u201cCustomer updates\u201d): ordered by the payload\u2019s `updated_at`, the changed fields only sent to D365; one for a customer this app has no link for is answered `404` and nothing is stored (Shopify retries it, so an update that overtook its create applies once the create has arrived). No function key: `X-Shopify-Hmac-Sha256` is the authentication. The customer is mapped to our contract (docs/webhooks.md); one that cannot be (no name, no e-mail, invalid after mapping) is stored as `failed` with code `unmappable` and answered `202`, so Shopify does not resend it. The shop domain plus `X-Shopify-Event-Id` is the Idempotency-Key. Answers long before Shopify\u2019s 5-second timeout.',
        security: [],
        parameters: [
          param('ShopifyHmac'),
          param('ShopifyShopDomain'),
          param('ShopifyTopic'),
          param('ShopifyEventId'),
          param('ShopifyWebhookId'),
          param('ShopifyTriggeredAt'),
        ],
        requestBody: jsonBody(
          'The customer as Shopify sends it, or a compliance payload (`customers/redact`, `customers/data_request`, `shop/redact`); the HMAC is over the raw bytes.',
          { anyOf: [ref('ShopifyCustomer'), ref('ShopifyCompliance')] },
          {
            documented: {
              summary: 'Shopify\u2019s documented customers/create payload',
              description:
                'Its `id` (706405506930370084 in Shopify\u2019s text) is above 2^53 and shows rounded here; the app does not use it.',
              value: SHOPIFY_CUSTOMERS_CREATE_EXAMPLE,
            },
          },
        ),
        responses: {
          '200': okResponse(
            accepted('contoso-shopify', 'succeeded', SHOPIFY_CUSTOMER_ID),
            { notSubscribed: 'topic-not-subscribed', linkUnverified: 'link-unverified', erased: 'erased' },
            true,
          ),
          '202': storedResponse(
            'Stored and queued; or stored as `failed` (`unmappable`) when the customer cannot be mapped.',
            {
              queued: accepted('contoso-shopify', 'queued', SHOPIFY_CUSTOMER_ID),
              unmappable: accepted('contoso-shopify', 'failed', SHOPIFY_CUSTOMER_ID),
            },
            true,
          ),
          '400': problem(
            400,
            'Verified, but the body is not JSON, or a compliance payload names no customer or another shop (`errors[]`). Nothing is stored.',
            ['invalidBody'],
          ),
          '404': problem(
            404,
            '`customers/update` of a customer this app has no link for (never created through it, or its create has not arrived yet). Nothing is stored.',
            ['customerNotFound'],
          ),
          '401': unauthorized(
            "An unknown `X-Shopify-Shop-Domain`; a missing, malformed or wrong `X-Shopify-Hmac-Sha256`; a signed body without the customer's ID or `updated_at`; `updated_at` (or `X-Shopify-Triggered-At`, when older) older than `WEBHOOK_MAX_EVENT_AGE_SECONDS` (a replay).",
          ),
          ...common(),
        },
      },
    },
    '/webhooks/bigcommerce': {
      post: {
        operationId: 'bigCommerceWebhook',
        tags: ['webhooks'],
        summary: 'Receive BigCommerce store/customer/created (and B2B Edition store/company/created)',
        description:
          'BigCommerce posts the event, which names the customer only; the worker reads the customer from the store\u2019s V3 Customers API. B2B Edition\u2019s `store/company/created` (when the source lists it; issue 32) names a company: the worker reads it from the B2B Edition API and it becomes an organisation customer, referenced as `Company:{id}` (docs/webhooks.md). No function key: the secret header set on the hook (`X-Webhook-Secret`) is the authentication. The payload\u2019s `hash` is the Idempotency-Key.',
        security: [],
        parameters: [param('BigCommerceSecret')],
        requestBody: jsonBody('The event as BigCommerce sends it.', ref('BigCommerceWebhook'), {
          documented: {
            summary: 'BigCommerce\u2019s documented callback',
            value: BIGCOMMERCE_CUSTOMER_CREATED_EXAMPLE,
          },
          company: {
            summary: 'B2B Edition\u2019s documented store/company/created',
            value: BIGCOMMERCE_COMPANY_CREATED_EXAMPLE,
          },
        }),
        responses: {
          '200': okResponse(accepted('contoso-bigcommerce', 'succeeded', BIGCOMMERCE_CUSTOMER_ID), {
            notSubscribed: 'topic-not-subscribed',
          }),
          '202': storedResponse('Stored and queued; the worker reads the customer from the store.', {
            queued: accepted('contoso-bigcommerce', 'queued', BIGCOMMERCE_CUSTOMER_ID),
          }),
          '401': unauthorized(
            'A body that is not a BigCommerce event (the store is named in the body); an unknown store; a missing or wrong `X-Webhook-Secret`.',
          ),
          ...common(),
        },
      },
    },
  };
}

const headerParam = (
  name: string,
  required: boolean,
  description: string,
  schema: Json,
  example: string,
) => ({
  name,
  in: 'header',
  required,
  description,
  schema,
  example,
});

const anyObject = (description: string, properties: Record<string, Json>, required: string[] = []): Json => ({
  type: 'object',
  description,
  properties,
  ...(required.length > 0 && { required }),
  additionalProperties: true,
});

const nullableText = (description: string): Json => ({ type: ['string', 'null'], description });

const shopifyAddress = anyObject('A Shopify customer address (the fields the mapping reads).', {
  address1: nullableText('With `address2`: `Street`. An address without a street is left out.'),
  address2: nullableText('Appended to `Street`.'),
  city: nullableText('`City`.'),
  province_code: nullableText('`State`.'),
  zip: nullableText('`PostalCode`.'),
  country_code: nullableText(
    'ISO 3166-1 alpha-2; becomes `CountryCode` (alpha-3). Unknown: the address is left out.',
  ),
  phone: nullableText('`ContactNumber` when the customer has no `phone` and this is E.164.'),
});

export function webhookComponents(): { parameters: Record<string, Json>; schemas: Record<string, Json> } {
  return {
    parameters: {
      WebhookSource: {
        name: 'source',
        in: 'query',
        required: true,
        description: 'The sender\u2019s `name` in `WEBHOOK_SOURCES` (a `standard` source). Unknown: `401`.',
        schema: { type: 'string', minLength: 1 },
        example: 'contoso-middleware',
      },
      WebhookId: headerParam(
        'webhook-id',
        true,
        'The event\u2019s ID, the same on every redelivery: our Idempotency-Key (scoped to the source). At most 256 characters.',
        { type: 'string', minLength: 1, maxLength: 256 },
        'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      ),
      WebhookTimestamp: headerParam(
        'webhook-timestamp',
        true,
        `Unix seconds; more than ${STANDARD_WEBHOOKS_TOLERANCE_SECONDS / 60} minutes from now (either way): \`401\`.`,
        { type: 'string', pattern: '^[0-9]{1,12}$' },
        '1795716000',
      ),
      WebhookSignature: headerParam(
        'webhook-signature',
        true,
        'Space-separated `v1,<base64>` entries, each the HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{raw body}` with the base64-decoded `whsec_` secret; any one matching a current (or, while rotating, the previous) secret is enough.',
        { type: 'string', minLength: 1 },
        'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
      ),
      ShopifyHmac: headerParam(
        'X-Shopify-Hmac-Sha256',
        true,
        'The base64 HMAC-SHA256 of the raw body with the app\u2019s client secret.',
        { type: 'string', pattern: '^[A-Za-z0-9+/]{43}=$' },
        'XWmrwMey6OsLMeiZKwP4FppHH3cmAiiJJAweH5Jo4bM=',
      ),
      ShopifyShopDomain: headerParam(
        'X-Shopify-Shop-Domain',
        true,
        'The shop; must be a Shopify source\u2019s `shopDomain` (any case).',
        { type: 'string', minLength: 1 },
        'contoso.myshopify.com',
      ),
      ShopifyTopic: headerParam(
        'X-Shopify-Topic',
        true,
        '`customers/create` creates the customer; `customers/update` updates it (issue 17); `company_locations/create` creates a B2B company location as an organisation (issue 32, opt-in); topics the source does not list are answered `200` `ignored`.',
        { type: 'string' },
        'customers/create',
      ),
      ShopifyEventId: headerParam(
        'X-Shopify-Event-Id',
        false,
        "The same on every redelivery of one event. Unsigned, so not used for replay protection: the event key comes from the signed body (the customer's ID, `updated_at` and the body's digest), so a redelivery or a replay with another event ID is answered as the first delivery.",
        { type: 'string', minLength: 1 },
        '98880550-7158-44d4-b7cd-2c97c8a091b5',
      ),
      ShopifyWebhookId: headerParam(
        'X-Shopify-Webhook-Id',
        false,
        'Per delivery; not used (unsigned).',
        { type: 'string', minLength: 1 },
        'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      ),
      ShopifyTriggeredAt: headerParam(
        'X-Shopify-Triggered-At',
        false,
        'When the event happened. Unsigned, so only a hint: the age check goes by the signed `updated_at`; this header can make a delivery older (older than `WEBHOOK_MAX_EVENT_AGE_SECONDS`, default 6 h: `401`), never younger, and a missing or malformed one changes nothing.',
        { type: 'string', format: 'date-time' },
        '2026-11-26T18:00:00.000Z',
      ),
      BigCommerceSecret: headerParam(
        'X-Webhook-Secret',
        true,
        'The secret set in the hook\u2019s `headers` when it was created; BigCommerce sends it back on every callback. Compared with the source\u2019s Key Vault secret.',
        { type: 'string', minLength: 1 },
        'bc-hook-secret-4f9a1c2e7b5d0e8a3c6f1b9d',
      ),
    },
    schemas: {
      StandardWebhookEnvelope: {
        type: 'object',
        description:
          'The Standard Webhooks envelope. `type` `customer.created` with our contract as `data` (optionally with the sender\u2019s `reference` beside `Customer`) creates the customer; `customer.updated` with `data` = `{reference}` or `{legalEntity, customerAccount}`, an optional `version` and the `Customer` members to change (JSON Merge Patch) updates it; `customer.redact` / `customer.data_request` with `data` naming the customer as `PrivacyRequest` does (`reference`, `legalEntity` + `customerAccount`, or `email`; the sender\u2019s own customers only) is a privacy request (docs/privacy.md); any other `type` is answered `200` `ignored` (`topic-not-handled`).',
        required: ['type', 'data'],
        properties: {
          type: { type: 'string', examples: ['customer.created'] },
          timestamp: { type: 'string', format: 'date-time' },
          data: {
            description:
              'For `customer.created`: a `CustomerRequest` (plus `reference`); for `customer.updated`: the customer\u2019s key, `version` and the merge patch\u2019s `Customer`.',
          },
        },
        additionalProperties: true,
        if: { properties: { type: { const: 'customer.created' } } },
        then: {
          properties: {
            data: { type: 'object', required: ['Customer'], properties: { Customer: { type: 'object' } } },
          },
          additionalProperties: true,
        },
      },
      ShopifyCompliance: {
        type: 'object',
        description:
          'Shopify\u2019s mandatory compliance payloads (shopify.dev \u201cPrivacy law compliance\u201d): each becomes a privacy request (docs/privacy.md). `shop_domain` must be the shop that signed it; `customers/*` name the customer by `id` (read exactly, above 2^53) and/or `email`.',
        required: ['shop_domain'],
        properties: {
          shop_id: { type: ['integer', 'string'] },
          shop_domain: { type: 'string', examples: ['contoso.myshopify.com'] },
          customer: {
            type: 'object',
            properties: {
              id: { type: ['integer', 'string', 'null'] },
              email: { type: ['string', 'null'] },
              phone: { type: ['string', 'null'] },
            },
          },
          orders_to_redact: { type: 'array', items: { type: 'integer' } },
          orders_requested: { type: 'array', items: { type: 'integer' } },
          data_request: { type: 'object', properties: { id: { type: ['integer', 'string'] } } },
        },
      },
      ShopifyCustomer: anyObject(
        'Shopify\u2019s customer webhook payload (the REST Customer resource). Only the fields below are read; every other is ignored. The contract\u2019s `LegalEntity`, `CurrencyCode` and `CustomerGroup` come from the source.',
        {
          admin_graphql_api_id: {
            type: 'string',
            description:
              '`gid://shopify/Customer/{id}`: its number is `sourceCustomerId` (exact, where the JSON `id` above 2^53 is rounded; `id` is used only when this is absent).',
            examples: [`gid://shopify/Customer/${SHOPIFY_CUSTOMER_ID}`],
          },
          first_name: nullableText('`FirstName` (a customer with only a last name: it becomes `FirstName`).'),
          last_name: nullableText('`LastName`.'),
          email: nullableText(
            '`EmailAddress`. Null for a phone-only customer: then `phone` (or an address\u2019s) identifies it (issue 32); with neither it is `unmappable`.',
          ),
          phone: nullableText(
            '`ContactNumber` (E.164; an address\u2019s national number is read in that address\u2019s country).',
          ),
          default_address: { oneOf: [shopifyAddress, { type: 'null' }] },
          addresses: {
            type: 'array',
            items: shopifyAddress,
            description: 'After `default_address`, up to 10 in all.',
          },
        },
      ),
      BigCommerceWebhook: {
        type: 'object',
        description:
          'BigCommerce\u2019s webhook callback for a customer event, or B2B Edition\u2019s for a company event (`store/company/…`, `data.company_id`). Anything else (no 40-hex `hash`, no positive integer `data.id`, or `data.company_id` for a company event, no `producer` `stores/{hash}`) is answered `401`.',
        required: ['scope', 'data', 'hash', 'producer'],
        properties: {
          scope: {
            type: 'string',
            description:
              '`store/customer/created`, `store/company/created` (opt-in); other scopes the source does not list: `200` `ignored`.',
            examples: ['store/customer/created', 'store/company/created'],
          },
          store_id: { type: 'string' },
          data: {
            type: 'object',
            properties: {
              type: { type: 'string', examples: ['customer'] },
              id: {
                type: 'integer',
                minimum: 1,
                description: 'The customer\u2019s ID (`sourceCustomerId`); required for a customer event.',
              },
              company_id: {
                type: 'integer',
                minimum: 1,
                description:
                  'The B2B Edition company\u2019s ID (`sourceCustomerId` `Company:{id}`); required for a company event.',
              },
            },
          },
          hash: {
            type: 'string',
            pattern: '^[0-9a-fA-F]{40}$',
            description: 'The same on every redelivery: the Idempotency-Key.',
          },
          created_at: { type: 'integer' },
          producer: {
            type: 'string',
            pattern: '^stores/[a-z0-9]{1,32}$',
            description: 'The store: must be a BigCommerce source\u2019s `storeHash`.',
            examples: ['stores/abc123'],
          },
        },
      },
    },
  };
}

/** A status answer of a webhook request (for `GET /customers/status/{id}`'s examples). */
export const WEBHOOK_STATUS_EXAMPLES: Record<string, Json> = {
  fromShopify: {
    correlationId: CORRELATION_ID,
    status: 'succeeded',
    legalEntity: 'USRT',
    source: 'contoso-shopify',
    sourceCustomerId: SHOPIFY_CUSTOMER_ID,
    customerAccount: 'US-000002',
    outcome: 'created',
    attempts: 1,
    createdAt: '2026-11-26T18:00:00.000Z',
    updatedAt: '2026-11-26T18:00:00.412Z',
  },
  unmappable: {
    correlationId: CORRELATION_ID,
    status: 'failed',
    legalEntity: 'USRT',
    source: 'contoso-shopify',
    sourceCustomerId: SHOPIFY_CUSTOMER_ID,
    attempts: 0,
    createdAt: '2026-11-26T18:00:00.000Z',
    updatedAt: '2026-11-26T18:00:00.000Z',
    error: {
      code: 'unmappable',
      message: `${FAILURE_CODES.unmappable} the customer has neither an e-mail address nor a valid phone number.`,
    },
  },
};
