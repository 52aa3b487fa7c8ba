import fc from 'fast-check';
import { AppStack, startAppStack } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';
import { openApiDocument } from '../../shared/http/openapi';
import { FULL_CUSTOMER_EXAMPLE } from '../../shared/http/openapi-examples';
import {
  headerVariations,
  Json,
  resolveSchema,
  schemaValidator,
  schemaVariations,
} from '../support/schema-variations';

const full = sampleCustomer('full');

/** Resolves an RFC 6901 pointer; `undefined` when the path does not exist. */
function resolve(document: unknown, pointer: string): { found: boolean } {
  if (pointer === '') return { found: true };
  let node: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, token)) {
      return { found: false };
    }
    node = (node as Record<string, unknown>)[token];
  }
  return { found: true };
}

/** A pointer is real when it names a path of the body, or a missing member of an object in it. */
function pointsIntoBody(body: unknown, pointer: string): boolean {
  if (resolve(body, pointer).found) return true;
  const parent = pointer.slice(0, pointer.lastIndexOf('/'));
  return pointer.startsWith('/') && resolve(body, parent).found;
}

const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '\u0000',
    '\ud800',
    'a\u202eb',
    '\u0007',
    ' '.repeat(300),
    'e\u0301',
    '__proto__',
    '王',
    'ا',
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
);

const paths: string[][] = [];
(function collect(node: unknown, path: string[]): void {
  if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      paths.push([...path, k]);
      collect(v, [...path, k]);
    }
  }
})(full, []);

