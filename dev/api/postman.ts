import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FULL_CUSTOMER_EXAMPLE,
  MINIMAL_CUSTOMER_EXAMPLE,
  PHONE_ONLY_CUSTOMER_EXAMPLE,
} from '../../shared/http/openapi-examples';
import { ACCOUNT_FORMAT, document, Json, PROBLEM_SHAPE, request, status } from './postman-parts';
import { WEBHOOK_SECRET_VARIABLES, webhookFolder, webhookVariables } from './postman-webhooks';
import { operationsFolder } from './postman-operations';

/**
 * `npm run api:docs` also writes the Postman collection (v2.1) and its environment from the
 * OpenAPI document: each operation's summary, description, parameters and examples, with tests
 * (status, problem shape, account format). A second folder sends the three webhooks, signed in
 * pre-request scripts (dev/api/postman-webhooks.ts); a third every operations route and the console
 * page (dev/api/postman-operations.ts). A fourth holds the source article's two calls
 * straight against a D365 environment (token from Entra ID, then the CreateCustomer service).
 * test/api/postman.test.ts checks the files are up to date and runs the collection with newman
 * against the local stack.
 */

export const COLLECTION_PATH = join(process.cwd(), 'postman', 'd365-customer-sync.postman_collection.json');
export const ENVIRONMENT_PATH = join(process.cwd(), 'postman', 'local.postman_environment.json');

const withEmail = (body: unknown, variable: string, extra: Record<string, string> = {}) => {
  const copy = structuredClone(body) as { Customer: Record<string, unknown> };
  copy.Customer.EmailAddress = `{{${variable}}}`;
  // D365 itself needs a customer group (the app adds D365_DEFAULT_CUSTOMER_GROUP when it is left out).
  Object.assign(copy.Customer, extra);
  return JSON.stringify(copy, null, 2);
};

