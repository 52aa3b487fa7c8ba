import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../shared/http/openapi';
import { FULL_CUSTOMER_EXAMPLE, MINIMAL_CUSTOMER_EXAMPLE } from '../../shared/http/openapi-examples';
import {
  BIGCOMMERCE_CUSTOMER_CREATED_TEXT,
  SHOPIFY_CUSTOMERS_CREATE_TEXT,
} from '../../shared/http/webhooks/examples';
import { FAILURE_CODES } from '../../shared/domain/status';
import { parseCustomerRequest } from '../../shared/domain/customer-contract';
import { PROBLEM_TYPES } from '../../shared/http/api-schemas';
import { responseViolations } from '../support/openapi-validator';
import { AppStack, startAppStack } from '../support/app-stack';

const root = join(__dirname, '..', '..');
const fixture = (name: string) => JSON.parse(readFileSync(join(root, 'test', 'fixtures', name), 'utf8'));
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const document = openApiDocument() as Json;

describe('the OpenAPI document', () => {
  it('is checked in as docs/openapi.json, up to date (npm run api:docs rewrites it)', () => {
    const checkedIn = JSON.parse(readFileSync(join(root, 'docs', 'openapi.json'), 'utf8'));
    expect(checkedIn).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('uses the two fixtures as its request examples', () => {
    expect(FULL_CUSTOMER_EXAMPLE).toEqual(fixture('seed-customer-full.json'));
    expect(MINIMAL_CUSTOMER_EXAMPLE).toEqual(fixture('seed-customer-minimal.json'));
  });

  it("uses the shops' documented payloads, byte for byte as the webhook fixtures, as the webhook examples", () => {
    const raw = (name: string) => readFileSync(join(root, 'test', 'fixtures', 'webhooks', name), 'utf8');
    expect(SHOPIFY_CUSTOMERS_CREATE_TEXT).toBe(raw('shopify-customers-create.json'));
    expect(BIGCOMMERCE_CUSTOMER_CREATED_TEXT).toBe(raw('bigcommerce-store-customer-created.json'));
  });

  it('describes the webhook routes without a function key, with their signature headers as required', () => {
    const required = (path: string) =>
      (document.paths[path].post.parameters as Json[])
        .map((p) => document.components.parameters[p.$ref.split('/').pop()])
        .filter((p: Json) => p.required)
        .map((p: Json) => `${p.in}:${p.name}`);
    expect(required('/webhooks/standard')).toEqual([
      'query:source',
      'header:webhook-id',
      'header:webhook-timestamp',
      'header:webhook-signature',
    ]);
    expect(required('/webhooks/shopify')).toEqual([
      'header:X-Shopify-Hmac-Sha256',
      'header:X-Shopify-Shop-Domain',
      'header:X-Shopify-Topic',
    ]);
    expect(required('/webhooks/bigcommerce')).toEqual(['header:X-Webhook-Secret']);
    for (const path of ['/webhooks/standard', '/webhooks/shopify', '/webhooks/bigcommerce']) {
      const post = document.paths[path].post;
      expect(post.security).toEqual([]);
      expect(Object.keys(post.responses)).toEqual(
        expect.arrayContaining(['200', '202', '401', '413', '503']),
      );
    }
  });

  it('lists every failure code, and the webhook fields, in the status answer', () => {
    expect(document.components.schemas.FailureCode.enum).toEqual(Object.keys(FAILURE_CODES));
    expect(document.components.schemas.FailureCode.enum).toContain('unmappable');
    expect(Object.keys(document.components.schemas.StatusAnswer.properties)).toEqual(
      expect.arrayContaining(['source', 'sourceCustomerId', 'existingAccounts']),
    );
  });

  it('says which fields a lookup matched on, as a closed list (never the values)', () => {
    expect(document.components.schemas.StatusAnswer.properties.matchedOn).toMatchObject({
      type: 'string',
      enum: ['email', 'name_and_phone', 'tax_number', 'name_and_country', 'name_initial_and_phone'],
    });
  });

  it('describes every route the function files register', () => {
    const registered = new Set<string>();
    // Every HTTP function (a file that calls app.http), so a new route cannot go undescribed.
    const files = readdirSync(join(root, 'functions')).filter((name) => name.endsWith('.ts'));
    for (const file of files) {
      const source = readFileSync(join(root, 'functions', file), 'utf8');
      // Every app.http(...) of the file (one file may register several, e.g. the operator actions).
      for (const [, block] of source.matchAll(/app\.http\('\w+',\s*\{([^]*?)\}\);/g)) {
        const route = /route: '([^']+)'/.exec(block!)?.[1];
        const methods = /methods: \[([^\]]+)\]/.exec(block!)?.[1];
        for (const method of methods!.match(/[A-Z]+/g)!) registered.add(`${method.toLowerCase()} /${route}`);
      }
    }
    const described = new Set<string>();
    for (const [path, operations] of Object.entries(document.paths as Json)) {
      for (const method of Object.keys(operations as Json)) described.add(`${method} ${path}`);
    }
    expect(described).toEqual(registered);
  });

  it('has a request schema that accepts what the validator accepts and refuses unknown fields', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(document.components.schemas.CustomerRequest);
    for (const body of [FULL_CUSTOMER_EXAMPLE, MINIMAL_CUSTOMER_EXAMPLE]) {
      expect(parseCustomerRequest(body, { defaultCustomerGroup: '30' }).ok).toBe(true);
      expect(validate(body)).toBe(true);
    }
    const schema = document.components.schemas.CustomerRequest;
    expect(schema.required).toEqual(['Customer']);
    expect(schema.properties.Customer.required).toEqual(['LegalEntity', 'FirstName', 'CurrencyCode']);
    // An e-mail or a phone (issue 32).
    expect(schema.properties.Customer.anyOf).toEqual([
      { required: ['EmailAddress'] },
      { required: ['ContactNumber'] },
      { required: ['PartyType', 'OrganizationName'] },
    ]);
    const neither = structuredClone(MINIMAL_CUSTOMER_EXAMPLE) as Json;
    delete neither.Customer.EmailAddress;
    expect(validate(neither)).toBe(true); // it has a ContactNumber
    delete neither.Customer.ContactNumber;
    expect(validate(neither)).toBe(false);
    // 25 characters after trimming (the pattern); the raw length the app refuses unread (maxLength).
    const firstName = (value: string) => {
      const body = structuredClone(MINIMAL_CUSTOMER_EXAMPLE) as Json;
      body.Customer.FirstName = value;
      return validate(body);
    };
    expect(firstName(` ${'a'.repeat(25)}  `)).toBe(true);
    expect(firstName('a'.repeat(26))).toBe(false);
    expect(schema.properties.Customer.properties.FirstName.maxLength).toBe(25 * 4 + 64);
    const unknown = structuredClone(MINIMAL_CUSTOMER_EXAMPLE) as Json;
    unknown.Customer.Nickname = 'x';
    expect(validate(unknown)).toBe(false);
    expect(parseCustomerRequest(unknown, { defaultCustomerGroup: '30' }).ok).toBe(false);
  });

  it("refuses the README's invalid example where the app does: the e-mail and the 2-letter country", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const data = /--data '(\{"Customer":[^']*abc1234\.gmail\.com[^']*)'/.exec(readme);
    expect(data).not.toBeNull();
    const body = JSON.parse(data![1]!);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(document.components.schemas.CustomerRequest);
    expect(validate(body)).toBe(false);
    const schemaPointers = [...new Set(validate.errors!.map((e) => e.instancePath))].sort();
    const parsed = parseCustomerRequest(body, { defaultCustomerGroup: '30' });
    expect(parsed.ok).toBe(false);
    const appPointers = !parsed.ok && parsed.errors.map((e) => e.pointer).sort();
    expect(schemaPointers).toEqual(['/Customer/BillingAddress/0/CountryCode', '/Customer/EmailAddress']);
    expect(appPointers).toEqual(schemaPointers);
  });

  it('declares the empty 401 of every keyed operation, and the master key for the operator routes', () => {
    const keyed: string[] = [];
    for (const [path, operations] of Object.entries(document.paths as Json)) {
      for (const [method, operation] of Object.entries(operations as Json)) {
        const security = (operation as Json).security ?? document.security;
        if (security.length === 0) continue;
        keyed.push(`${method.toUpperCase()} ${path}`);
        const unauthorized = (operation as Json).responses['401'];
        expect(unauthorized.content).toBeUndefined();
        const admin =
          path.startsWith('/ops/') ||
          path.startsWith('/backfills') ||
          path === '/console' ||
          [
            'replayCustomer',
            'getCustomerLink',
            'verifyCustomerLink',
            'diagnoseConfiguration',
            'createPrivacyRequest',
            'getPrivacyRequest',
            'getPrivacyExport',
            'releasePrivacyRequest',
            'retryWriteBack',
          ].includes((operation as Json).operationId);
        expect(security).toEqual(
          admin
            ? [{ masterKey: [] }, { masterKeyQuery: [] }]
            : [{ functionKey: [] }, { functionKeyQuery: [] }],
        );
      }
    }
    // create, status, replay, two updates, link lookup, link verification, callback secrets, deep health, write-back retry, backfill start, upload and progress; the operations routes (10 with the console page and a review's link and create-new, 4 of bulk replay); four privacy routes; F&O's data events endpoint
    expect(keyed).toHaveLength(32);
    expect(document.components.securitySchemes.masterKey).toMatchObject({
      in: 'header',
      name: 'x-functions-key',
    });
  });

  it('requires the Entra ID token besides the key in the document of a CALLER_AUTH=app-service deployment', () => {
    const served = openApiDocument({ callerAuth: 'app-service' }) as Json;
    expect(served.security).toEqual([
      { functionKey: [], appServiceAuthentication: [] },
      { functionKeyQuery: [], appServiceAuthentication: [] },
    ]);
    expect(served.paths['/customers/links'].get.security).toEqual([
      { masterKey: [], appServiceAuthentication: [] },
      { masterKeyQuery: [], appServiceAuthentication: [] },
    ]);
    expect(served.paths['/health'].get.security).toEqual([]);
    expect(served.components.securitySchemes.appServiceAuthentication).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(document.components.securitySchemes.appServiceAuthentication).toBeUndefined();
  });

  it('takes a merge patch as application/merge-patch+json or application/json, with one schema', () => {
    const patch = document.paths['/customers/references/{reference}'].patch;
    expect(Object.keys(patch.requestBody.content)).toEqual([
      'application/merge-patch+json',
      'application/json',
    ]);
    const schema = document.components.schemas.CustomerPatch;
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(schema);
    expect(validate({ Customer: { ContactNumber: '+14255550100', MiddleName: null } })).toBe(true);
    expect(validate({ Customer: {} })).toBe(false);
    expect(validate({ Customer: { FirstName: null } })).toBe(false);
    expect(validate({ Customer: { EmailAddress: 'not-an-address' } })).toBe(false);
    expect(patch.responses['415'].headers['Accept-Patch'].required).toBe(true);
  });

  it('lists every problem type the app answers with, and every 4xx/5xx body is problem+json', () => {
    expect(document.components.schemas.Problem.properties.type.enum).toEqual(PROBLEM_TYPES);
    expect(PROBLEM_TYPES).toEqual(
      expect.arrayContaining([
        'urn:d365-customer-sync:problem:invalid-request',
        'urn:d365-customer-sync:problem:rate-limited',
        'urn:d365-customer-sync:problem:business-error',
      ]),
    );
    for (const operations of Object.values(document.paths as Json)) {
      for (const operation of Object.values(operations as Json)) {
        for (const [status, response] of Object.entries((operation as Json).responses as Json)) {
          if (Number(status) >= 400 && (response as Json).content) {
            expect(Object.keys((response as Json).content)).toEqual(['application/problem+json']);
          }
        }
      }
    }
  });

  it('describes the headers callers depend on', () => {
    const post = document.paths['/customers'].post;
    expect(post.parameters.map((p: Json) => p.$ref)).toEqual([
      '#/components/parameters/IdempotencyKey',
      '#/components/parameters/Prefer',
      '#/components/parameters/CallbackUrl',
      '#/components/parameters/CustomerReference',
    ]);
    // The result event it registers: a callback on the header's URL, its body a component schema.
    const callback = post.callbacks.resultEvent['{$request.header.Callback-Url}'].post;
    expect(callback.parameters.map((p: Json) => p.name)).toEqual([
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
    ]);
    expect(callback.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/CallbackEvent',
    );
    expect(Object.keys(post.responses['202'].headers)).toEqual(
      expect.arrayContaining(['Location', 'Retry-After', 'Preference-Applied', 'Idempotent-Replayed']),
    );
    expect(post.responses['201'].headers['Preference-Applied'].required).toBe(false);
    expect(post.responses['429'].headers['Retry-After'].required).toBe(true);
  });
});

