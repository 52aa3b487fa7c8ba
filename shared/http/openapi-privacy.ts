import {
  callerProblems,
  header,
  Json,
  keySecurity,
  noContent500,
  noContent503,
  PLATFORM_503,
  problem,
  ref,
} from './openapi-parts';

/**
 * The OpenAPI description of the privacy routes (issue 27; docs/privacy.md): the operators' request
 * intake, the status and proof, a data request's export and the release of an erasure.
 */
const EXAMPLE_ID = '0b3c5d7e-9f1a-8b2c-8d4e-6f8a0b2c4d6e';
const STATUS_URL = `https://contoso-sync.azurewebsites.net/api/privacy/requests/${EXAMPLE_ID}`;

const ERASE_EXAMPLE = {
  id: EXAMPLE_ID,
  type: 'erase',
  status: 'succeeded',
  scope: 'customer',
  via: 'shopify',
  source: 'contoso-shopify',
  receivedAt: '2026-11-26T18:00:00.000Z',
  dueAt: '2026-12-26T18:00:00.000Z',
  pastDue: false,
  completedAt: '2026-11-26T18:01:05.000Z',
  erased: { statusRecords: 3, customerLinks: 1, claims: 0 },
  d365: [{ legalEntity: 'USRT', customerAccount: 'US-000001', action: 'reported' }],
  attempts: 4,
  updatedAt: '2026-11-26T18:01:05.000Z',
};

const idParameter: Json = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The privacy request\u2019s ID (`id` in its answers).',
  schema: { type: 'string', format: 'uuid' },
  example: EXAMPLE_ID,
};

const answer = (description: string, examples: Record<string, Json>, headers: Json = {}): Json => ({
  description,
  headers: { 'Cache-Control': header('Cache-Control'), ...headers },
  content: {
    'application/json': {
      schema: ref('PrivacyAnswer'),
      examples: Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { value }])),
    },
  },
});

const notFound = () => problem(404, 'No such privacy request (or past its retention).', ['notFound']);
const badId = () => problem(400, 'The ID is not a UUID.', ['invalidCorrelationId']);

const OPERATOR =
  'Operators only (as the operations routes): the master (admin) key with `CALLER_AUTH=keys`; with `CALLER_AUTH=app-service` an Entra ID sign-in holding `CALLER_ROLE_OPERATOR` (no key). Creating a request, fetching an export and releasing an erasure are recorded in the operator audit log (`GET /api/ops/audit`).';

export function privacyPaths(): Record<string, Json> {
  return {
    '/privacy/requests': {
      post: {
        operationId: 'createPrivacyRequest',
        tags: ['privacy'],
        summary: 'Ask for a customer\u2019s erasure or a copy of what is held (operator)',
        description: `A privacy request from any channel (POS, BigCommerce, a merchant\u2019s e-mail): \`erase\` forgets the customer everywhere the app holds it (docs/privacy.md), \`export\` prepares a copy. Name the customer in exactly one way. Stored with its due date (30 days) and answered at once with its status URL; the same \`Idempotency-Key\` (or, without one, the same body within 30 days) is the same request. ${OPERATOR}`,
        security: keySecurity('admin'),
        parameters: [{ $ref: '#/components/parameters/IdempotencyKey' }],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: ref('PrivacyRequest'),
              examples: {
                byReference: { value: { type: 'erase', source: 'pos', reference: 'POS-000123' } },
                byAccount: { value: { type: 'export', legalEntity: 'USRT', customerAccount: 'US-000001' } },
                byEmail: { value: { type: 'erase', email: 'jane.doe@example.com' } },
              },
            },
          },
        },
        responses: {
          '200': answer(
            'The same request again: its current state.',
            { replayed: ERASE_EXAMPLE },
            {
              Location: header('Location'),
              'Idempotent-Replayed': header('Idempotent-Replayed'),
            },
          ),
          '202': answer(
            'Stored and queued.',
            {
              queued: {
                ...ERASE_EXAMPLE,
                via: 'api',
                source: undefined,
                status: 'queued',
                completedAt: undefined,
                erased: {},
                d365: [],
                attempts: 0,
                statusUrl: STATUS_URL,
              },
            },
            { Location: header('Location') },
          ),
          '400': problem(400, 'Not JSON, or the customer is not named in exactly one way.', [
            'invalidBody',
            'invalidHeader',
          ]),
          ...callerProblems('admin'),
          '422': problem(422, 'The `Idempotency-Key` was used for another request.', [
            'idempotencyKeyReused',
          ]),
          '413': problem(413, 'The body is over 32 KiB.', ['tooLarge']),
          '500': noContent500,
          '503': problem(
            503,
            `Storage unavailable; nothing was stored.${PLATFORM_503}`,
            ['storageUnavailable'],
            [],
            {
              'Retry-After': header('Retry-After'),
            },
          ),
        },
      },
    },
    '/privacy/requests/{id}': {
      get: {
        operationId: 'getPrivacyRequest',
        tags: ['privacy'],
        summary: 'A privacy request\u2019s status and proof (operator)',
        description: `Where the request stands, its due date (\`pastDue\` once it passed unfinished), and the proof: what was erased (or found) per store as counts, never values, the linked D365 customers and what became of them. ${OPERATOR}`,
        security: keySecurity('admin'),
        parameters: [idParameter],
        responses: {
          '200': answer('The request.', { erased: ERASE_EXAMPLE }),
          '400': badId(),
          ...callerProblems('admin'),
          '404': notFound(),
          '500': noContent500,
          '503': noContent503,
        },
      },
    },
    '/privacy/requests/{id}/export': {
      get: {
        operationId: 'getPrivacyExport',
        tags: ['privacy'],
        summary: 'A data request\u2019s export (operator)',
        description: `What the app holds about the customer, as stored: its requests (with the customer they carried while still held) and the D365 accounts linked. Built when fetched; each fetch is recorded on the request (\`fetches\`: who, when). ${OPERATOR}`,
        security: keySecurity('admin'),
        parameters: [idParameter],
        responses: {
          '200': {
            description: 'The export.',
            headers: { 'Cache-Control': header('Cache-Control') },
            content: { 'application/json': { schema: ref('PrivacyExport') } },
          },
          '400': badId(),
          ...callerProblems('admin'),
          '404': notFound(),
          '409': problem(409, 'Not a data request, or not completed yet.', ['notReady']),
          '500': noContent500,
          '503': noContent503,
        },
      },
    },
    '/privacy/requests/{id}/release': {
      post: {
        operationId: 'releasePrivacyRequest',
        tags: ['privacy'],
        summary: 'Let an erased customer come back (operator)',
        description: `After an erasure, deliveries of that customer (after \`shop/redact\`: of that shop) are acknowledged and dropped and API creates naming it refused (\`409 erased-customer\`). The merchant\u2019s say lifts that: its erasure marks are removed and \`releasedAt\` recorded; what was erased stays erased. ${OPERATOR}`,
        security: keySecurity('admin'),
        parameters: [idParameter],
        responses: {
          '200': answer('Released.', {
            released: { ...ERASE_EXAMPLE, releasedAt: '2026-11-28T09:00:00.000Z' },
          }),
          '400': badId(),
          ...callerProblems('admin'),
          '404': notFound(),
          '409': problem(409, 'Not a completed erasure.', ['notReady']),
          '500': noContent500,
          '503': noContent503,
        },
      },
    },
  };
}
