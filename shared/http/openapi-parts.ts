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
  'Cache-Control': {
    description: 'Never cached.',
    schema: { type: 'string', enum: ['no-store'] },
    example: 'no-store',
  },
} satisfies Record<string, Json>;

export type ProblemName = keyof typeof PROBLEM_EXAMPLES;

export function failureExample(code: FailureCode, status: number): Json {
  return {
    type: failureProblemType(code),
    title: 'D365 did not create the customer',
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

export function callerProblems(): Record<string, Json> {
  return {
    '401': problem(
      401,
      '`CALLER_AUTH=app-service`: no signed-in principal; with `CALLER_KEYS`: no function key. (A missing or wrong function key is answered by the platform with an empty 401.)',
      ['unauthenticated'],
    ),
    '403': problem(
      403,
      '`CALLER_AUTH=app-service`: the caller lacks the app role; with `CALLER_KEYS`: the function key names no caller, or one without the role.',
      ['forbidden'],
    ),
  };
}
