import { FAILURE_CODES, FailureCode } from '../domain/status';
import { failureProblemType, PROBLEM_EXAMPLES } from './api-schemas';

/** The OpenAPI document's building blocks, shared by `openapi.ts` and `webhooks/openapi.ts`. */

export type Json = Record<string, unknown>;

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
/** A response header: its description and schema, required unless `optional`. */
export function header(name: keyof typeof HEADERS, optional = false): Json {
  return { ...HEADERS[name], required: !optional };
}

/** The correlation ID every example of the document uses, and its status URL. */
export const EXAMPLE_CORRELATION_ID = '6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a';
export const EXAMPLE_STATUS_URL = `https://contoso-sync.azurewebsites.net/api/customers/status/${EXAMPLE_CORRELATION_ID}`;

/** The `202` of a request stored and queued (a create or an update): where to poll, and its body. */
export function acceptedResponse(description: string): Json {
  return {
    description,
    headers: {
      Location: header('Location'),
      'Retry-After': header('Retry-After'),
      'X-Correlation-Id': header('X-Correlation-Id'),
      'Preference-Applied': header('Preference-Applied', true),
      'Idempotent-Replayed': header('Idempotent-Replayed', true),
    },
    content: {
      'application/json': {
        schema: ref('Accepted'),
        examples: {
          queued: {
            value: { correlationId: EXAMPLE_CORRELATION_ID, status: 'queued', statusUrl: EXAMPLE_STATUS_URL },
          },
        },
      },
    },
  };
}

export const HEADERS = {
  Location: {
    description: 'The status URL of the request.',
    schema: { type: 'string', format: 'uri' },
    example: EXAMPLE_STATUS_URL,
  },
  'Retry-After': {
    description: 'Seconds to wait before polling (or sending) again.',
    schema: { type: 'string', pattern: '^[0-9]+$' },
    example: '1',
  },
  'X-Correlation-Id': {
    description: 'The correlation ID.',
    schema: { type: 'string', format: 'uuid' },
    example: '6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a',
  },
  'Preference-Applied': {
    description: 'RFC 7240: `wait=N` when the wait was honoured.',
    schema: { type: 'string', pattern: '^wait=[0-9]+$' },
    example: 'wait=10',
  },
  'Idempotent-Replayed': {
    description:
      '`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.',
    schema: { type: 'string', enum: ['true'] },
    example: 'true',
  },
  'Accept-Patch': {
    description: 'RFC 5789: the patch formats the route takes.',
    schema: { type: 'string', enum: ['application/merge-patch+json, application/json'] },
    example: 'application/merge-patch+json, application/json',
  },
  'Cache-Control': {
    description: 'Never cached.',
    schema: { type: 'string', enum: ['no-store'] },
    example: 'no-store',
  },
} satisfies Record<string, Json>;

export type ProblemName = keyof typeof PROBLEM_EXAMPLES;

/** The codes a `needs_review` ending carries (README, Status life cycle). */
const NEEDS_REVIEW_CODES: readonly FailureCode[] = [
  'account_not_found',
  'update_conflict',
  'possible_duplicate',
];

export function failureExample(code: FailureCode, status: number): Json {
  return {
    type: failureProblemType(code),
    title: NEEDS_REVIEW_CODES.includes(code)
      ? 'The request ended for an operator to review'
      : 'D365 did not create the customer',
    status,
    detail: FAILURE_CODES[code],
    code,
    correlationId: '6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a',
    statusUrl:
      'https://contoso-sync.azurewebsites.net/api/customers/status/6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a',
  };
}

/** A problem response of one status: the Problem schema narrowed to the types that status carries. */
export function problem(
  status: number,
  description: string,
  fixed: ProblemName[],
  failures: FailureCode[] = [],
  headers: Record<string, Json> = {},
): Json {
  const examples: Record<string, Json> = {};
  const types: string[] = [];
  for (const name of fixed) {
    const example = PROBLEM_EXAMPLES[name];
    if (example.status !== status) throw new Error(`problem ${name} is ${example.status}, not ${status}`);
    examples[name] = { value: example };
    types.push(example.type);
  }
  for (const code of failures) {
    examples[code] = { value: failureExample(code, status) };
    types.push(failureProblemType(code));
  }
  return {
    description,
    headers,
    content: {
      'application/problem+json': {
        schema: {
          allOf: [ref('Problem'), { properties: { type: { enum: types }, status: { const: status } } }],
        },
        examples,
      },
    },
  };
}

