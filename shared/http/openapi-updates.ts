import {
  acceptedResponse,
  callerProblems,
  EXAMPLE_CORRELATION_ID,
  header,
  Json,
  keySecurity,
  noContent500,
  noContent503,
  PLATFORM_503,
  problem,
  ref,
} from './openapi-parts';
import { MERGE_PATCH_MEDIA_TYPES } from './request-body';

/**
 * The OpenAPI description of customer updates (issue 17): the two `PATCH` routes, the operator's
 * link lookup, their parameters and the link schema. README "Customer updates" has the rules.
 */
const EXAMPLE_ID = EXAMPLE_CORRELATION_ID;

const UPDATED_EXAMPLE = {
  correlationId: EXAMPLE_ID,
  kind: 'update',
  status: 'succeeded',
  legalEntity: 'USRT',
  source: 'api',
  sourceCustomerId: 'POS-000123',
  customerAccount: 'US-000001',
  outcome: 'updated',
  attempts: 1,
  createdAt: '2026-11-26T18:00:00.412Z',
  updatedAt: '2026-11-26T18:00:01.020Z',
};

function patchOperation(
  operationId: string,
  summary: string,
  description: string,
  key: Json[],
  forbidden: { description: string; types: Parameters<typeof problem>[2] },
): Json {
  return {
    patch: {
      operationId,
      tags: ['customers'],
      summary,
      description: `${description} The body is a JSON Merge Patch (RFC 7396) of the customer: \`{"Customer": {...}}\` with the members to change (\`null\` removes an optional one; a list such as \`BillingAddress\` is replaced whole). The merged customer must be valid under the create\u2019s rules (\`errors[]\` point into the patch); \`LegalEntity\` cannot change. D365 receives only the CustomersV3 fields that changed, with \`If-Match\`. Ordered by \`Customer-Version\` when sent, else by arrival; a stale update ends \`succeeded\` with \`outcome: stale\`. The same \`Idempotency-Key\` and patch return the first answer.`,
      parameters: [
        ...key,
        { $ref: '#/components/parameters/CustomerVersion' },
        { $ref: '#/components/parameters/IdempotencyKey' },
        { $ref: '#/components/parameters/Prefer' },
        { $ref: '#/components/parameters/CallbackUrl' },
      ],
      requestBody: {
        required: true,
        description:
          'A JSON Merge Patch (RFC 7396). Sent as `application/json` it is read the same way (what most HTTP clients send); JSON Patch (RFC 6902, `application/json-patch+json`) and any other type get `415`.',
        content: Object.fromEntries(
          MERGE_PATCH_MEDIA_TYPES.map((type) => [
            type,
            {
              schema: ref('CustomerPatch'),
              examples: {
                phone: {
                  summary: 'A new phone, the middle name removed',
                  value: { Customer: { ContactNumber: '+14255550100', MiddleName: null } },
                },
              },
            },
          ]),
        ),
      },
      responses: {
        '200': {
          description:
            '`Prefer: wait`: the update ended in time (`updated`, `unchanged`, `stale` or `kept_d365`).',
          headers: {
            Location: header('Location'),
            'X-Correlation-Id': header('X-Correlation-Id'),
            'Preference-Applied': header('Preference-Applied', true),
            'Idempotent-Replayed': header('Idempotent-Replayed', true),
          },
          content: {
            'application/json': {
              schema: ref('StatusAnswer'),
              examples: { updated: { value: UPDATED_EXAMPLE } },
            },
          },
        },
        '202': acceptedResponse(
          'Stored and queued. Poll `Location`; a `needs_review` ending (`update_conflict`) names the fields changed in D365. (With `Prefer: wait`, only while the update has not ended within the wait.)',
        ),
        '400': problem(400, 'An invalid patch (`errors[]` point into it), a malformed header or path.', [
          'invalidBody',
          'invalidHeader',
          'invalidPath',
        ]),
        ...callerProblems(),
        '403': problem(403, forbidden.description, forbidden.types),
        '404': problem(
          404,
          'A customer this app did not create or link. Nothing is queued.',
          ['customerNotFound'],
          ['customer_not_found'],
          {
            'X-Correlation-Id': header('X-Correlation-Id', true),
            Location: header('Location', true),
          },
        ),
        '409': problem(
          409,
          'The first request with this `Idempotency-Key` is still being accepted; or (`Prefer: wait`) the create this update waited for failed; or (`Prefer: wait`) the update ended `needs_review` because fields it changes were changed in D365 since our last write (`update_conflict`, `UPDATE_CONFLICT_POLICY=review`; the detail names them, nothing was sent; final: no `Retry-After`); or a privacy request erased the customer (`erased-customer`).',
          ['idempotencyKeyInProgress', 'erasedCustomer'],
          ['customer_not_created', 'update_conflict'],
          {
            'Retry-After': header('Retry-After', true),
            'X-Correlation-Id': header('X-Correlation-Id', true),
            Location: header('Location', true),
          },
        ),
        '411': problem(411, 'The body was sent without Content-Length (chunked); send it with one.', [
          'lengthRequired',
        ]),
        '413': problem(413, 'The body is over 32 KiB.', ['tooLarge']),
        '415': problem(
          415,
          'The body is neither `application/merge-patch+json` nor `application/json` (JSON Patch included); `Accept-Patch` names the two.',
          ['unsupportedMediaType'],
          [],
          { 'Accept-Patch': header('Accept-Patch') },
        ),
        '422': problem(
          422,
          'The `Idempotency-Key` was used with another patch; or (`Prefer: wait`) D365 rejected the update.',
          ['idempotencyKeyReused'],
          ['business_error', 'invalid_update', 'invalid_message'],
          {
            'X-Correlation-Id': header('X-Correlation-Id', true),
            Location: header('Location', true),
          },
        ),
        '429': problem(429, 'The caller exceeded `RATE_LIMIT_PER_MINUTE`.', ['tooManyRequests'], [], {
          'Retry-After': header('Retry-After'),
        }),
        '500': noContent500,
        '502': problem(
          502,
          '`Prefer: wait`: a D365 configuration problem.',
          [],
          ['not_registered', 'invalid_secret', 'unauthorized', 'configuration'],
          {
            'X-Correlation-Id': header('X-Correlation-Id', true),
            Location: header('Location', true),
          },
        ),
        '503': problem(
          503,
          `Storage unavailable, nothing was queued; or (\`Prefer: wait\`) retries exhausted.${PLATFORM_503}`,
          ['storageUnavailable'],
          ['retries_exhausted'],
          {
            'Retry-After': header('Retry-After', true),
            'X-Correlation-Id': header('X-Correlation-Id', true),
            Location: header('Location', true),
          },
        ),
      },
    },
  };
}

