// Over 300 lines: one declarative OpenAPI document (the customer routes) reads best in one place.
import { z } from 'zod';
import { createCustomerRequestSchema } from '../domain/customer-contract';
import { FAILURE_CODES } from '../domain/status';
import {
  acceptedSchema,
  failureCodeSchema,
  fieldErrorSchema,
  healthSchema,
  problemSchema,
  statusAnswerSchema,
  callbackSecretsSchema,
  statusSchema,
  webhookAcceptedSchema,
  webhookIgnoredSchema,
} from './api-schemas';
import {
  FULL_CUSTOMER_EXAMPLE,
  MINIMAL_CUSTOMER_EXAMPLE,
  PHONE_ONLY_CUSTOMER_EXAMPLE,
} from './openapi-examples';
import {
  acceptedResponse,
  APP_SERVICE_AUTHENTICATION,
  callerProblems,
  EXAMPLE_CORRELATION_ID,
  header,
  Json,
  keySecurity,
  noContent500,
  noContent503,
  PLATFORM_503,
  problem,
  ref,
  SECURITY_SCHEMES,
} from './openapi-parts';
import { WEBHOOK_STATUS_EXAMPLES, webhookComponents, webhookPaths } from './webhooks/openapi';
import { privacyPaths } from './openapi-privacy';
import { privacyAnswerSchema, privacyExportSchema } from './privacy-schemas';
import { privacyRequestBodySchema } from '../domain/privacy';
import {
  CALLBACK_URL_PARAMETER,
  callbackEventSchema,
  callbackSecretPaths,
  resultCallbacks,
} from './openapi-callbacks';
import {
  customerLinkJsonSchema,
  customerPatchJsonSchema,
  UPDATE_PARAMETERS,
  updatePaths,
} from './openapi-updates';
import { writeBackPaths } from './openapi-write-back';
import { BACKFILL_SCHEMAS, backfillPaths } from './openapi-backfill';
import { FO_EVENT_SCHEMAS, foEventPaths } from './openapi-fo-events';
import { deepHealthProblemSchema, deepHealthSchema, diagnosisPaths } from './openapi-diagnosis';
import { OPERATIONS_SCHEMAS, operationsPaths } from './operations/openapi-operations';

/**
 * The OpenAPI 3.1 description of the HTTP API, built from the zod schemas that validate requests
 * (`shared/domain/customer-contract.ts`) and shape answers (`shared/http/api-schemas.ts`), so the
 * document cannot drift from the code. Served at `GET /api/openapi.json`; `docs/openapi.json` is
 * the same document, checked in for linters, Postman and code generators.
 */

/**
 * The request schema: `z.toJSONSchema` of the contract's zod schema, whose fields carry their JSON
 * Schema (type, pattern, raw length, description) as metadata (`customer-contract/field-json-schema.ts`);
 * zod gives the structure (names, required, no extra properties, list sizes).
 */
function customerRequestJsonSchema(): Json {
  const schema = z.toJSONSchema(createCustomerRequestSchema({ defaultCustomerGroup: 'DEFAULT' }), {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'throw',
  }) as Json;
  delete schema.$schema;
  const customer = (schema.properties as Record<string, Json>).Customer!;
  customer.description =
    'The customer, in the source article\u2019s spellings (`Addresstitle`, `Addresstype`). Every text is trimmed and NFC-normalised before it is checked; the patterns accept the white space that is trimmed. It needs an `EmailAddress` or a `ContactNumber` (or both): how the duplicate policy finds it (issue 32).';
  // A rule across fields the zod schema checks in its transform: an e-mail or a phone.
  customer.anyOf = [
    { required: ['EmailAddress'] },
    { required: ['ContactNumber'] },
    { required: ['PartyType', 'OrganizationName'] },
  ];
  return { ...schema, description: 'A customer to create in D365: `{"Customer": {...}}`.' };
}

