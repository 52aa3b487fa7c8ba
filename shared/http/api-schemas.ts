import { z } from 'zod';
import { FAILURE_CODES, FailureCode, STATUSES } from '../domain/status';
import { MATCHED_ON } from '../domain/recovery-match';
import { CONTACT_PERSON_OUTCOMES } from '../domain/contact-person';
import { ATTENTION_VIEWS } from '../domain/operations/attention';
import { REVIEW_DECISIONS } from '../domain/operations/review-decision';
import { problems } from './problem';
import { writeBackSchema } from './write-back-schema';
import {
  MAX_WEBHOOK_BODY_BYTES,
  WEBHOOK_IGNORED_REASONS,
  webhookInProgress,
  webhookUnauthorized,
} from './webhooks/answers';

/**
 * zod schemas of what the HTTP API answers. They are the source of the OpenAPI document's response
 * schemas (`shared/http/openapi.ts`), and the HTTP tests check every real answer against that
 * document, so a field the code adds without describing it here fails a test.
 */

const FAILURE_CODE_LIST = Object.keys(FAILURE_CODES) as [FailureCode, ...FailureCode[]];
const timestamp = z.iso.datetime({ offset: true }).meta({ examples: ['2026-11-26T18:00:00.412Z'] });
const correlationId = z.uuid().meta({
  description: 'The request\u2019s correlation ID.',
  examples: ['6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a'],
});

const existingAccounts = z
  .array(z.string())
  .min(1)
  .meta({
    description:
      'Every D365 account the duplicate policy matched in the legal entity (by the request\u2019s e-mail address, or for a request without one by name and phone: `matchedOn`): the duplicate that `DUPLICATE_POLICY=reject` refused, or the matches when several customers were found (by e-mail `link` took the first; by name and phone the request is `needs_review`), or the possible duplicates of a request without an e-mail (`possible_duplicate`, `needs_review`).',
    examples: [['US-000001']],
  });

export const outcomeSchema = z
  .enum(['created', 'linked', 'updated', 'unchanged', 'stale', 'kept_d365'])
  .meta({
    description:
      'Creates: `created`, or `linked` (the customer existed already, `DUPLICATE_POLICY=link`). Updates: `updated` (the changed fields were sent to D365), `unchanged` (nothing to send), `stale` (every field it names was set by a newer update: recorded and dropped), `kept_d365` (D365 changed those fields meanwhile and `UPDATE_CONFLICT_POLICY=d365`).',
  });

export const verificationSchema = z.literal('pending').meta({
  description:
    'A `linked` create whose caller did not verify the shopper\u2019s identity (a caller without the staff role, a Shopify customer whose e-mail is not verified): D365 already has a customer with this e-mail, but the link grants no changes and its account is not shown until the identity is verified (a Shopify update with `verified_email`, or an operator: `POST /customers/links/verify`). SECURITY.md, "Who may do what".',
});

export const statusSchema = z
  .enum(STATUSES)
  .meta({ description: 'Where the request is in its life cycle (see docs/api.md).' });

export const failureCodeSchema = z.enum(FAILURE_CODE_LIST).meta({
  description: Object.entries(FAILURE_CODES)
    .map(([code, message]) => `- \`${code}\`: ${message}`)
    .join('\n'),
});