export function updatePaths(): Record<string, Json> {
  return {
    '/customers/accounts/{legalEntity}/{customerAccount}': patchOperation(
      'updateCustomerByAccount',
      'Update a customer by its D365 account',
      'Any customer this app created or linked (under any source), for callers holding the account role (POS, back office: `CALLER_ROLE_ACCOUNTS`, a named key\u2019s `accounts` role; SECURITY.md, \u201cWho may do what\u201d). The answer never names the caller whose link it is.',
      [{ $ref: '#/components/parameters/LegalEntity' }, { $ref: '#/components/parameters/CustomerAccount' }],
      {
        description:
          'The caller lacks the app role (`CALLER_AUTH=app-service`), or may not update by account (no `accounts` role): the same answer for every account, linked or not, before anything is read.',
        types: ['forbidden'],
      },
    ),
    '/customers/references/{reference}': patchOperation(
      'updateCustomerByReference',
      'Update a customer by your own reference',
      'The customer you created with `Customer-Reference: {reference}` (references are per caller). Works while its create is still running: the update waits for it and then applies.',
      [{ $ref: '#/components/parameters/Reference' }],
      {
        description:
          'The caller lacks the app role (`CALLER_AUTH=app-service`); or (`link-unverified`) the reference\u2019s create matched a customer D365 already had, by an identity that is not verified: nothing changes through it until it is verified.',
        types: ['forbidden', 'linkUnverified'],
      },
    ),
    '/customers/links': {
      get: {
        operationId: 'getCustomerLink',
        tags: ['operations'],
        summary: 'Look a customer link up by either side (operator)',
        description:
          'By `source` + `sourceCustomerId`, or by `legalEntity` + `customerAccount`. Needs the master (admin) key; with `CALLER_AUTH=app-service` also `CALLER_ROLE_OPERATOR`. No personal data.',
        ...linkOperation('The link.', { linked: LINK_EXAMPLE }, 'No such link.'),
      },
    },
    '/customers/links/verify': {
      post: {
        operationId: 'verifyCustomerLink',
        tags: ['operations'],
        summary: 'Verify a pending link (operator)',
        description:
          'The operator\u2019s decision that the caller of a pending link (its create found the customer in D365 by an e-mail nobody verified) is that customer: the link grants changes from now on and its create\u2019s status shows the account; a shop\u2019s customer gets its D365 account written back to the shop (its status answer\u2019s `writeBack` becomes `pending`, then `written`). By `source` + `sourceCustomerId`, or by `legalEntity` + `customerAccount`. Needs the master (admin) key; with `CALLER_AUTH=app-service` also `CALLER_ROLE_OPERATOR`. Verifying a link that is not pending changes nothing.',
        ...linkOperation(
          'The link, verified.',
          { verified: { ...LINK_EXAMPLE, verification: 'verified' } },
          'No such link, or its create has not ended yet.',
        ),
      },
    },
  };
}