/** The response schemas, as `components.schemas` (zod's `id`s become `$ref`s between them). */
function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  const all: Record<string, z.ZodType> = {
    StatusAnswer: statusAnswerSchema,
    Accepted: acceptedSchema,
    Problem: problemSchema,
    Health: healthSchema,
    DeepHealth: deepHealthSchema,
    DeepHealthProblem: deepHealthProblemSchema,
    Status: statusSchema,
    FailureCode: failureCodeSchema,
    FieldError: fieldErrorSchema,
    WebhookAccepted: webhookAcceptedSchema,
    WebhookIgnored: webhookIgnoredSchema,
    CallbackEvent: callbackEventSchema,
    CallbackSecrets: callbackSecretsSchema,
    PrivacyRequest: privacyRequestBodySchema,
    PrivacyAnswer: privacyAnswerSchema,
    PrivacyExport: privacyExportSchema,
    ...OPERATIONS_SCHEMAS,
    ...BACKFILL_SCHEMAS,
    ...FO_EVENT_SCHEMAS,
  };
  for (const [id, schema] of Object.entries(all)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  const out: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    delete schema.$schema;
    delete schema.$id;
    out[id] = schema;
  }
  return out;
}

const STATUS_EXAMPLE_SUCCEEDED = {
  correlationId: EXAMPLE_CORRELATION_ID,
  status: 'succeeded',
  legalEntity: 'USRT',
  customerAccount: 'US-000001',
  outcome: 'created',
  attempts: 1,
  createdAt: '2026-11-26T18:00:00.000Z',
  updatedAt: '2026-11-26T18:00:00.412Z',
};

export interface OpenApiOptions {
  /** Server URL (absolute, or relative to the document); default `/api`. */
  serverUrl?: string;
  /**
   * The deployment's `CALLER_AUTH`: with `app-service` every keyed operation also requires the Entra
   * ID token (`appServiceAuthentication`). Default `keys`, the document in docs/openapi.json.
   */
  callerAuth?: 'keys' | 'app-service';
}

let cached: Json | undefined;
let cachedAppService: Json | undefined;

/** The OpenAPI 3.1 document (a plain JSON object). */
export function openApiDocument(options: OpenApiOptions = {}): Json {
  cached ??= buildDocument();
  let document = cached;
  if (options.callerAuth === 'app-service')
    document = cachedAppService ??= withAppServiceAuthentication(cached);
  if (!options.serverUrl) return document;
  return { ...document, servers: [{ url: options.serverUrl, description: 'This app.' }] };
}

/** Adds the Entra ID token to every alternative of every keyed operation's security requirement. */
function withAppServiceAuthentication(document: Json): Json {
  const copy = structuredClone(document) as Json & { paths: Record<string, Record<string, Json>> };
  const add = (security: Json[]): Json[] =>
    security.map((alternative) => ({ ...alternative, appServiceAuthentication: [] }));
  copy.security = add(copy.security as Json[]);
  const components = copy.components as { securitySchemes: Record<string, Json> };
  components.securitySchemes.appServiceAuthentication = APP_SERVICE_AUTHENTICATION;
  for (const operations of Object.values(copy.paths)) {
    for (const operation of Object.values(operations)) {
      const security = operation.security as Json[] | undefined;
      if (security && security.length > 0) operation.security = add(security);
    }
  }
  return copy;
}