/** The valid fixture with one to three edits: a value replaced, a member removed or added. */
const mutated = fc
  .array(
    fc.tuple(
      fc.constantFrom(...paths),
      fc.constantFrom('replace', 'remove', 'add'),
      hostile,
      fc.string({ maxLength: 12 }),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((edits) => {
    const body = structuredClone(full) as Record<string, unknown>;
    for (const [path, op, value, name] of edits) {
      let parent: Record<string, unknown> | undefined = body;
      for (const key of path.slice(0, -1)) parent = parent?.[key] as Record<string, unknown> | undefined;
      if (!parent || typeof parent !== 'object') continue;
      const key = path.at(-1)!;
      if (op === 'replace') parent[key] = value;
      else if (op === 'remove') delete parent[key];
      else if (parent[key] && typeof parent[key] === 'object')
        (parent[key] as Record<string, unknown>)[name] = value;
    }
    return JSON.stringify(body);
  });

const protoKeys = fc
  .constantFrom('__proto__', 'constructor', 'prototype')
  .map((key) => JSON.stringify(full).replace('"FirstName"', `"${key}":{"polluted":true},"FirstName"`));

const deep = fc.integer({ min: 40, max: 400 }).map((n) => `{"Customer":${'['.repeat(n)}${']'.repeat(n)}}`);

describe('hostile input through the real host', () => {
  let stack: AppStack;

  beforeAll(async () => {
    // The worker is off, so the queue holds exactly what the intake accepted.
    stack = await startAppStack({
      settings: { 'AzureWebJobs.processCustomer.Disabled': 'true', RATE_LIMIT_PER_MINUTE: '0' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('never answers 5xx, queues only what it accepts, and points every rejection at a real path', async () => {
    let sent = 0;
    let accepted = 0;
    const statuses = new Map<number, number>();
    const check = async (text: string): Promise<void> => {
      sent += 1;
      const response = await fetch(`${stack.url}/api/customers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: text,
      });
      const answer = await response.text();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      expect(response.status).toBeLessThan(500);
      if (response.status === 202) {
        accepted += 1;
        return;
      }
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      const problem = JSON.parse(answer) as { status: number; errors: { pointer: string; detail: string }[] };
      expect(problem.status).toBe(response.status);
      expect(problem.errors.length).toBeGreaterThan(0);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      for (const { pointer, detail } of problem.errors) {
        expect(typeof detail).toBe('string');
        if (body === undefined) expect(pointer).toBe('');
        else expect(pointsIntoBody(body, pointer)).toBe(true);
      }
    };

    await fc.assert(fc.asyncProperty(mutated, check), { numRuns: 1200 });
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
        check,
      ),
      {
        numRuns: 400,
      },
    );
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), check), { numRuns: 300 });
    await fc.assert(fc.asyncProperty(fc.oneof(protoKeys, deep), check), { numRuns: 100 });

    const depth = (await stack.queue.getProperties()).approximateMessagesCount ?? 0;
    console.log(
      `fuzz: ${sent} requests, ${accepted} accepted, answers ${JSON.stringify(Object.fromEntries(statuses))}, ${depth} queued`,
    );
    expect(depth).toBe(accepted);
    expect(sent).toBe(2000);
  }, 300_000);

  it('answers every body and header the OpenAPI document says is invalid with 400 problem+json pointing at it', async () => {
    const document = openApiDocument() as Json & { paths: Record<string, Record<string, Json>> };
    const operation = document.paths['/customers']!.post! as {
      requestBody: { content: Record<string, { schema: Json }> };
      parameters: Json[];
    };
    const schema = resolveSchema(document, operation.requestBody.content['application/json']!.schema);
    const isValid = schemaValidator(document, schema);
    expect(isValid(FULL_CUSTOMER_EXAMPLE)).toBe(true);
    const variations = schemaVariations(schema, FULL_CUSTOMER_EXAMPLE, { seed: 34, perPattern: 3 });
    const headers = headerVariations(
      operation.parameters.map((p) => resolveSchema(document, p)),
      { seed: 34, perHeader: 4 },
    );
    const depthBefore = (await stack.queue.getProperties()).approximateMessagesCount ?? 0;
    const misses: string[] = [];
    const send = async (body: string, extra: Record<string, string> = {}) => {
      const response = await fetch(`${stack.url}/api/customers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...extra },
        body,
      });
      const text = await response.text();
      const problem =
        response.headers.get('content-type') === 'application/problem+json' ? JSON.parse(text) : {};
      return {
        status: response.status,
        problem: problem as { errors?: { pointer: string }[]; header?: string },
      };
    };
    const byKeyword = new Map<string, number>();
    for (const variation of variations) {
      // The outside validator agrees the body is invalid, so the app must say so too, at that pointer.
      expect({ pointer: variation.pointer, valid: isValid(variation.body) }).toEqual({
        pointer: variation.pointer,
        valid: false,
      });
      byKeyword.set(variation.keyword, (byKeyword.get(variation.keyword) ?? 0) + 1);
      const { status, problem } = await send(JSON.stringify(variation.body));
      const pointers = (problem.errors ?? []).map((e) => e.pointer);
      if (status !== 400 || !pointers.includes(variation.pointer)) {
        misses.push(
          `${variation.keyword} ${variation.pointer} ${JSON.stringify(variation.body).slice(0, 200)}: ${status} ${pointers.join(', ')}`,
        );
      }
    }
    for (const { header, value } of headers) {
      const { status, problem } = await send(JSON.stringify(FULL_CUSTOMER_EXAMPLE), { [header]: value });
      if (status !== 400 || problem.header !== header || problem.errors?.[0]?.pointer !== '') {
        misses.push(`header ${header}: ${JSON.stringify(value)}: ${status} ${problem.header}`);
      }
    }
    // The same for a merge patch (PATCH by reference; its create is queued, which is enough to check
    // a patch against: the worker is off).
    const reference = `FUZZ-${Date.now()}`;
    const created = await fetch(`${stack.url}/api/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'customer-reference': reference },
      body: JSON.stringify(FULL_CUSTOMER_EXAMPLE),
    });
    expect(created.status).toBe(202);
    const patchOperation = document.paths['/customers/references/{reference}']!.patch! as typeof operation;
    const patchSchema = resolveSchema(
      document,
      patchOperation.requestBody.content['application/merge-patch+json']!.schema,
    );
    const isValidPatch = schemaValidator(document, patchSchema);
    expect(isValidPatch(FULL_CUSTOMER_EXAMPLE)).toBe(true);
    const patches = schemaVariations(patchSchema, FULL_CUSTOMER_EXAMPLE, { seed: 26, perPattern: 1 });
    for (const variation of patches) {
      expect({ pointer: variation.pointer, valid: isValidPatch(variation.body) }).toEqual({
        pointer: variation.pointer,
        valid: false,
      });
      byKeyword.set(`patch ${variation.keyword}`, (byKeyword.get(`patch ${variation.keyword}`) ?? 0) + 1);
      const response = await fetch(`${stack.url}/api/customers/references/${reference}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify(variation.body),
      });
      const problem = (await response.json()) as { errors?: { pointer: string }[] };
      const pointers = (problem.errors ?? []).map((e) => e.pointer);
      if (response.status !== 400 || !pointers.includes(variation.pointer)) {
        misses.push(
          `PATCH ${variation.keyword} ${variation.pointer}: ${response.status} ${pointers.join(', ')}`,
        );
      }
    }
    console.log(
      `schema-driven variations: ${variations.length} bodies + ${patches.length} patches (${[...byKeyword].map(([k, n]) => `${k} ${n}`).join(', ')}) and ${headers.length} header values; ${misses.length} not answered 400 with their pointer`,
    );
    expect(misses).toEqual([]);
    expect(variations.length).toBeGreaterThanOrEqual(100);
    expect(headers.length).toBeGreaterThanOrEqual(8);
    // Nothing invalid was queued (only the one valid create the patches were checked against).
    expect((await stack.queue.getProperties()).approximateMessagesCount ?? 0).toBe(depthBefore + 1);
  }, 120_000);
});
