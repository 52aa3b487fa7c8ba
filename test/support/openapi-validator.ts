import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { openApiDocument } from '../../shared/http/openapi';

/**
 * Checks an HTTP answer of the app against the OpenAPI document (`shared/http/openapi.ts`): the
 * route and method must be described, the status must be one of the operation's responses, every
 * required header present and every described header valid, the media type described and the body
 * valid against its schema (an answer without content in the document must have no body).
 */

type Json = Record<string, unknown>;
interface Operation {
  responses: Record<string, ResponseObject>;
}
interface ResponseObject {
  headers?: Record<string, { required?: boolean; schema: Json }>;
  content?: Record<string, { schema: Json }>;
}

const BASE = 'https://d365-customer-sync.invalid/openapi.json';
const document = openApiDocument() as {
  paths: Record<string, Record<string, Operation>>;
  components: Json;
};

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: BASE, components: document.components });

/** Rewrites local `$ref`s so they resolve against the document added above. */
function absolute(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(absolute);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' && value.startsWith('#')
        ? `${BASE}${value}`
        : absolute(value),
    ]),
  );
}

const compiled = new Map<Json, ValidateFunction>();
function validatorFor(schema: Json): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(absolute(schema) as Json);
    compiled.set(schema, validate);
  }
  return validate;
}

const routes = Object.entries(document.paths).map(([template, operations]) => ({
  template,
  pattern: new RegExp(`^/api${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  operations,
}));

// Every schema is compiled now, when the setup file loads: compiling in the middle of a test would
// block the event loop of the test process, where the emulator runs and timestamps D365 calls.
for (const { operations } of routes) {
  for (const operation of Object.values(operations)) {
    for (const response of Object.values(operation.responses)) {
      for (const header of Object.values(response.headers ?? {})) validatorFor(header.schema);
      for (const content of Object.values(response.content ?? {})) validatorFor(content.schema);
    }
  }
}

export interface ObservedResponse {
  method: string;
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

/** What is wrong with the answer, as readable lines; empty when the document describes it. */
export function responseViolations(observed: ObservedResponse): string[] {
  const { pathname } = new URL(observed.url);
  const method = observed.method.toLowerCase();
  const where = `${observed.method.toUpperCase()} ${pathname} → ${observed.status}`;
  const route = routes.find((candidate) => candidate.pattern.test(pathname));
  if (!route) return [`${where}: the path is not in the OpenAPI document`];
  const operation = route.operations[method];
  if (!operation) {
    // The platform's routing answer for another method: 405 whose Allow lists the documented ones.
    const documented = Object.keys(route.operations).map((name) => name.toUpperCase());
    const allow = (observed.headers.get('allow') ?? '').split(',').map((name) => name.trim().toUpperCase());
    if (observed.status === 405 && documented.every((name) => allow.includes(name))) return [];
    return [`${where}: ${route.template} has no ${method} operation in the document`];
  }
  const response = operation.responses[String(observed.status)] ?? operation.responses.default;
  if (!response) return [`${where}: the status is not among the documented responses`];

  const violations: string[] = [];
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    const value = observed.headers.get(name);
    if (value === null) {
      if (header.required) violations.push(`${where}: required header ${name} is missing`);
      continue;
    }
    const validate = validatorFor(header.schema);
    if (!validate(value)) violations.push(`${where}: header ${name}: ${ajv.errorsText(validate.errors)}`);
  }

  const mediaType = (observed.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!response.content) {
    if (observed.body !== '') violations.push(`${where}: the document describes no body, got ${mediaType}`);
    return violations;
  }
  const content = response.content[mediaType];
  if (!content) {
    violations.push(
      `${where}: media type "${mediaType}" is not documented (${Object.keys(response.content).join(', ')})`,
    );
    return violations;
  }
  // A text answer (the console page's `text/html`) is the string itself; the rest is JSON.
  if (mediaType.startsWith('text/')) {
    const validate = validatorFor(content.schema);
    if (!validate(observed.body)) violations.push(`${where}: body ${ajv.errorsText(validate.errors)}`);
    return violations;
  }
  let body: unknown;
  try {
    body = JSON.parse(observed.body);
  } catch {
    violations.push(`${where}: the body is not JSON`);
    return violations;
  }
  const validate = validatorFor(content.schema);
  if (!validate(body)) {
    violations.push(`${where}: body ${ajv.errorsText(validate.errors, { dataVar: 'body' })}`);
  }
  return violations;
}