function buildDocument(): Json {
  const webhook = webhookComponents();
  const customerRequest = customerRequestJsonSchema();
  return {
    openapi: '3.1.1',
    info: {
      title: 'd365-customer-sync',
      version: '1.0.0',
      summary: 'Create customers in Dynamics 365 Commerce headquarters (Finance & Operations), exactly once.',
      description:
        'A caller posts a customer and gets a correlation ID at once (`202`), or with `Prefer: wait` the D365 ' +
        'customer account in one round trip (`201`). Every rejection is RFC 9457 `application/problem+json`. ' +
        'See docs/api.md.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/api', description: 'This app (relative to the document).' }],
    security: keySecurity('function'),
    tags: [
      { name: 'customers', description: 'Create customers and follow their requests.' },
      { name: 'operations', description: 'Operator and platform routes.' },
      {
        name: 'privacy',
        description:
          'Privacy requests (erasure, data requests) from any channel, their proof and exports (docs/privacy.md); Shopify\u2019s compliance topics arrive on the Shopify webhook route.',
      },
      {
        name: 'webhooks',
        description:
          'E-commerce senders (Shopify, BigCommerce, any Standard Webhooks sender) post customers; the signature is the authentication (docs/webhooks.md).',
      },
    ],
    paths: {
      '/customers': {
        post: {
          operationId: 'createCustomer',
          tags: ['customers'],
          summary: 'Create a customer in D365',
          description:
            'Validates, stores and queues the customer and answers `202` at once. With `Prefer: wait=N` it ' +
            'processes the request at once and answers `201` with the account (or the failure as a problem) ' +
            'when D365 answers within N seconds. The same `Idempotency-Key` with the same body returns the first ' +
            'answer again.',
          parameters: [
            { $ref: '#/components/parameters/IdempotencyKey' },
            { $ref: '#/components/parameters/Prefer' },
            { $ref: '#/components/parameters/CallbackUrl' },
            { $ref: '#/components/parameters/CustomerReference' },
          ],
          callbacks: resultCallbacks(),
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: ref('CustomerRequest'),
                examples: {
                  full: { summary: 'The source article\u2019s full customer', value: FULL_CUSTOMER_EXAMPLE },
                  minimal: { summary: 'Required fields and one address', value: MINIMAL_CUSTOMER_EXAMPLE },
                  phoneOnly: {
                    summary: 'A customer without an e-mail: name and a national phone number',
                    value: PHONE_ONLY_CUSTOMER_EXAMPLE,
                  },
                },
              },
            },
          },
          responses: {
            '201': {
              description: '`Prefer: wait`: D365 created (or linked) the customer in time.',
              headers: {
                Location: header('Location'),
                'X-Correlation-Id': header('X-Correlation-Id'),
                'Preference-Applied': header('Preference-Applied', true),
                'Idempotent-Replayed': header('Idempotent-Replayed', true),
              },
              content: {
                'application/json': {
                  schema: ref('StatusAnswer'),
                  examples: { created: { value: STATUS_EXAMPLE_SUCCEEDED } },
                },
              },
            },
            '202': acceptedResponse(
              'Stored and queued. Poll `Location` (after `Retry-After` seconds) for the account.',
            ),
            '400': problem(
              400,
              'Malformed JSON, an invalid field (`errors[]` has a JSON Pointer for each), a malformed `Idempotency-Key` or `Prefer`, or a refused `Callback-Url` (SSRF checks, allow-list, disabled).',
              ['invalidBody', 'invalidHeader'],
            ),
            ...callerProblems(),
            '409': problem(
              409,
              'The first request with this `Idempotency-Key` is still being accepted (`Retry-After`); or (`reference-in-use`) the `Customer-Reference` already names one of the caller\u2019s customers, or one whose create is running (`statusUrl` is that create\u2019s): one customer per reference, nothing stored; or (`Prefer: wait`, `DUPLICATE_POLICY=reject`) the customer exists; or (`Prefer: wait`) the create ended `needs_review` as a `possible_duplicate` (no e-mail, and D365 has a customer of its last name and phone whose first name one of the two writes as an initial: listed in `existingAccounts`, `matchedOn: name_initial_and_phone`; final, an operator decides); or a privacy request erased the customer this `Customer-Reference` names (`erased-customer`, until an operator releases it).',
              ['idempotencyKeyInProgress', 'referenceInUse', 'erasedCustomer'],
              ['duplicate', 'possible_duplicate'],
              {
                'Retry-After': header('Retry-After', true),
                'X-Correlation-Id': header('X-Correlation-Id', true),
                Location: header('Location', true),
              },
            ),
            '411': problem(411, 'The body was sent without Content-Length (chunked); send it with one.', [
              'lengthRequired',
            ]),
            '413': problem(413, 'The body is over 32 KiB.', ['tooLarge']),
            '415': problem(
              415,
              'The body is not `application/json` (any other type, `+json` ones included).',
              ['unsupportedMediaType'],
            ),
            '422': problem(
              422,
              'The `Idempotency-Key` was used with another body, or (`Prefer: wait`) D365 rejected the customer.',
              ['idempotencyKeyReused'],
              ['business_error', 'invalid_message'],
              { 'X-Correlation-Id': header('X-Correlation-Id', true), Location: header('Location', true) },
            ),
            '429': problem(429, 'The caller exceeded `RATE_LIMIT_PER_MINUTE`.', ['tooManyRequests'], [], {
              'Retry-After': header('Retry-After'),
            }),
            '500': noContent500,
            '502': problem(
              502,
              '`Prefer: wait`: a D365 configuration problem (secret, app registration); or the create ended `needs_review` (`account_not_found`: D365 confirmed it without naming the account and it could not be found, or several customers match its name and phone, listed in `existingAccounts`; final, an operator finds it in D365).',
              [],
              ['not_registered', 'invalid_secret', 'unauthorized', 'configuration', 'account_not_found'],
              { 'X-Correlation-Id': header('X-Correlation-Id', true), Location: header('Location', true) },
            ),
            '503': problem(
              503,
              `Storage unavailable, nothing was queued: send it again after \`Retry-After\`. Or (\`Prefer: wait\`) retries exhausted.${PLATFORM_503}`,
              ['storageUnavailable'],
              ['retries_exhausted'],
              {
                'Retry-After': header('Retry-After', true),
                'X-Correlation-Id': header('X-Correlation-Id', true),
                Location: header('Location', true),
              },
            ),
          },
        },
      },
      ...updatePaths(),
      ...callbackSecretPaths(),
      ...privacyPaths(),
      '/customers/status/{correlationId}': {
        get: {
          operationId: 'getCustomerStatus',
          tags: ['customers'],
          summary: 'Read the state of a customer request',
          description:
            'One point read. `Retry-After` is set while the request is pending. Another caller\u2019s request is `404`.',
          parameters: [{ $ref: '#/components/parameters/CorrelationId' }],
          responses: {
            '200': {
              description:
                'The request\u2019s state; `customerAccount` once `succeeded`, `error` once `failed`.',
              headers: {
                'Retry-After': header('Retry-After', true),
                'Cache-Control': header('Cache-Control'),
              },
              content: {
                'application/json': {
                  schema: ref('StatusAnswer'),
                  examples: {
                    succeeded: { value: STATUS_EXAMPLE_SUCCEEDED },
                    failed: {
                      value: {
                        correlationId: STATUS_EXAMPLE_SUCCEEDED.correlationId,
                        status: 'failed',
                        legalEntity: 'USRT',
                        attempts: 1,
                        createdAt: STATUS_EXAMPLE_SUCCEEDED.createdAt,
                        updatedAt: STATUS_EXAMPLE_SUCCEEDED.updatedAt,
                        error: { code: 'business_error', message: FAILURE_CODES.business_error },
                      },
                    },
                    fromShopify: { value: WEBHOOK_STATUS_EXAMPLES.fromShopify },
                    unmappable: { value: WEBHOOK_STATUS_EXAMPLES.unmappable },
                  },
                },
              },
            },
            '400': problem(400, 'The ID is not a UUID.', ['invalidCorrelationId']),
            ...callerProblems(),
            '404': problem(404, 'No such request (or past its retention, or another caller\u2019s).', [
              'notFound',
            ]),
            '500': noContent500,
            '503': noContent503,
          },
        },
      },
      '/customers/status/{correlationId}/retry': {
        post: {
          operationId: 'replayCustomer',
          tags: ['operations'],
          summary: 'Replay a failed request (operator)',
          description:
            'Re-queues a `failed` request with a fresh retry budget once its cause is fixed. Needs the master (admin) key; with `CALLER_AUTH=app-service` also `CALLER_ROLE_OPERATOR`. Never creates a second customer.',
          security: keySecurity('admin'),
          parameters: [{ $ref: '#/components/parameters/CorrelationId' }],
          responses: {
            '202': {
              description: 'Queued again.',
              content: {
                'application/json': {
                  schema: ref('StatusAnswer'),
                  examples: {
                    queued: {
                      value: {
                        correlationId: STATUS_EXAMPLE_SUCCEEDED.correlationId,
                        status: 'queued',
                        legalEntity: 'USRT',
                        attempts: 0,
                        createdAt: STATUS_EXAMPLE_SUCCEEDED.createdAt,
                        updatedAt: STATUS_EXAMPLE_SUCCEEDED.updatedAt,
                      },
                    },
                  },
                },
              },
            },
            '400': problem(400, 'The ID is not a UUID.', ['invalidCorrelationId']),
            ...callerProblems('admin'),
            '404': problem(404, 'No such request.', ['notFound']),
            '409': problem(409, 'Only a `failed` request within its retention can be replayed.', [
              'notReplayable',
            ]),
            '500': noContent500,
            '503': noContent503,
          },
        },
      },
      ...writeBackPaths(),
      ...backfillPaths(),
      ...foEventPaths(),
      '/health': {
        get: {
          operationId: 'health',
          tags: ['operations'],
          summary: 'Liveness probe',
          description: 'Anonymous; touches neither storage nor D365.',
          security: [],
          responses: {
            '200': {
              description: 'The app is running.',
              headers: { 'Cache-Control': header('Cache-Control') },
              content: {
                'application/json': { schema: ref('Health'), examples: { ok: { value: { status: 'ok' } } } },
              },
            },
            '503': noContent503,
          },
        },
      },
      ...diagnosisPaths(),
      '/openapi.json': {
        get: {
          operationId: 'getOpenApiDocument',
          tags: ['operations'],
          summary: 'This document',
          description: 'Anonymous; the OpenAPI 3.1 description of this API.',
          security: [],
          responses: {
            '200': {
              description: 'The OpenAPI document.',
              headers: { 'Cache-Control': header('Cache-Control') },
              content: { 'application/json': { schema: { type: 'object' } } },
            },
            '503': noContent503,
          },
        },
      },
      ...webhookPaths(),
      ...operationsPaths(),
    },
    components: {
      securitySchemes: SECURITY_SCHEMES,
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Makes repeats safe: the same key with the same body returns the first answer (`Idempotent-Replayed: true`); with another body `422`. 1\u2013255 visible ASCII characters, optionally in double quotes; a UUID is best. Scoped to the caller and kept for `RECORD_RETENTION_DAYS`.',
          schema: {
            type: 'string',
            minLength: 1,
            maxLength: 257,
            pattern: '^"?[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,255}"?$',
          },
          example: '0c6f3d3e-6a4f-4b8e-9d57-2d9e1c0f9a11',
        },
        Prefer: {
          name: 'Prefer',
          in: 'header',
          required: false,
          description:
            'RFC 7240 `wait=N`: process at once and answer `201` (or the failure) if D365 answers within N seconds (capped at `PREFER_WAIT_MAX_SECONDS`); otherwise `202`.',
          schema: { type: 'string', maxLength: 200 },
          example: 'wait=10',
        },
        CallbackUrl: CALLBACK_URL_PARAMETER,
        CorrelationId: {
          name: 'correlationId',
          in: 'path',
          required: true,
          description: 'The correlation ID from `POST /customers`.',
          schema: { type: 'string', format: 'uuid' },
          example: '6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a',
        },
        ...webhook.parameters,
        ...UPDATE_PARAMETERS,
      },
      schemas: {
        CustomerRequest: customerRequest,
        CustomerPatch: customerPatchJsonSchema(customerRequest),
        ...componentSchemas(),
        ...webhook.schemas,
        CustomerLink: customerLinkJsonSchema,
      },
    },
  };
}