describe('the response validator', () => {
  const base = 'http://127.0.0.1:1/api';
  const problemHeaders = new Headers({ 'content-type': 'application/problem+json' });

  it('accepts a documented answer', () => {
    const body = JSON.stringify({ status: 'ok' });
    const headers = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    expect(responseViolations({ method: 'GET', url: `${base}/health`, status: 200, headers, body })).toEqual(
      [],
    );
  });

  it('refuses an undocumented status, field, problem type, media type or a missing required header', () => {
    const headers = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    const check = (status: number, body: string, h = headers, url = `${base}/health`, method = 'GET') =>
      responseViolations({ method, url, status, headers: h, body }).join('\n');
    expect(check(201, '{"status":"ok"}')).toMatch(/not among the documented responses/);
    expect(check(200, '{"status":"ok","extra":1}')).toMatch(/additional properties/);
    expect(check(200, '{"status":"ok"}', new Headers({ 'content-type': 'text/plain' }))).toMatch(
      /media type/,
    );
    expect(check(200, '{}', headers, `${base}/nowhere`)).toMatch(/not in the OpenAPI document/);
    const problem = JSON.stringify({ type: 'about:blank', title: 't', status: 404, detail: 'd' });
    expect(check(404, problem, problemHeaders, `${base}/customers/status/x`)).toMatch(
      /must be equal to one of/,
    );
    const rateLimited = JSON.stringify({
      type: 'urn:d365-customer-sync:problem:rate-limited',
      title: 'Too many requests',
      status: 429,
      detail: 'd',
    });
    expect(check(429, rateLimited, problemHeaders, `${base}/customers`, 'POST')).toMatch(
      /required header Retry-After is missing/,
    );
  });
});

describe('GET /api/openapi.json', () => {
  let stack: AppStack;
  beforeAll(async () => {
    stack = await startAppStack({ settings: { 'AzureWebJobs.processCustomer.Disabled': 'true' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves the document anonymously', async () => {
    const response = await fetch(`${stack.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(document)));
  });
});
