import { MERGE_PATCH_MEDIA_TYPES } from '../request-body';
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

/**
 * The OpenAPI description of the operator actions on one request and of the audit log (issue 31,
 * docs/operations.md; the HTTP edge is shared/http/operations/act-routes.ts). Operator routes.
 */
const AUTH =
  'Operators only: the master (admin) key with `CALLER_AUTH=keys`; with `CALLER_AUTH=app-service` an Entra ID sign-in holding `CALLER_ROLE_OPERATOR` (no key). Written to the audit log (`GET /ops/audit`) with the operator.';

const json = (description: string, schema: string, example: unknown): Json => ({
  description,
  headers: { 'Cache-Control': header('Cache-Control') },
  content: { 'application/json': { schema: ref(schema), examples: { example: { value: example } } } },
});

const REFUSED = problem(
  409,
  'The action does not apply to the request now (not failed, resolved already, nothing stored, changed meanwhile, nothing changed by the patch); `detail` says which.',
  ['actionRefused'],
);

const common = (): Record<string, Json> => ({
  ...callerProblems('admin'),
  '404': problem(404, 'No such request (or past its retention).', ['notFound']),
  '500': noContent500,
});

const VIEW_EXAMPLE = {
  correlationId: EXAMPLE_CORRELATION_ID,
  kind: 'create',
  status: 'queued',
  legalEntity: 'USRT',
  source: 'api',
  attempts: 0,
  createdAt: '2026-11-26T18:00:00.000Z',
  updatedAt: '2026-11-26T18:20:00.000Z',
  submittedAt: '2026-11-26T18:00:00.210Z',
  edited: true,
  hasPayload: true,
  actions: { retry: false, edit: false, resolve: false, link: false, createNew: false },
};

/** A possible duplicate decided by an operator (issue 32). */
const REVIEWED_EXAMPLE = {
  ...VIEW_EXAMPLE,
  submittedAt: undefined,
  edited: false,
  reviewDecision: 'linked',
};

function action(
  operationId: string,
  summary: string,
  description: string,
  responses: Json,
  body?: Json,
): Json {
  return {
    operationId,
    tags: ['operations'],
    summary: `${summary} (operator)`,
    description: `${AUTH} ${description}`,
    security: keySecurity('admin'),
    parameters: [{ $ref: '#/components/parameters/CorrelationId' }],
    ...(body !== undefined && { requestBody: body }),
    responses: {
      ...responses,
      '400': problem(400, 'The ID is not a UUID, or the body breaks a rule (`errors[]` with pointers).', [
        'invalidCorrelationId',
        'invalidBody',
      ]),
      ...common(),
    },
  };
}