export const statusAnswerSchema = z
  .strictObject({
    correlationId,
    kind: z
      .literal('update')
      .optional()
      .meta({ description: '`update` for a customer update (`PATCH`); absent for a create.' }),
    status: statusSchema,
    legalEntity: z.string().meta({ examples: ['USRT'] }),
    source: z
      .string()
      .optional()
      .meta({
        description:
          'With `sourceCustomerId`, the link to the caller’s customer: the webhook source (a `WEBHOOK_SOURCES` name), or for `POST /customers` with a `Customer-Reference` the caller (`api` with function keys, else its Entra object ID).',
        examples: ['contoso-shopify'],
      }),
    sourceCustomerId: z
      .string()
      .optional()
      .meta({
        description:
          'The source\u2019s own customer ID as text (Shopify: the number in `admin_graphql_api_id`, exact where the JSON `id` above 2^53 is not; BigCommerce: `data.id`; the caller\u2019s `Customer-Reference`). Not personal data.',
        examples: ['706405506930370084'],
      }),
    customerAccount: z
      .string()
      .optional()
      .meta({ description: 'The D365 customer account number (`succeeded`).', examples: ['US-000001'] }),
    outcome: outcomeSchema.optional(),
    verification: verificationSchema.optional(),
    existingAccounts: existingAccounts.optional(),
    matchedOn: z
      .enum(MATCHED_ON)
      .optional()
      .meta({
        description:
          'Which fields of the D365 customer a lookup matched: `email` (`PrimaryContactEmail`; linked, rejected or recovered customers) or `name_and_phone` (`PersonFirstName`, `PersonLastName` and `PrimaryContactPhone` as E.164, among customers without an e-mail: the duplicate policy for a request without an e-mail, or recovering a customer a create may have made if none holds the e-mail; several such customers: `needs_review` with them in `existingAccounts`), `tax_number` (`TaxExemptNumber`: an organisation) or `name_and_country` (`OrganizationName` and `AddressCountryRegionId` among organisations without a tax number), or `name_initial_and_phone` (a possible duplicate of a request without an e-mail: `PersonLastName` and `PrimaryContactPhone` equal, and `PersonFirstName` an initial of the request’s first name or the other way round, among customers without an e-mail: `needs_review` with `possible_duplicate`, never linked). Never the matched values.',
        examples: ['email'],
      }),
    reviewDecision: z
      .enum(REVIEW_DECISIONS)
      .optional()
      .meta({
        description:
          'Issue 32: what an operator decided for this request in review (`POST /api/ops/requests/{id}/link` or `…/create-new`): `linked` (the request is the chosen candidate: `outcome: linked`) or `create_new` (queued again and created without the possible-duplicate check). Absent when no operator decided it. Never names the operator.',
        examples: ['linked'],
      }),
    addresses: z
      .strictObject({
        landed: z.array(z.string()).meta({ description: 'Pointers of the further addresses in D365 now.' }),
        failed: z.array(z.string()).meta({
          description:
            'Pointers of the further addresses D365 refused, or that still failed after the retries.',
        }),
      })
      .optional()
      .meta({
        description:
          'CustomersV3 target, creates with more addresses than one primary, one invoice and one delivery address: the others, posted to `CustomerPostalAddresses` after the customer exists, by RFC 6901 pointer into the request (never the values). An address that did not land never fails the request.',
        examples: [{ landed: ['/Customer/BillingAddress/1', '/Customer/ShippingAddress/2'], failed: [] }],
      }),
    contactPerson: z
      .enum(CONTACT_PERSON_OUTCOMES)
      .optional()
      .meta({
        description:
          'CustomersV3 target, an organisation’s create: its contact person (the request’s `FirstName`, `MiddleName`, `LastName`, `EmailAddress`, `ContactNumber`) as a D365 contact person of the organisation customer (`CDSContactPersonsV2`, associated type `Customer`): `created`, `found` (a contact person with the same e-mail, or without e-mails the same name, was already there: not created again) or `failed` (D365 refused it, or it still failed after the retries; the organisation stays `succeeded`). Absent for a person and on the custom-service target (its one call carries the contact person).',
        examples: ['created'],
      }),
    erasedAt: z.iso.datetime().optional().meta({
      description:
        'When a privacy request erased the customer from this request (issue 27): only its facts remain (status, codes, times).',
    }),
    error: z
      .strictObject({ code: failureCodeSchema, message: z.string() })
      .optional()
      .meta({ description: 'Why a `failed` request failed; never personal data.' }),
    lastError: z
      .string()
      .optional()
      .meta({ description: 'The last transient failure of a pending request.' }),
    nextAttemptAt: timestamp.optional().meta({ description: 'When the next attempt is due (`retrying`).' }),
    writeBack: writeBackSchema.optional(),
    attempts: z.int().min(0),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({
    description: 'The state of one customer request. Never holds personal data.',
  });

export const acceptedSchema = z
  .strictObject({
    correlationId,
    status: statusSchema,
    statusUrl: z.url().meta({ description: 'Poll it (also in `Location`).' }),
  })
  .meta({ description: 'The request is stored and queued.' });

export const webhookAcceptedSchema = z
  .strictObject({
    correlationId,
    status: statusSchema.meta({
      description:
        '`queued` for a new delivery (`failed` when the shop\u2019s customer cannot be mapped: error code `unmappable`); the request\u2019s current status for a redelivery.',
    }),
    source: z
      .string()
      .meta({ description: 'The `WEBHOOK_SOURCES` name that sent it.', examples: ['contoso-shopify'] }),
    sourceCustomerId: z
      .string()
      .optional()
      .meta({
        description: 'The shop\u2019s own customer ID, when the delivery names one (Shopify, BigCommerce).',
        examples: ['706405506930370084'],
      }),
    statusUrl: z.url().meta({ description: 'The request\u2019s status (also in `Location`).' }),
  })
  .meta({ description: 'The delivery is stored (and queued unless it failed at once). No personal data.' });

export const webhookIgnoredSchema = z
  .strictObject({
    ignored: z.literal(true),
    reason: z.enum(WEBHOOK_IGNORED_REASONS).meta({
      description:
        '`topic-not-subscribed`: the source does not list the topic; `topic-not-handled`: a Standard Webhooks envelope whose `type` is none of `customer.created`, `customer.updated`, `customer.redact`, `customer.data_request`; `link-unverified`: a Shopify `customers/update` of a customer whose create matched an existing D365 customer by an e-mail Shopify has not verified (nothing is changed until `verified_email` is true or an operator verifies the link); `erased`: a privacy request erased this customer (or the whole shop) and no operator released it (docs/privacy.md).',
    }),
  })
  .meta({ description: 'A verified delivery that creates nothing; the 200 keeps the subscription alive.' });

export const callbackSecretsSchema = z
  .strictObject({
    secrets: z
      .array(z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/))
      .min(1)
      .meta({
        description:
          'Your `whsec_` secrets, the newest first: verify each result callback with any of them (during a rotation of the app\u2019s secret both sign). Yours only: another caller\u2019s callbacks are signed with its own.',
        examples: [['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw']],
      }),
  })
  .meta({ description: 'The secrets that sign your result callbacks.' });

export const fieldErrorSchema = z.strictObject({
  pointer: z.string().meta({
    description: 'RFC 6901 JSON Pointer into the request body (`""`: the body or a header as a whole).',
    examples: ['/Customer/EmailAddress'],
  }),
  detail: z.string(),
});

/** One call of each problem factory (a new factory without an entry here does not compile). */
const PROBLEM_SAMPLES: { [K in keyof typeof problems]: Parameters<(typeof problems)[K]> } = {
  invalidBody: [
    [{ pointer: '/Customer/EmailAddress', detail: 'EmailAddress must be a valid e-mail address.' }],
  ],
  unsupportedMediaType: ['text/plain'],
  tooLarge: [32768],
  lengthRequired: [],
  invalidCorrelationId: [],
  notFound: [],
  invalidHeader: [
    'Idempotency-Key',
    { pointer: '', detail: 'Idempotency-Key must be 1 to 255 visible ASCII characters.' },
  ],
  idempotencyKeyReused: [],
  idempotencyKeyInProgress: [],
  notReplayable: ['Only a failed request can be replayed.'],
  notReady: ['The request is processing; an export is ready once a data request succeeded.'],
  erasedCustomer: [],
  invalidPath: [
    { pointer: '', detail: 'The path is /api/customers/accounts/{legalEntity}/{customerAccount}.' },
  ],
  invalidQuery: [
    [
      {
        pointer: '',
        detail:
          'Name the link: ?source=…&sourceCustomerId=… (a source customer) or ?legalEntity=…&customerAccount=… (a D365 account).',
      },
    ],
  ],
  actionRefused: ['The request is resolved already.'],
  customerNotFound: [],
  forbidden: [],
  linkUnverified: [],
  referenceInUse: [
    'https://contoso-sync.azurewebsites.net/api/customers/status/6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a',
  ],
  tooManyRequests: [12],
  secretUnavailable: [1],
  storageUnavailable: [1],
  invalidDataEvent: [[{ pointer: '/EventId', detail: 'must be a GUID' }]],
};

/** The webhook routes' own problems, and the 413 with their larger limit. */
const WEBHOOK_PROBLEMS = {
  webhookUnauthorized: webhookUnauthorized(),
  webhookInProgress: webhookInProgress(),
  webhookTooLarge: problems.tooLarge(MAX_WEBHOOK_BODY_BYTES),
};

type ProblemExample = { type: string; status: number } & Record<string, unknown>;

/**
 * Further examples of a fixed problem, named for the operations whose answer differs from the first
 * example (the operations routes' `invalid-query` points at a query parameter; the link routes' at
 * the whole query).
 */
const PROBLEM_VARIANTS = {
  invalidQueryParameter: problems.invalidQuery([
    { pointer: '/status', detail: `status must be one of ${ATTENTION_VIEWS.join(', ')}` },
  ]),
  invalidQueryUnknownParameter: problems.invalidQuery([
    { pointer: '/colour', detail: 'Unknown query parameter: colour.' },
  ]),
};

/** Each fixed problem as the app sends it (the `Retry-After` seconds go to the header). */
export const PROBLEM_EXAMPLES = Object.fromEntries(
  [
    ...Object.entries(PROBLEM_SAMPLES).map(([name, args]) => {
      const make = problems[name as keyof typeof problems] as (...a: unknown[]) => Record<string, unknown>;
      return [name, make(...args)] as const;
    }),
    ...Object.entries(WEBHOOK_PROBLEMS),
    ...Object.entries(PROBLEM_VARIANTS),
  ].map(([name, problem]) => {
    const { retryAfterSeconds: _ignored, ...body } = problem as Record<string, unknown>;
    return [name, body];
  }),
) as Record<
  keyof typeof problems | keyof typeof WEBHOOK_PROBLEMS | keyof typeof PROBLEM_VARIANTS,
  ProblemExample
>;

/** Every `type` the app answers: the fixed problems, and one per failure code (`Prefer: wait`). */
export const PROBLEM_TYPES: readonly string[] = [
  ...new Set([
    ...Object.values(PROBLEM_EXAMPLES).map((problem) => problem.type),
    ...FAILURE_CODE_LIST.map((code) => failureProblemType(code)),
  ]),
];

export function failureProblemType(code: FailureCode): string {
  return `urn:d365-customer-sync:problem:${code.replace(/_/g, '-')}`;
}

export const problemSchema = z
  .strictObject({
    type: z.enum(PROBLEM_TYPES as [string, ...string[]]),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string(),
    errors: z
      .array(fieldErrorSchema)
      .optional()
      .meta({ description: 'Every offending field (invalid body) or the header (`pointer: ""`).' }),
    header: z.string().optional().meta({ description: 'The malformed header (`invalid-header`).' }),
    code: failureCodeSchema.optional().meta({ description: 'The failure code (a `Prefer: wait` failure).' }),
    correlationId: correlationId.optional(),
    statusUrl: z.url().optional(),
    existingAccounts: existingAccounts
      .optional()
      .meta({ description: 'The existing accounts (a `duplicate` after `Prefer: wait`).' }),
  })
  .meta({
    description: 'RFC 9457 problem details (`application/problem+json`). Details never echo the values sent.',
  });

export const healthSchema = z.strictObject({ status: z.literal('ok') });

export type WebhookAcceptedBody = z.infer<typeof webhookAcceptedSchema>;
export type WebhookIgnoredBody = z.infer<typeof webhookIgnoredSchema>;
export type StatusAnswerBody = z.infer<typeof statusAnswerSchema>;
export type AcceptedBody = z.infer<typeof acceptedSchema>;
export type ProblemBody = z.infer<typeof problemSchema>;
