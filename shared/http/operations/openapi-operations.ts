import {
  callerProblems,
  EXAMPLE_CORRELATION_ID,
  header,
  Json,
  keySecurity,
  noContent500,
  problem,
  ref,
} from '../openapi-parts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './list-query';
import {
  auditEntrySchema,
  auditPageSchema,
  editAnswerSchema,
  listedRequestSchema,
  operatorRequestSchema,
  payloadAnswerSchema,
  requestPageSchema,
  resolveBodySchema,
  linkBodySchema,
} from './schemas';
import { operatorActionPaths } from './openapi-actions';
import { replayPaths } from './openapi-replays';
import { replayBodySchema, replayJobListSchema, replayJobSchema } from './replay-schemas';

/**
 * The OpenAPI description of the operations API (issue 31, docs/operations.md): operator routes.
 * With `CALLER_AUTH=keys` they take the master key only (a function key gets the host's empty 401);
 * with `app-service` an Entra ID principal holding `CALLER_ROLE_OPERATOR` (401 / 403 otherwise).
 */
export const OPERATIONS_SCHEMAS = {
  ListedRequest: listedRequestSchema,
  RequestPage: requestPageSchema,
  OperatorRequest: operatorRequestSchema,
  RequestPayload: payloadAnswerSchema,
  EditedRequest: editAnswerSchema,
  ResolveBody: resolveBodySchema,
  LinkBody: linkBodySchema,
  AuditEntry: auditEntrySchema,
  AuditPage: auditPageSchema,
  ReplayBody: replayBodySchema,
  ReplayJob: replayJobSchema,
  ReplayJobList: replayJobListSchema,
};

const OPERATOR_SECURITY = keySecurity('admin');
const AUTH_NOTE =
  'Operators only: the master (admin) key with `CALLER_AUTH=keys`; with `CALLER_AUTH=app-service` an Entra ID sign-in holding `CALLER_ROLE_OPERATOR` (no key).';

const LISTED_EXAMPLE = {
  view: 'failed',
  correlationId: EXAMPLE_CORRELATION_ID,
  status: 'failed',
  kind: 'create',
  errorCode: 'not_registered',
  source: 'api',
  legalEntity: 'USRT',
  attempts: 1,
  createdAt: '2026-11-26T18:00:00.000Z',
  at: '2026-11-26T18:00:00.412Z',
};

const query = (name: string, description: string, schema: Json): Json => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

const okJson = (description: string, schema: string, examples: Record<string, unknown>): Json => ({
  description,
  headers: { 'Cache-Control': header('Cache-Control') },
  content: {
    'application/json': {
      schema: ref(schema),
      examples: Object.fromEntries(Object.entries(examples).map(([k, value]) => [k, { value }])),
    },
  },
});

export function operationsPaths(): Record<string, Json> {
  return {
    '/ops/requests': {
      get: {
        operationId: 'opsListRequests',
        tags: ['operations'],
        summary: 'List the requests that need an operator (operator)',
        description: `${AUTH_NOTE} A page of one view, newest first (by when each entered the view: \`at\`), filtered; the first page counts the matches per error code. Read from the operations index alone; no personal data.`,
        security: OPERATOR_SECURITY,
        parameters: [
          query('status', 'The view (default `failed`).', {
            type: 'string',
            enum: ['failed', 'needs_review', 'retrying', 'resolved'],
          }),
          query('errorCode', 'Only this failure code.', ref('FailureCode')),
          query('source', 'Only this source (a `WEBHOOK_SOURCES` name, a caller ID, or `api`).', {
            type: 'string',
            maxLength: 100,
          }),
          query('legalEntity', 'Only this legal entity.', { type: 'string', maxLength: 4 }),
          query('from', 'Entered the view at or after this time.', { type: 'string', format: 'date-time' }),
          query('to', 'Entered the view at or before this time.', { type: 'string', format: 'date-time' }),
          query('limit', `Page size (default ${DEFAULT_PAGE_SIZE}).`, {
            type: 'integer',
            minimum: 1,
            maximum: MAX_PAGE_SIZE,
          }),
          query('cursor', 'The `cursor` of the previous page.', { type: 'string', maxLength: 200 }),
        ],
        responses: {
          '200': okJson('A page.', 'RequestPage', {
            firstPage: {
              items: [LISTED_EXAMPLE],
              cursor: 'OTk5ODIzNjA5OTk5OS02ZjFjMmE0ZS04ZDBiLTRmN2UtOWE1MS0wYzNkMmIxZTRmNWE',
              counts: { total: 10000, byCode: { not_registered: 10000 } },
            },
          }),
          '400': problem(
            400,
            'A malformed or unknown query parameter (`errors[]`, pointer `/<parameter>`).',
            ['invalidQueryParameter'],
          ),
          ...callerProblems('admin'),
          '500': noContent500,
        },
      },
    },
    '/ops/requests/{correlationId}': {
      get: {
        operationId: 'opsRequestDetail',
        tags: ['operations'],
        summary: 'One request, as an operator sees it (operator)',
        description: `${AUTH_NOTE} Its state, codes, times, resolution and the actions open to it; never its payload.`,
        security: OPERATOR_SECURITY,
        parameters: [{ $ref: '#/components/parameters/CorrelationId' }],
        responses: {
          '200': okJson('The request.', 'OperatorRequest', {
            failed: {
              correlationId: EXAMPLE_CORRELATION_ID,
              kind: 'create',
              status: 'failed',
              view: 'failed',
              legalEntity: 'USRT',
              source: 'api',
              error: {
                code: 'not_registered',
                message: 'D365 refused the app (401 to a freshly issued token, or 403).',
              },
              attempts: 1,
              createdAt: '2026-11-26T18:00:00.000Z',
              updatedAt: '2026-11-26T18:00:00.412Z',
              edited: false,
              hasPayload: true,
              actions: { retry: true, edit: true, resolve: true, link: false, createNew: false },
            },
          }),
          '400': problem(400, 'The ID is not a UUID.', ['invalidCorrelationId']),
          ...callerProblems('admin'),
          '404': problem(404, 'No such request (or past its retention).', ['notFound']),
          '500': noContent500,
        },
      },
    },
    ...operatorActionPaths(),
    ...replayPaths(),
  };
}
