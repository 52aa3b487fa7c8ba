import { openApiDocument } from '../../shared/http/openapi';

/** The Postman collection's building blocks: a request from an OpenAPI operation, shared test snippets. */

export type Json = Record<string, unknown>;

export const document = openApiDocument() as {
  info: { title: string; description: string; version: string };
  paths: Record<
    string,
    Record<
      string,
      { operationId: string; summary: string; description: string; security?: Record<string, unknown>[] }
    >
  >;
};

/** The key an operation takes, from its security requirement: the master key on the operator routes. */
function keyHeader(op: { security?: Record<string, unknown>[] }) {
  const admin = op.security?.some((alternative) => 'masterKey' in alternative) ?? false;
  return admin
    ? {
        key: 'x-functions-key',
        value: '{{masterKey}}',
        description: 'The master (admin) key; leave empty locally.',
      }
    : { key: 'x-functions-key', value: '{{functionKey}}', description: 'Leave empty locally.' };
}

export function operation(path: string, method: string) {
  const found = document.paths[path]?.[method];
  if (!found) throw new Error(`the OpenAPI document has no ${method} ${path}`);
  return found;
}

/** Shared test snippets (Postman sandbox JavaScript). */
export const PROBLEM_SHAPE = [
  "pm.test('the answer is RFC 9457 problem+json', () => {",
  "  pm.expect(pm.response.headers.get('Content-Type')).to.include('application/problem+json');",
  '  const problem = pm.response.json();',
  '  pm.expect(problem.type).to.match(/^urn:d365-customer-sync:problem:[a-z-]+$/);',
  "  pm.expect(problem.title).to.be.a('string');",
  '  pm.expect(problem.status).to.eql(pm.response.code);',
  "  pm.expect(problem.detail).to.be.a('string');",
  '});',
];
export const status = (code: number) => [
  `pm.test('status ${code}', () => pm.response.to.have.status(${code}));`,
];
export const ACCOUNT_FORMAT = [
  "pm.test('the D365 account number has the D365 format', () => {",
  '  const answer = pm.response.json();',
  "  pm.expect(answer.status).to.eql('succeeded');",
  "  pm.expect(answer.customerAccount).to.match(new RegExp(pm.collectionVariables.get('accountPattern') || '^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$'));",
  '});',
];

export function request(
  name: string,
  path: string,
  method: string,
  options: {
    url: string;
    headers?: { key: string; value: string; description?: string }[];
    body?: unknown;
    rawBody?: string;
    contentType?: string;
    prerequest?: string[];
    tests: string[];
    /** No function key (the webhook routes: the signature is the authentication). */
    anonymous?: boolean;
    /** The request's own `x-functions-key` in `headers` replaces the operation's key. */
    replaceKey?: boolean;
  },
): Json {
  const op = operation(path, method);
  const raw = `{{baseUrl}}${options.url}`;
  const [base, query] = raw.split('?');
  const headers = [
    ...(options.body !== undefined || options.rawBody !== undefined
      ? [{ key: 'Content-Type', value: options.contentType ?? 'application/json' }]
      : []),
    ...(options.anonymous || options.replaceKey ? [] : [keyHeader(op)]),
    ...(options.headers ?? []),
  ];
  return {
    name,
    event: [
      ...(options.prerequest
        ? [{ listen: 'prerequest', script: { type: 'text/javascript', exec: options.prerequest } }]
        : []),
      { listen: 'test', script: { type: 'text/javascript', exec: options.tests } },
    ],
    request: {
      method: method.toUpperCase(),
      description: `**${op.summary}** (\`${op.operationId}\`). ${op.description}`,
      header: headers,
      ...(options.body !== undefined || options.rawBody !== undefined
        ? {
            body: {
              mode: 'raw',
              raw: options.rawBody ?? JSON.stringify(options.body, null, 2),
              options: { raw: { language: 'json' } },
            },
          }
        : {}),
      url: {
        raw,
        host: ['{{baseUrl}}'],
        path: base!.replace('{{baseUrl}}/', '').split('/'),
        ...(query
          ? {
              query: query.split('&').map((pair) => ({ key: pair.split('=')[0], value: pair.split('=')[1] })),
            }
          : {}),
      },
    },
  };
}

/**
 * Polls until `pm.response.json()[field]` is one of `until` (at most `limit` times, half a second
 * apart: the sandbox waits for the timer before the next request), then runs `tests`. Never a
 * fixed wait: a loaded machine only takes more polls.
 */
export function pollUntil(
  name: string,
  field: string,
  until: string[],
  tests: string[],
  limit = 120,
): string[] {
  const counter = `polls_${name.replace(/[^A-Za-z0-9]/g, '')}`;
  return [
    ...status(200),
    `const polls = Number(pm.collectionVariables.get('${counter}') || 0) + 1;`,
    `const value = pm.response.json().${field};`,
    `if (!${JSON.stringify(until)}.includes(value) && polls < ${limit}) {`,
    `  pm.collectionVariables.set('${counter}', polls);`,
    `  pm.execution.setNextRequest(${JSON.stringify(name)});`,
    '  setTimeout(() => {}, 500);',
    '} else {',
    `  pm.collectionVariables.set('${counter}', 0);`,
    `  pm.test('${field} is ${until.join(' or ')}', () => pm.expect(${JSON.stringify(until)}).to.include(value));`,
    ...tests.map((line) => `  ${line}`),
    '}',
  ];
}