export function postmanCollection(): Json {
  const uniqueEmail = (variable: string) => [
    `pm.collectionVariables.set('${variable}', 'postman-' + Date.now() + '-' + Math.floor(Math.random() * 1e6) + '@example.com');`,
  ];
  const apiFolder = {
    name: 'd365-customer-sync API',
    description:
      'Every route of the OpenAPI document (docs/openapi.json), in an order that runs green against the local stack.',
    item: [
      request('Health', '/health', 'get', {
        url: '/health',
        tests: [
          ...status(200),
          "pm.test('ok', () => pm.expect(pm.response.json()).to.eql({ status: 'ok' }));",
        ],
      }),
      request('OpenAPI document', '/openapi.json', 'get', {
        url: '/openapi.json',
        tests: [
          ...status(200),
          "pm.test('OpenAPI 3.1', () => pm.expect(pm.response.json().openapi).to.match(/^3\\.1\\./));",
        ],
      }),
      request('Create a customer and wait for the account (Prefer: wait)', '/customers', 'post', {
        url: '/customers',
        prerequest: [
          ...uniqueEmail('email'),
          "pm.collectionVariables.set('idempotencyKey', pm.variables.replaceIn('{{$guid}}'));",
          "pm.collectionVariables.set('reference', 'POS-' + pm.variables.replaceIn('{{$guid}}').slice(0, 8));",
        ],
        headers: [
          {
            key: 'Idempotency-Key',
            value: '{{idempotencyKey}}',
            description: 'A new UUID per customer; resend with the same key.',
          },
          { key: 'Prefer', value: 'wait=10' },
          {
            key: 'Customer-Reference',
            value: '{{reference}}',
            description: 'Your own ID for the customer: update it later by this reference.',
          },
        ],
        rawBody: withEmail(MINIMAL_CUSTOMER_EXAMPLE, 'email'),
        tests: [
          ...status(201),
          ...ACCOUNT_FORMAT,
          "pm.test('Preference-Applied', () => pm.expect(pm.response.headers.get('Preference-Applied')).to.eql('wait=10'));",
          "pm.test('Location is the status URL', () => pm.expect(pm.response.headers.get('Location')).to.include('/customers/status/'));",
          "pm.collectionVariables.set('correlationId', pm.response.json().correlationId);",
          "pm.collectionVariables.set('customerAccount', pm.response.json().customerAccount);",
        ],
      }),
      request('Send it again with the same Idempotency-Key', '/customers', 'post', {
        url: '/customers',
        headers: [
          { key: 'Idempotency-Key', value: '{{idempotencyKey}}' },
          { key: 'Prefer', value: 'wait=10' },
          { key: 'Customer-Reference', value: '{{reference}}' },
        ],
        rawBody: withEmail(MINIMAL_CUSTOMER_EXAMPLE, 'email'),
        tests: [
          ...status(201),
          "pm.test('Idempotent-Replayed', () => pm.expect(pm.response.headers.get('Idempotent-Replayed')).to.eql('true'));",
          "pm.test('the same request and account', () => {",
          "  pm.expect(pm.response.json().correlationId).to.eql(pm.collectionVariables.get('correlationId'));",
          "  pm.expect(pm.response.json().customerAccount).to.eql(pm.collectionVariables.get('customerAccount'));",
          '});',
        ],
      }),
      request('Create a customer known by phone only (Prefer: wait)', '/customers', 'post', {
        url: '/customers',
        prerequest: [
          // Name and phone are its identity: a new name per run, so each run creates one customer.
          "pm.collectionVariables.set('phoneOnlyName', 'Maria' + Date.now());",
        ],
        headers: [{ key: 'Prefer', value: 'wait=10' }],
        rawBody: JSON.stringify(
          {
            Customer: { ...PHONE_ONLY_CUSTOMER_EXAMPLE.Customer, FirstName: '{{phoneOnlyName}}' },
          },
          null,
          2,
        ),
        tests: [...status(201), ...ACCOUNT_FORMAT],
      }),
      request('Create a customer (202, then poll)', '/customers', 'post', {
        url: '/customers',
        prerequest: uniqueEmail('email2'),
        rawBody: withEmail(FULL_CUSTOMER_EXAMPLE, 'email2'),
        tests: [
          ...status(202),
          "pm.test('Location and Retry-After', () => {",
          "  pm.expect(pm.response.headers.get('Location')).to.eql(pm.response.json().statusUrl);",
          "  pm.expect(pm.response.headers.get('Retry-After')).to.match(/^[0-9]+$/);",
          '});',
          "pm.collectionVariables.set('pendingId', pm.response.json().correlationId);",
          "pm.collectionVariables.set('polls', 0);",
        ],
      }),
      request('Status (polls until the request ends)', '/customers/status/{correlationId}', 'get', {
        url: '/customers/status/{{pendingId}}',
        tests: [
          ...status(200),
          'const answer = pm.response.json();',
          "const polls = Number(pm.collectionVariables.get('polls')) + 1;",
          "pm.collectionVariables.set('polls', polls);",
          // At most 120 polls half a second apart (the sandbox waits for the timer): a loaded machine
          // takes seconds, and 60 polls back to back ran out before the request ended.
          "if (answer.status !== 'succeeded' && answer.status !== 'failed' && polls < 120) {",
          "  pm.test('Retry-After while pending', () => pm.expect(pm.response.headers.get('Retry-After')).to.match(/^[0-9]+$/));",
          "  pm.execution.setNextRequest('Status (polls until the request ends)');",
          '  setTimeout(() => {}, 500);',
          '} else {',
          ...ACCOUNT_FORMAT.map((line) => `  ${line}`),
          '}',
        ],
      }),
      request(
        'Update it by your reference (merge patch, Prefer: wait)',
        '/customers/references/{reference}',
        'patch',
        {
          url: '/customers/references/{{reference}}',
          contentType: 'application/merge-patch+json',
          headers: [{ key: 'Prefer', value: 'wait=10' }],
          rawBody: JSON.stringify({ Customer: { ContactNumber: '+14255550100', MiddleName: null } }, null, 2),
          tests: [
            ...status(200),
            "pm.test('updated in D365', () => {",
            '  const answer = pm.response.json();',
            "  pm.expect(answer.kind).to.eql('update');",
            "  pm.expect(answer.outcome).to.eql('updated');",
            "  pm.expect(answer.customerAccount).to.eql(pm.collectionVariables.get('customerAccount'));",
            '});',
          ],
        },
      ),
      request(
        'Update it by its D365 account (plain application/json)',
        '/customers/accounts/{legalEntity}/{customerAccount}',
        'patch',
        {
          url: '/customers/accounts/USRT/{{customerAccount}}',
          headers: [{ key: 'Prefer', value: 'wait=10' }],
          rawBody: JSON.stringify({ Customer: { Gender: 'Female' } }, null, 2),
          tests: [
            ...status(200),
            "pm.test('updated in D365', () => pm.expect(pm.response.json().outcome).to.eql('updated'));",
          ],
        },
      ),
      request(
        'Another customer under the same Customer-Reference (409 reference-in-use)',
        '/customers',
        'post',
        {
          url: '/customers',
          prerequest: [
            ...uniqueEmail('email3'),
            "pm.collectionVariables.set('idempotencyKey3', pm.variables.replaceIn('{{$guid}}'));",
          ],
          headers: [
            { key: 'Idempotency-Key', value: '{{idempotencyKey3}}' },
            {
              key: 'Customer-Reference',
              value: '{{reference}}',
              description: 'Already names your first customer: one customer per reference.',
            },
          ],
          rawBody: withEmail(MINIMAL_CUSTOMER_EXAMPLE, 'email3'),
          tests: [
            ...status(409),
            ...PROBLEM_SHAPE,
            "pm.test('reference-in-use, pointing at the create that holds it', () => {",
            '  const problem = pm.response.json();',
            "  pm.expect(problem.type).to.eql('urn:d365-customer-sync:problem:reference-in-use');",
            "  pm.expect(problem.statusUrl).to.include('/customers/status/' + pm.collectionVariables.get('correlationId'));",
            '});',
          ],
        },
      ),
      request('A JSON Patch is another format (415)', '/customers/references/{reference}', 'patch', {
        url: '/customers/references/{{reference}}',
        contentType: 'application/json-patch+json',
        rawBody: JSON.stringify([{ op: 'replace', path: '/Customer/Gender', value: 'Male' }], null, 2),
        tests: [
          ...status(415),
          ...PROBLEM_SHAPE,
          "pm.test('Accept-Patch names the formats', () => pm.expect(pm.response.headers.get('Accept-Patch')).to.eql('application/merge-patch+json, application/json'));",
        ],
      }),
      request('Look the link up by the D365 account (operator)', '/customers/links', 'get', {
        url: '/customers/links?legalEntity=USRT&customerAccount={{customerAccount}}',
        tests: [
          ...status(200),
          "pm.test('the link names the account', () => pm.expect(pm.response.json().customerAccount).to.eql(pm.collectionVariables.get('customerAccount')));",
        ],
      }),
      request(
        'Verify the link (operator; a verified link stays as it is)',
        '/customers/links/verify',
        'post',
        {
          url: '/customers/links/verify?legalEntity=USRT&customerAccount={{customerAccount}}',
          tests: [
            ...status(200),
            "pm.test('the link of the account, not pending', () => {",
            '  const link = pm.response.json();',
            "  pm.expect(link.customerAccount).to.eql(pm.collectionVariables.get('customerAccount'));",
            "  pm.expect(link.verification).to.not.eql('pending');",
            '});',
          ],
        },
      ),
      request('Your secret for verifying result callbacks', '/callbacks/secret', 'get', {
        url: '/callbacks/secret',
        tests: [
          ...status(200),
          "pm.test('whsec_ secrets', () => {",
          '  const secrets = pm.response.json().secrets;',
          '  pm.expect(secrets.length).to.be.above(0);',
          '  secrets.forEach((secret) => pm.expect(secret).to.match(/^whsec_[A-Za-z0-9+/=]+$/));',
          '});',
        ],
      }),
      request(
        'A wrong function key (401, empty, when keys are on)',
        '/customers/status/{correlationId}',
        'get',
        {
          url: '/customers/status/{{correlationId}}',
          headers: [{ key: 'x-functions-key', value: 'not-the-key' }],
          replaceKey: true,
          tests: [
            "if (pm.variables.get('functionKey')) {",
            "  pm.test('status 401', () => pm.response.to.have.status(401));",
            "  pm.test('the platform\u2019s answer: no body, no content type', () => {",
            "    pm.expect(pm.response.text()).to.eql('');",
            "    pm.expect(pm.response.headers.get('Content-Type')).to.eql(undefined);",
            '  });',
            '} else {',
            "  pm.test('no keys locally: any key passes', () => pm.response.to.have.status(200));",
            '}',
          ],
        },
      ),
      request('Invalid customer (400 with pointers)', '/customers', 'post', {
        url: '/customers',
        rawBody: JSON.stringify(
          {
            Customer: {
              ...MINIMAL_CUSTOMER_EXAMPLE.Customer,
              EmailAddress: 'abc1234.gmail.com',
              BillingAddress: [{ ...MINIMAL_CUSTOMER_EXAMPLE.Customer.BillingAddress[0], CountryCode: 'US' }],
            },
          },
          null,
          2,
        ),
        tests: [
          ...status(400),
          ...PROBLEM_SHAPE,
          "pm.test('errors point at both fields', () => {",
          '  const pointers = pm.response.json().errors.map((e) => e.pointer);',
          "  pm.expect(pointers).to.include('/Customer/EmailAddress');",
          "  pm.expect(pointers).to.include('/Customer/BillingAddress/0/CountryCode');",
          '});',
        ],
      }),
      request('Malformed Idempotency-Key (400)', '/customers', 'post', {
        url: '/customers',
        headers: [{ key: 'Idempotency-Key', value: 'not a valid key' }],
        rawBody: JSON.stringify(MINIMAL_CUSTOMER_EXAMPLE, null, 2),
        tests: [
          ...status(400),
          ...PROBLEM_SHAPE,
          "pm.test('names the header', () => pm.expect(pm.response.json().header).to.eql('Idempotency-Key'));",
        ],
      }),
      request('Not JSON (415)', '/customers', 'post', {
        url: '/customers',
        contentType: 'text/plain',
        rawBody: 'hello',
        tests: [...status(415), ...PROBLEM_SHAPE],
      }),
      request('Unknown correlation ID (404)', '/customers/status/{correlationId}', 'get', {
        url: '/customers/status/00000000-0000-4000-8000-000000000000',
        tests: [...status(404), ...PROBLEM_SHAPE],
      }),
      request('Malformed correlation ID (400)', '/customers/status/{correlationId}', 'get', {
        url: '/customers/status/not-a-uuid',
        tests: [...status(400), ...PROBLEM_SHAPE],
      }),
      request('Replay a request that did not fail (409)', '/customers/status/{correlationId}/retry', 'post', {
        url: '/customers/status/{{correlationId}}/retry',
        tests: [
          ...status(409),
          ...PROBLEM_SHAPE,
          "pm.test('not replayable', () => pm.expect(pm.response.json().type).to.eql('urn:d365-customer-sync:problem:not-replayable'));",
        ],
      }),
      // Privacy requests (issue 27, docs/privacy.md): the customer created above is erased.
      request('Erase a customer by e-mail (privacy request, 202)', '/privacy/requests', 'post', {
        url: '/privacy/requests',
        body: { type: 'erase', email: '{{email}}' },
        tests: [
          ...status(202),
          "pm.test('its status URL', () => pm.expect(pm.response.headers.get('Location')).to.match(/\\/privacy\\/requests\\//));",
          "pm.test('an erasure, due in 30 days', () => pm.expect(pm.response.json()).to.include({ type: 'erase', pastDue: false }));",
          "pm.collectionVariables.set('privacyId', pm.response.json().id);",
        ],
      }),
      request('A privacy request\u2019s status and proof', '/privacy/requests/{id}', 'get', {
        url: '/privacy/requests/{{privacyId}}',
        tests: [
          ...status(200),
          "pm.test('the erasure', () => pm.expect(pm.response.json()).to.include({ id: pm.collectionVariables.get('privacyId'), type: 'erase' }));",
        ],
      }),
      request('Export of an erasure (409)', '/privacy/requests/{id}/export', 'get', {
        url: '/privacy/requests/{{privacyId}}/export',
        tests: [...status(409), ...PROBLEM_SHAPE],
      }),
      request('Release an erasure still running (409)', '/privacy/requests/{id}/release', 'post', {
        url: '/privacy/requests/{{privacyId}}/release',
        tests: [...status(409), ...PROBLEM_SHAPE],
      }),
    ],
  };
  const d365Folder = {
    name: 'D365 directly (the source article\u2019s two calls)',
    description:
      'What the source article does by hand: a client-credentials token from Entra ID, then the CreateCustomer custom service. Set d365Url, tenantId, clientId and clientSecret in an environment (never commit the secret). The app does the same for you, with retries and exactly once.',
    item: [
      {
        name: 'Get a token from Entra ID (client credentials)',
        event: [
          {
            listen: 'test',
            script: {
              type: 'text/javascript',
              exec: [
                ...status(200),
                "pm.test('a bearer token', () => pm.expect(pm.response.json().access_token).to.be.a('string'));",
                "pm.collectionVariables.set('accessToken', pm.response.json().access_token);",
              ],
            },
          },
        ],
        request: {
          method: 'POST',
          description:
            'POST {{authorityHost}}/{{tenantId}}/oauth2/v2.0/token with scope {{d365Url}}/.default.',
          header: [{ key: 'Content-Type', value: 'application/x-www-form-urlencoded' }],
          body: {
            mode: 'urlencoded',
            urlencoded: [
              { key: 'grant_type', value: 'client_credentials' },
              { key: 'client_id', value: '{{clientId}}' },
              { key: 'client_secret', value: '{{clientSecret}}' },
              { key: 'scope', value: '{{d365Url}}/.default' },
            ],
          },
          url: {
            raw: '{{authorityHost}}/{{tenantId}}/oauth2/v2.0/token',
            host: ['{{authorityHost}}'],
            path: ['{{tenantId}}', 'oauth2', 'v2.0', 'token'],
          },
        },
      },
      {
        name: 'CreateCustomer custom service',
        event: [
          { listen: 'prerequest', script: { type: 'text/javascript', exec: uniqueEmail('email3') } },
          {
            listen: 'test',
            script: {
              type: 'text/javascript',
              exec: [
                ...status(200),
                "pm.test('the D365 account number has the D365 format', () => {",
                '  const answer = pm.response.json();',
                "  const account = typeof answer === 'string' ? answer : answer.CustomerAccount;",
                "  pm.expect(account).to.match(new RegExp(pm.collectionVariables.get('accountPattern') || '^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$'));",
                '});',
              ],
            },
          },
        ],
        request: {
          method: 'POST',
          description: 'The source article\u2019s call: the customer body straight to D365.',
          header: [
            { key: 'Content-Type', value: 'application/json' },
            { key: 'Authorization', value: 'Bearer {{accessToken}}' },
          ],
          body: {
            mode: 'raw',
            raw: withEmail(MINIMAL_CUSTOMER_EXAMPLE, 'email3', { CustomerGroup: '{{customerGroup}}' }),
            options: { raw: { language: 'json' } },
          },
          url: {
            raw: '{{d365Url}}/api/services/CreateCustomerServiceGroup/CreateCustomerService/CreateCustomer',
            host: ['{{d365Url}}'],
            path: [
              'api',
              'services',
              'CreateCustomerServiceGroup',
              'CreateCustomerService',
              'CreateCustomer',
            ],
          },
        },
      },
    ],
  };
  return {
    info: {
      name: document.info.title,
      description: `${document.info.description}\n\nGenerated from docs/openapi.json by \`npm run api:docs\` (version ${document.info.version}); do not edit by hand.`,
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    item: [apiFolder, webhookFolder(), operationsFolder(), d365Folder],
    variable: [
      { key: 'baseUrl', value: 'http://localhost:7071/api' },
      { key: 'functionKey', value: '' },
      { key: 'masterKey', value: '' },
      { key: 'authorityHost', value: 'https://login.microsoftonline.com' },
      { key: 'd365Url', value: 'https://contoso.operations.dynamics.com' },
      { key: 'tenantId', value: '' },
      { key: 'clientId', value: '' },
      { key: 'customerGroup', value: '30' },
      { key: 'accountPattern', value: '^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$' },
      // A shop source with an Admin API token (WEBHOOK_SOURCES): the local stack's BigCommerce store.
      { key: 'backfillSource', value: 'local-bigcommerce' },
      ...webhookVariables(),
    ],
  };
}

/** The environment for the local stack (`npm start`): the emulator stands in for Entra ID and D365. */
export function localEnvironment(): Json {
  const value = (key: string, v: string, type = 'default') => ({ key, value: v, type, enabled: true });
  return {
    name: 'd365-customer-sync local stack',
    values: [
      value('baseUrl', 'http://localhost:7071/api'),
      value('functionKey', '', 'secret'),
      value('masterKey', '', 'secret'),
      value('authorityHost', 'https://127.0.0.1:7443'),
      value('d365Url', 'https://127.0.0.1:7443'),
      value('tenantId', '11111111-1111-4111-8111-111111111111'),
      value('clientId', '22222222-2222-4222-8222-222222222222'),
      value('clientSecret', '', 'secret'),
      ...WEBHOOK_SECRET_VARIABLES.map((key) => value(key, '', 'secret')),
    ],
  };
}

export const postmanText = () => `${JSON.stringify(postmanCollection(), null, 2)}\n`;
export const environmentText = () => `${JSON.stringify(localEnvironment(), null, 2)}\n`;

if (require.main === module) {
  writeFileSync(COLLECTION_PATH, postmanText());
  writeFileSync(ENVIRONMENT_PATH, environmentText());
  console.log(`wrote ${COLLECTION_PATH} and ${ENVIRONMENT_PATH}`);
}