const LINK_EXAMPLE = {
  source: 'contoso-shopify',
  sourceCustomerId: '706405506930370084',
  legalEntity: 'USRT',
  customerAccount: 'US-000001',
  createCorrelationId: EXAMPLE_ID,
  createdAt: '2026-11-26T18:00:00.412Z',
  linkedAt: '2026-11-26T18:00:01.020Z',
};

/** The operator link routes' query parameters and answers (look up, verify). */
function linkOperation(found: string, examples: Record<string, Json>, notFound: string): Json {
  return {
    security: keySecurity('admin'),
    parameters: ['source', 'sourceCustomerId', 'legalEntity', 'customerAccount'].map((name) => ({
      name,
      in: 'query',
      required: false,
      schema: { type: 'string', maxLength: 100 },
    })),
    responses: {
      '200': {
        description: found,
        headers: { 'Cache-Control': header('Cache-Control') },
        content: {
          'application/json': {
            schema: ref('CustomerLink'),
            examples: Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { value }])),
          },
        },
      },
      '400': problem(400, 'Neither key given, or a malformed one: the detail names both forms.', [
        'invalidQuery',
      ]),
      ...callerProblems('admin'),
      '404': problem(404, notFound, ['customerNotFound']),
      '500': noContent500,
      '503': noContent503,
    },
  };
}

export const UPDATE_PARAMETERS: Record<string, Json> = {
  LegalEntity: {
    name: 'legalEntity',
    in: 'path',
    required: true,
    schema: { type: 'string', pattern: '^[A-Za-z0-9]{1,4}$' },
    example: 'USRT',
  },
  CustomerAccount: {
    name: 'customerAccount',
    in: 'path',
    required: true,
    schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,20}$' },
    example: 'US-000001',
  },
  Reference: {
    name: 'reference',
    in: 'path',
    required: true,
    description: 'The `Customer-Reference` the customer was created with.',
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,64}$' },
    example: 'POS-000123',
  },
  CustomerReference: {
    name: 'Customer-Reference',
    in: 'header',
    required: false,
    description:
      'Your own ID for the customer (a POS or shop customer number, never personal data): update it later by `PATCH /customers/references/{reference}`.',
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,64}$' },
    example: 'POS-000123',
  },
  CustomerVersion: {
    name: 'Customer-Version',
    in: 'header',
    required: false,
    description:
      'A whole number that grows with each change you make to the customer (a row version, epoch ms): updates apply in its order, an older one is dropped as `stale`. Without it, arrival order. Bounded, so one wild value cannot freeze the customer: at most a day ahead of the clock read as epoch milliseconds, and at most the milliseconds since the customer\u2019s newest version arrived plus a day (or a billion, whichever is more) ahead of that version; beyond either, `400` (`invalid-header`) and nothing is queued.',
    schema: { type: 'string', pattern: '^[0-9]{1,16}$' },
    example: '17',
  },
};

export const customerLinkJsonSchema: Json = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'legalEntity', 'createCorrelationId', 'createdAt'],
  description: 'Which D365 customer a source\u2019s customer is. No personal data.',
  properties: {
    source: { type: 'string' },
    sourceCustomerId: { type: 'string' },
    legalEntity: { type: 'string' },
    customerAccount: { type: 'string', description: 'Absent while the create is still running.' },
    createCorrelationId: { type: 'string', format: 'uuid' },
    createdAt: { type: 'string', format: 'date-time' },
    linkedAt: { type: 'string', format: 'date-time' },
    verification: {
      type: 'string',
      enum: ['pending', 'verified'],
      description:
        'The ownership policy\u2019s standing (SECURITY.md, \u201cWho may do what\u201d): `pending`, a create by an unverified identity that found the customer in D365 (no changes through it, its account not shown to its caller); `verified`, confirmed since (Shopify `verified_email`, an operator). Absent: the caller\u2019s own customer.',
    },
  },
};

/**
 * The merge patch: the create's schema with no member required and at least one present. A value
 * sets the member, `null` removes an optional one (a required one cannot be removed: its schema
 * refuses `null`), a list is replaced whole.
 */
export function customerPatchJsonSchema(create: Json): Json {
  const patch = structuredClone(create) as Json & { properties: { Customer: Json } };
  const customer = patch.properties.Customer;
  const properties = customer.properties as Record<string, Json>;
  delete customer.required;
  delete customer.anyOf; // a patch names only what changes
  customer.minProperties = 1;
  customer.description =
    'The members to change, in the create\u2019s spellings; the customer they make must be valid under the create\u2019s rules (a rule across members, such as one primary address per list, is checked on the merged customer).';
  properties.LegalEntity = {
    ...properties.LegalEntity,
    description:
      'Cannot change (it is half of the D365 key): only the customer\u2019s own legal entity, as stored (upper case), may be sent.',
  };
  return {
    ...patch,
    description:
      'A JSON Merge Patch (RFC 7396) of a customer: `{"Customer": {...}}` with the members to change.',
  };
}