export function operatorActionPaths(): Record<string, Json> {
  return {
    '/ops/requests/{correlationId}/payload': {
      get: action(
        'opsRequestPayload',
        'A request’s stored payload',
        'The customer request as stored (personal data), and as the caller sent it when an operator edited it since. Each read is audited (`payload.read`).',
        {
          '200': json('The payload.', 'RequestPayload', {
            payload: { Customer: { LegalEntity: 'USRT', FirstName: 'Alex', CustomerGroup: 'NOPE' } },
          }),
          '409': REFUSED,
        },
      ),
      patch: action(
        'opsEditRequest',
        'Edit and retry a failed request',
        'A JSON Merge Patch (RFC 7396) on the stored create request, validated exactly as `POST /customers` validates (the same rules, the same pointers), then replayed with a fresh retry budget. The original is kept (`…/payload` shows it); the audit log names the changed members, never their values. `LegalEntity` never changes, nor `EmailAddress` once an attempt reached D365 (the worker finds the customer by it, so a replay never makes a second one).',
        {
          '202': json('Queued again with the edited payload.', 'EditedRequest', {
            request: VIEW_EXAMPLE,
            changed: ['/Customer/CustomerGroup'],
          }),
          '409': REFUSED,
          '415': problem(
            415,
            'Neither `application/merge-patch+json` nor `application/json`.',
            ['unsupportedMediaType'],
            [],
            { 'Accept-Patch': header('Accept-Patch') },
          ),
        },
        {
          required: true,
          content: Object.fromEntries(
            MERGE_PATCH_MEDIA_TYPES.map((type) => [
              type,
              {
                schema: {
                  type: 'object',
                  required: ['Customer'],
                  properties: { Customer: { type: 'object' } },
                },
                examples: { group: { value: { Customer: { CustomerGroup: '20' } } } },
              },
            ]),
          ),
        },
      ),
    },
    '/ops/requests/{correlationId}/retry': {
      post: action(
        'opsRetryRequest',
        'Replay a failed request as it is',
        'Back to `queued` with a fresh retry budget; a request that may have reached D365 is looked up first, never created twice.',
        {
          '202': json('Queued again.', 'OperatorRequest', { ...VIEW_EXAMPLE, edited: false }),
          '409': REFUSED,
        },
      ),
    },
    '/ops/requests/{correlationId}/resolve': {
      post: action(
        'opsResolveRequest',
        'Resolve a request with a note',
        'Marks a `failed` or `needs_review` request handled (in D365, by hand): it leaves its view for `resolved`; its status stays. E-mail addresses and phone numbers are removed from the note; the audit log does not copy it.',
        {
          '200': json('Resolved.', 'OperatorRequest', {
            ...VIEW_EXAMPLE,
            status: 'failed',
            view: 'resolved',
            resolution: {
              how: 'manual',
              at: '2026-11-26T19:00:00.000Z',
              by: 'master-key',
              note: 'Created by hand.',
            },
          }),
          '409': REFUSED,
        },
        {
          required: false,
          content: {
            'application/json': {
              schema: ref('ResolveBody'),
              examples: { note: { value: { note: 'Created by hand in D365 as US-027.' } } },
            },
          },
        },
      ),
    },
    '/ops/requests/{correlationId}/link': {
      post: action(
        'opsLinkRequest',
        'Link a needs-review create to one of its candidates',
        'Issue 32: a `needs_review` create with candidate accounts (`review.candidates`: a possible duplicate, or several exact matches) is the customer of the candidate the operator names. The request ends `succeeded`, outcome `linked`, with that account (the customer link, its callback and telemetry as for the worker’s link: the caller’s later updates of that customer reach the account; `reviewDecision: linked`; resolved by the operator). Only one of the candidates: another account is a 400 at `/customerAccount`.',
        {
          '200': json('Linked.', 'OperatorRequest', {
            ...REVIEWED_EXAMPLE,
            status: 'succeeded',
            customerAccount: 'US-000123',
            outcome: 'linked',
            hasPayload: false,
            resolution: { how: 'manual', at: '2026-11-26T19:00:00.000Z', by: 'master-key' },
          }),
          '409': REFUSED,
        },
        {
          required: true,
          content: {
            'application/json': {
              schema: ref('LinkBody'),
              examples: { candidate: { value: { customerAccount: 'US-000123' } } },
            },
          },
        },
      ),
    },
    '/ops/requests/{correlationId}/create-new': {
      post: action(
        'opsCreateNewRequest',
        'Create a new customer for a possible duplicate',
        'Issue 32: a `needs_review` possible duplicate (`possible_duplicate`, its request stored) is queued again with `reviewDecision: create_new`: the worker skips the possible-duplicate check (an exact match by e-mail, or by name and phone, still links). Several exact matches are not offered this (409).',
        {
          '202': json('Queued again.', 'OperatorRequest', {
            ...REVIEWED_EXAMPLE,
            status: 'queued',
            reviewDecision: 'create_new',
          }),
          '409': REFUSED,
        },
      ),
    },
    '/console': {
      get: {
        operationId: 'opsConsole',
        tags: ['operations'],
        summary: 'The operator console page (operator)',
        description: `${AUTH.split(' Written')[0]} A browser page for the same actions: filter, list, detail, payload on request, edit and retry with the field errors inline, retry, resolve. With keys, open it as \`/api/console?code=<master key>\` (the page moves the key into a header and out of the address bar); behind App Service Authentication the platform signs the operator in.`,
        security: keySecurity('admin'),
        responses: {
          '200': {
            description: 'The page (no personal data on it until asked).',
            headers: {
              'Cache-Control': header('Cache-Control'),
              'Content-Security-Policy': {
                description:
                  'Nonce-based: the page runs only its own inline script and talks only to its origin.',
                schema: { type: 'string' },
              },
            },
            content: { 'text/html': { schema: { type: 'string' } } },
          },
          ...callerProblems('admin'),
          '500': noContent500,
        },
      },
    },
    '/ops/audit': {
      get: {
        operationId: 'opsAuditLog',
        tags: ['operations'],
        summary: 'The operator audit log (operator)',
        description: `${AUTH.split(' Written')[0]} Every operator action, newest first: one request’s history (\`correlationId\`), or the whole log a page at a time. Who, what, when, which requests; field names, never values.`,
        security: keySecurity('admin'),
        parameters: [
          { name: 'correlationId', in: 'query', required: false, schema: { type: 'string', format: 'uuid' } },
          {
            name: 'limit',
            in: 'query',
            required: false,
            description: `Page size (default ${DEFAULT_PAGE_SIZE}).`,
            schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE },
          },
          { name: 'cursor', in: 'query', required: false, schema: { type: 'string', maxLength: 200 } },
        ],
        responses: {
          '200': json('Entries, newest first.', 'AuditPage', {
            entries: [
              {
                id: '3b8e2f7a-1c4d-4e5f-8a9b-0c1d2e3f4a5b',
                at: '2026-11-26T18:20:00.000Z',
                actor: { kind: 'key', id: 'master-key' },
                action: 'request.edit_retry',
                correlationIds: [EXAMPLE_CORRELATION_ID],
                count: 1,
                fields: ['/Customer/CustomerGroup'],
                outcome: 'queued',
              },
            ],
          }),
          '400': problem(
            400,
            'A malformed or unknown query parameter (`errors[]`, pointer `/<parameter>`).',
            ['invalidQueryUnknownParameter'],
          ),
          ...callerProblems('admin'),
          '500': noContent500,
        },
      },
    },
  };
}
