import { z } from 'zod';
import { failureCodeSchema, outcomeSchema, statusSchema, verificationSchema } from './api-schemas';
import { MAX_CALLBACK_URL_LENGTH } from './callback-url';
import { writeBackSchema } from './write-back-schema';
import { callerProblems, header, Json, noContent500, problem, ref } from './openapi-parts';

/**
 * The result callback in the OpenAPI document: the `Callback-Url` request header that registers
 * it, the event body (a component schema, from zod like the others) and the `callbacks` object
 * of `POST /customers` that describes the signed POST the app makes.
 */
export const callbackEventSchema = z
  .strictObject({
    type: z
      .string()
      .regex(/^customer\.[a-z_.]+$/)
      .meta({
        description:
          '`customer.` + the final status: `customer.succeeded`, `customer.failed`, `customer.needs_review`; a shop write-back’s ending: `customer.write_back.written`, `customer.write_back.failed` (an event of its own, after the request’s `customer.succeeded`).',
      }),
    timestamp: z.iso
      .datetime()
      .meta({ description: "When the request ended (the status answer's `updatedAt`)." }),
    data: z.strictObject({
      correlationId: z.uuid(),
      kind: z.literal('update').optional().meta({ description: '`update` for a customer update.' }),
      status: statusSchema,
      legalEntity: z.string(),
      source: z.string().optional().meta({ description: 'The link\u2019s source (see the status answer).' }),
      sourceCustomerId: z.string().optional().meta({ description: 'The source\u2019s customer ID.' }),
      customerAccount: z.string().optional().meta({ description: 'The D365 account (`succeeded`).' }),
      outcome: outcomeSchema.optional(),
      verification: verificationSchema.optional(),
      errorCode: failureCodeSchema.optional(),
      attempts: z.number().int().min(0),
      writeBack: writeBackSchema.optional().meta({
        description:
          'The shop write-back: `pending` in `customer.succeeded`, its ending in `customer.write_back.*`.',
      }),
    }),
  })
  .meta({
    description:
      'A result event: no personal data, only the request, its final status, the account, the outcome and the failure code. Signed per Standard Webhooks; dedupe on `webhook-id`.',
    examples: [
      {
        type: 'customer.succeeded',
        timestamp: '2025-01-15T10:21:07.412Z',
        data: {
          correlationId: '6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a',
          status: 'succeeded',
          legalEntity: 'USRT',
          customerAccount: 'USRT-000123',
          outcome: 'created',
          attempts: 1,
        },
      },
    ],
  });

export const CALLBACK_URL_PARAMETER = {
  name: 'Callback-Url',
  in: 'header',
  required: false,
  description:
    "Where the signed result event is POSTed when the request ends (see the `resultEvent` callback). `https://` only, its host on `CALLBACK_ALLOWED_HOSTS`, never resolving to a private, loopback or link-local address; refused with `400` (`invalid-header`) saying why. An `Idempotency-Key` repeat keeps the first request's URL.",
  schema: { type: 'string', format: 'uri', maxLength: MAX_CALLBACK_URL_LENGTH },
  example: 'https://shop.example.com/hooks/d365-customers',
};

const signedHeader = (name: string, description: string, example: string) => ({
  name,
  in: 'header',
  required: true,
  description,
  schema: { type: 'string' },
  example,
});

/** The `callbacks` object of `POST /customers`. */
export function resultCallbacks(): Record<string, unknown> {
  return {
    resultEvent: {
      '{$request.header.Callback-Url}': {
        post: {
          summary: 'The result of a request, when it ends',
          description:
            'Sent once the request is `succeeded`, `failed` or `needs_review`, at least once (dedupe on `webhook-id`), signed with your own `whsec_` secret (`GET /callbacks/secret`; derived from the app\u2019s secret in Key Vault, `CALLBACK_SECRET_NAME`, so another caller cannot sign an event your receiver accepts). Retried with back-off, or after your `Retry-After`, up to `CALLBACK_MAX_ATTEMPTS`; `410` disables the URL. Redirects are not followed. Verify with any Standard Webhooks library.',
          parameters: [
            signedHeader(
              'webhook-id',
              'The event ID: the same for every delivery of one ending.',
              'evt_3b1f0c9a7e2d4c6b8a9f0e1d2c3b4a59',
            ),
            signedHeader(
              'webhook-timestamp',
              'Seconds since the epoch when this delivery was signed.',
              '1736936467',
            ),
            signedHeader(
              'webhook-signature',
              '`v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`; several, space-separated, during a secret rotation.',
              'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
            ),
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/CallbackEvent' } } },
          },
          responses: {
            '200': { description: 'Any `2xx` takes the event.' },
            default: {
              description:
                '`410 Gone` disables the URL: nothing more is sent to it, and it cannot be registered again. Anything else (or no answer within `CALLBACK_TIMEOUT_MS`) is tried again later.',
            },
          },
        },
      },
    },
  };
}

/** `GET /callbacks/secret`: the caller's own signing secrets. */
export function callbackSecretPaths(): Record<string, Json> {
  return {
    '/callbacks/secret': {
      get: {
        operationId: 'getCallbackSecrets',
        tags: ['customers'],
        summary: 'Your secret for verifying result callbacks',
        description:
          'The `whsec_` secrets that sign the result callbacks of your requests: each caller\u2019s are its own (derived from the app\u2019s secret and the caller), so one caller cannot forge an event another\u2019s receiver accepts. With one shared function key (no `CALLER_KEYS`), the app\u2019s secret itself. Read it again after the app\u2019s secret is rotated (both are listed, and both sign, during the rotation window).',
        responses: {
          '200': {
            description: 'Your secrets, the newest first.',
            headers: { 'Cache-Control': header('Cache-Control') },
            content: { 'application/json': { schema: ref('CallbackSecrets') } },
          },
          ...callerProblems(),
          '500': noContent500,
          '503': problem(503, 'Key Vault did not answer.', ['secretUnavailable'], [], {
            'Retry-After': header('Retry-After'),
          }),
        },
      },
    },
  };
}
