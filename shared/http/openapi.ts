// Over 300 lines: one declarative OpenAPI document (the customer routes) reads best in one place.
import { z } from 'zod';
import {
  createCustomerRequestSchema,
  FIELD_LIMITS,
  GENDERS,
  MAX_ADDRESSES_PER_LIST,
} from '../domain/customer-contract';
import { FAILURE_CODES } from '../domain/status';
import {
  acceptedSchema,
  failureCodeSchema,
  fieldErrorSchema,
  healthSchema,
  problemSchema,
  statusAnswerSchema,
  statusSchema,
  webhookAcceptedSchema,
  webhookIgnoredSchema,
} from './api-schemas';
import { FULL_CUSTOMER_EXAMPLE, MINIMAL_CUSTOMER_EXAMPLE } from './openapi-examples';
import {
  acceptedResponse,
  callerProblems,
  EXAMPLE_CORRELATION_ID,
  header,
  Json,
  noContent500,
  problem,
  ref,
} from './openapi-parts';
import { WEBHOOK_STATUS_EXAMPLES, webhookComponents, webhookPaths } from './webhooks/openapi';
import { CALLBACK_URL_PARAMETER, callbackEventSchema, resultCallbacks } from './openapi-callbacks';
import { customerLinkJsonSchema, UPDATE_PARAMETERS, updatePaths } from './openapi-updates';
import { writeBackPaths } from './openapi-write-back';

/**
 * The OpenAPI 3.1 description of the HTTP API, built from the zod schemas that validate requests
 * (`shared/domain/customer-contract.ts`) and shape answers (`shared/http/api-schemas.ts`), so the
 * document cannot drift from the code. Served at `GET /api/openapi.json`; `docs/openapi.json` is
 * the same document, checked in for linters, Postman and code generators.
 */

/**
 * The contract's fields are zod transforms over `unknown` (they trim, normalise and check before
 * measuring), which JSON Schema cannot express; the structure (names, required, no extra
 * properties, list sizes) comes from zod, and each field's JSON form from the contract's constants.
 */
function fieldSchema(name: string, required: boolean): Json | undefined {
  const text = (description: string, extra: Json = {}): Json => ({
    type: required ? 'string' : ['string', 'null'],
    description: `${description}${required ? '' : ' Optional; `null` or `""` is the same as absent.'}`,
    ...extra,
  });
  const limit = (FIELD_LIMITS as Record<string, number>)[name];
  const measured = limit === undefined ? {} : { maxLength: limit };
  const after = 'after trimming and Unicode NFC normalisation';
  switch (name) {
    case 'LegalEntity':
      return text(`D365 legal entity (company) ID, any case, at most ${limit} characters.`, {
        ...measured,
        examples: ['USRT'],
      });
    case 'FirstName':
    case 'MiddleName':
    case 'LastName':
      return text(
        `Letters of any script, marks, digits, punctuation and spaces; at most ${limit} characters ${after}.`,
        {
          ...measured,
          examples: [name === 'FirstName' ? 'Alex' : 'Trump'],
        },
      );
    case 'ContactNumber':
      return text('International phone number; stored as E.164, e.g. `+923004000101`.', {
        maxLength: 32,
        examples: ['+923004000101'],
      });
    case 'CurrencyCode':
      return text('ISO 4217 currency code, any case.', { ...measured, examples: ['USD'] });
    case 'EmailAddress':
      return text(`E-mail address; the domain is stored in lower case; at most ${limit} characters.`, {
        ...measured,
        examples: ['abc1234@gmail.com'],
      });
    case 'DateOfBirth':
      return text('`MM/DD/YYYY` (as the source article), not in the future, not before 01/01/1900.', {
        maxLength: 10,
        examples: ['11/10/1997'],
      });
    case 'Gender':
      return text(`One of ${GENDERS.join(', ')} (any case).`, { maxLength: 16, examples: ['Male'] });
    case 'CustomerGroup':
      return text(
        `D365 customer group ID, at most ${limit} characters; default \`DEFAULT_CUSTOMER_GROUP\`.`,
        {
          ...measured,
          examples: ['30'],
        },
      );
    case 'Addresstitle':
    case 'Street':
    case 'City':
    case 'Country':
      return text(`Address text; at most ${limit} characters ${after}.`, measured);
    case 'Addresstype':
      return text('`Billing` in BillingAddress, `Shipping` in ShippingAddress.', {
        maxLength: 16,
        examples: ['Billing'],
      });
    case 'PrimaryAddress':
      return text('`Yes` or `No`; at most one `Yes` per list.', { maxLength: 8, examples: ['Yes'] });
    case 'PostalCode':
      return text(`Letters, digits, spaces or hyphens; at most ${limit} characters.`, measured);
    case 'CountryCode':
      return text('ISO 3166-1 alpha-3 country code, any case, e.g. `USA`.', {
        maxLength: 16,
        examples: ['USA'],
      });
    case 'State':
      return text(`Letters, digits, spaces, "." and "-"; at most ${limit} characters.`, measured);
    default:
      return undefined;
  }
}