export const noContent500 = {
  description: 'An unexpected error (storage unreachable mid-request); empty body. Send it again.',
};

/** The platform's answer while the host shuts down (a restart, a scale-in): empty, like Azure's. */
export const noContent503 = {
  description:
    'The host is shutting down (a restart or scale-in): empty body, no content type. Send it again.',
};
/** For an operation whose own `503` is a problem: the platform's empty one, in words. */
export const PLATFORM_503 =
  ' (While the host shuts down, a restart or scale-in, the platform answers `503` with an empty body instead.)';

/** Who may call an operation: any function key, or (operator routes) only the master key. */
export type KeyLevel = 'function' | 'admin';

/** The security requirement of a keyed operation (App Service Authentication is added per deployment). */
export function keySecurity(level: KeyLevel): Json[] {
  return level === 'admin'
    ? [{ masterKey: [] }, { masterKeyQuery: [] }]
    : [{ functionKey: [] }, { functionKeyQuery: [] }];
}

/**
 * `401` and `403` of a keyed operation. Every `401` is empty: the platform's answer to a missing or
 * wrong key (no body, no content type), App Service Authentication's to a missing token, and the app's
 * own when no principal reached it (`CALLER_AUTH=app-service`, with `WWW-Authenticate: Bearer`).
 */
export function callerProblems(level: KeyLevel = 'function'): Record<string, Json> {
  const key =
    level === 'admin'
      ? 'The master (admin) key is missing or wrong (a function key is not enough)'
      : 'The function key is missing or wrong';
  return {
    '401': {
      description: `${key}, or (\`CALLER_AUTH=app-service\`) no valid Entra ID token: the platform answers with an empty body and no content type. The app answers the same way (with \`WWW-Authenticate: Bearer\`) when no signed-in principal or no function key reached it.`,
      headers: {
        'WWW-Authenticate': {
          description:
            '`Bearer` when the app itself found no caller (`CALLER_AUTH=app-service`: no signed-in principal; `CALLER_KEYS`: no function key).',
          required: false,
          schema: { type: 'string' },
        },
      },
    },
    '403': problem(
      403,
      '`CALLER_AUTH=app-service`: the caller lacks the app role; with `CALLER_KEYS`: the function key is valid but names no caller, or one without the role.',
      ['forbidden'],
    ),
  };
}

/** The components' security schemes: the two key levels, each as header or `?code=`. */
export const SECURITY_SCHEMES: Record<string, Json> = {
  functionKey: {
    type: 'apiKey',
    in: 'header',
    name: 'x-functions-key',
    description:
      'A function key (or the master key) of the function app. Locally only when `DEV_FUNCTION_KEY` is set; a missing or wrong key gets the platform\u2019s empty `401`.',
  },
  functionKeyQuery: {
    type: 'apiKey',
    in: 'query',
    name: 'code',
    description: 'The function key as `?code=` (appears in logs and browser history: prefer the header).',
  },
  masterKey: {
    type: 'apiKey',
    in: 'header',
    name: 'x-functions-key',
    description:
      'The master (admin) key of the function app (`DEV_MASTER_KEY` locally): the operator routes take only this key; a function key gets the platform\u2019s empty `401`.',
  },
  masterKeyQuery: {
    type: 'apiKey',
    in: 'query',
    name: 'code',
    description: 'The master key as `?code=`.',
  },
};

/** The scheme a `CALLER_AUTH=app-service` deployment adds to every keyed operation (see `openApiDocument`). */
export const APP_SERVICE_AUTHENTICATION: Json = {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description:
    'With `CALLER_AUTH=app-service` (App Service Authentication in front): an Entra ID access token for the app, besides the key; its app roles decide what the caller may do (`CALLER_ROLE_*`). The document served by such a deployment requires it on every keyed operation.',
};