function customerRequestJsonSchema(): Json {
  const schema = z.toJSONSchema(createCustomerRequestSchema({ defaultCustomerGroup: 'DEFAULT' }), {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Json;
  delete schema.$schema;
  // zod gives each object's properties, `required` and `additionalProperties: false`; each field's
  // own schema (an empty one, a transform) is filled in from the contract's constants.
  const fill = (object: Json, what: string): void => {
    const required = (object.required as string[] | undefined) ?? [];
    const properties = object.properties as Record<string, Json> | undefined;
    if (!properties) throw new Error(`the contract's ${what} has no properties`);
    for (const [name, property] of Object.entries(properties)) {
      if (Object.keys(property).length > 0) continue;
      const field = fieldSchema(name, required.includes(name));
      if (!field) throw new Error(`no JSON form for the contract's field ${what}.${name}`);
      properties[name] = field;
    }
  };
  const customer = (schema.properties as Record<string, Json>).Customer!;
  fill(customer, 'Customer');
  customer.description =
    'The customer, in the source article\u2019s spellings (`Addresstitle`, `Addresstype`).';
  for (const list of ['BillingAddress', 'ShippingAddress']) {
    const property = (customer.properties as Record<string, Json>)[list]!;
    fill(property.items as Json, list);
    property.type = ['array', 'null'];
    property.description = `Up to ${MAX_ADDRESSES_PER_LIST} addresses; \`null\` or \`[]\` is the same as absent.`;
  }
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
    Status: statusSchema,
    FailureCode: failureCodeSchema,
    FieldError: fieldErrorSchema,
    WebhookAccepted: webhookAcceptedSchema,
    WebhookIgnored: webhookIgnoredSchema,
    CallbackEvent: callbackEventSchema,
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
}

let cached: Json | undefined;

/** The OpenAPI 3.1 document (a plain JSON object). */
export function openApiDocument(options: OpenApiOptions = {}): Json {
  cached ??= buildDocument();
  if (!options.serverUrl) return cached;
  return { ...cached, servers: [{ url: options.serverUrl, description: 'This app.' }] };
}

function buildDocument(): Json {
  const webhook = webhookComponents();
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
    security: [{ functionKey: [] }, { functionKeyQuery: [] }],
    tags: [
      { name: 'customers', description: 'Create customers and follow their requests.' },
      { name: 'operations', description: 'Operator and platform routes.' },
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
              'The first request with this `Idempotency-Key` is still being accepted (`Retry-After`), or (`Prefer: wait`, `DUPLICATE_POLICY=reject`) the customer exists.',
              ['idempotencyKeyInProgress'],
              ['duplicate'],
              {
                'Retry-After': header('Retry-After', true),
                'X-Correlation-Id': header('X-Correlation-Id', true),
                Location: header('Location', true),
              },
            ),
            '413': problem(413, 'The body is over 32 KiB.', ['tooLarge']),
            '415': problem(415, 'The body is not `application/json`.', ['unsupportedMediaType']),
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
              '`Prefer: wait`: a D365 configuration problem (secret, app registration).',
              [],
              ['not_registered', 'invalid_secret', 'unauthorized', 'configuration'],
              { 'X-Correlation-Id': header('X-Correlation-Id', true), Location: header('Location', true) },
            ),
            '503': problem(
              503,
              'Storage unavailable, nothing was queued: send it again after `Retry-After`. Or (`Prefer: wait`) retries exhausted.',
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
          security: [{ functionKey: [] }, { functionKeyQuery: [] }],
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
            ...callerProblems(),
            '404': problem(404, 'No such request.', ['notFound']),
            '409': problem(409, 'Only a `failed` request within its retention can be replayed.', [
              'notReplayable',
            ]),
            '500': noContent500,
          },
        },
      },
      ...writeBackPaths(),
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
          },
        },
      },
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
          },
        },
      },
      ...webhookPaths(),
    },
    components: {
      securitySchemes: {
        functionKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-functions-key',
          description: 'An Azure Functions key (locally only when `DEV_FUNCTION_KEY` is set).',
        },
        functionKeyQuery: {
          type: 'apiKey',
          in: 'query',
          name: 'code',
          description: 'The function key as `?code=`.',
        },
      },
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
        CustomerRequest: customerRequestJsonSchema(),
        ...componentSchemas(),
        ...webhook.schemas,
        CustomerLink: customerLinkJsonSchema,
      },
    },
  };
}
