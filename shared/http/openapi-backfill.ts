import { z } from 'zod';
import { BACKFILL_READS, BACKFILL_STATES, backfillStartSchema, emptyCounts } from '../domain/backfill';
import {
  callerProblems,
  header,
  Json,
  keySecurity,
  noContent500,
  noContent503,
  problem,
  ref,
} from './openapi-parts';
import { backfillRowError, backfillUploadPaths } from './openapi-backfill-upload';

/**
 * The backfill routes (issue 30) in the OpenAPI document: start a shop's backfill, follow it.
 * Operator routes (shared/http/operator-auth.ts).
 */
const timestamp = z.iso.datetime();
const count = z.int().min(0);

const backfillProgressSchema = z
  .strictObject({
    jobId: z.uuid(),
    source: z.string(),
    since: timestamp.optional(),
    dryRun: z.boolean(),
    read: z.enum(BACKFILL_READS).meta({
      description:
        "`pages`: the shop's list API page by page; `bulk`: a Shopify bulk query operation (the job waits while it runs, then reads its file a page at a time); `csv`: an uploaded Shopify customer export (`POST /backfills/csv`).",
    }),
    state: z.enum(BACKFILL_STATES).meta({
      description:
        '`running` (pages being read), `done` (the last page was read), `failed` (`error` says why; start it again once fixed: nothing is sent twice).',
    }),
    pages: count.meta({ description: 'Pages read so far.' }),
    total: count.optional().meta({
      description:
        "How many customers the shop holds (with `since`: changed since then), from the shop's own count (Shopify `customersCount`, BigCommerce's pagination total), when it gives one.",
    }),
    counts: z
      .strictObject({
        found: count.meta({ description: 'Customers the shop listed.' }),
        queued: count.meta({ description: 'Sent through the intake as new requests (dry run: would be).' }),
        replayed: count.meta({
          description:
            'Sent before (a rerun, or a webhook first): the intake answered with the earlier request.',
        }),
        skippedLinked: count.meta({ description: 'Already linked to a D365 account: not sent.' }),
        unmappable: count.meta({
          description: 'Cannot be a D365 customer: recorded `failed` (`unmappable`).',
        }),
        wouldCreate: count.meta({
          description:
            'Dry run (lookups only, in D365 slots at background priority): of those it would send, how many no D365 customer matches (would be created). 0 otherwise.',
        }),
        wouldLinkByEmail: count.meta({
          description:
            'Dry run: would be linked (`DUPLICATE_POLICY=link`) to the one D365 customer with its e-mail (the matched field; never the value).',
        }),
        wouldLinkByNameAndPhone: count.meta({
          description:
            'Dry run: a customer without an e-mail that would be linked to the one D365 customer of its name and phone (without an e-mail either).',
        }),
        wouldReview: count.meta({
          description:
            'Dry run: several D365 customers of its name and phone, or a name that cannot be looked up exactly: an operator would decide (`needs_review`).',
        }),
      })
      .meta({ description: 'What became of the customers listed so far; no personal data.' }),
    perMinute: z
      .number()
      .min(0)
      .optional()
      .meta({ description: 'Customers listed per minute since the start.' }),
    estimatedSecondsLeft: count
      .optional()
      .meta({ description: 'Seconds left at that rate (`running`, with a `total`).' }),
    startedAt: timestamp,
    updatedAt: timestamp,
    endedAt: timestamp.optional(),
    error: z.string().optional().meta({ description: 'Why it failed (no personal data).' }),
  })
  .meta({ description: 'A backfill job and its progress.' });

export const BACKFILL_SCHEMAS = {
  BackfillStart: backfillStartSchema.meta({
    description:
      'A backfill of one shop: `source` names a Shopify or BigCommerce source of WEBHOOK_SOURCES with an Admin API token; `since` (ISO 8601) only customers changed since then; `dryRun` counts what would be sent and sends nothing; `read: "bulk"` (Shopify only) reads the shop through one bulk query operation and its JSONL file instead of page by page (large shops: 10 points in all instead of up to 1,000 a page), default `pages`.',
  }),
  BackfillProgress: backfillProgressSchema,
  BackfillRowError: backfillRowError,
  BackfillUploadStarted: backfillProgressSchema
    .extend({
      rejected: z.array(backfillRowError).meta({
        description: 'The rows left out, with pointers into the file (nothing of them is sent).',
      }),
    })
    .meta({ description: 'A backfill started from an uploaded export, and the rows it left out.' }),
};

const AUTH =
  'Operators only: the master (admin) key with `CALLER_AUTH=keys`; with `CALLER_AUTH=app-service` an Entra ID sign-in holding `CALLER_ROLE_OPERATOR` (no key).';

const EXAMPLE = {
  jobId: '0b8f2d3c-6a1e-4f3b-9c2d-1e5f7a9b0c4d',
  source: 'contoso-shopify',
  dryRun: false,
  read: 'pages',
  state: 'running',
  pages: 12,
  total: 2400,
  counts: {
    found: 600,
    queued: 541,
    replayed: 3,
    skippedLinked: 55,
    unmappable: 1,
    wouldCreate: 0,
    wouldLinkByEmail: 0,
    wouldLinkByNameAndPhone: 0,
    wouldReview: 0,
  },
  perMinute: 240,
  estimatedSecondsLeft: 450,
  startedAt: '2026-12-07T05:00:00.000Z',
  updatedAt: '2026-12-07T05:02:30.000Z',
};

const answer = (description: string, example: Json, location = false): Json => ({
  description,
  headers: {
    'Cache-Control': header('Cache-Control'),
    ...(location && {
      Location: {
        description: 'The job (`GET` it for progress).',
        schema: { type: 'string', format: 'uri' },
      },
    }),
  },
  content: {
    'application/json': { schema: ref('BackfillProgress'), examples: { example: { value: example } } },
  },
});

export function backfillPaths(): Record<string, Json> {
  return {
    '/backfills': {
      post: {
        operationId: 'startBackfill',
        tags: ['operations'],
        summary: "Start a backfill of a shop's customers (operator)",
        description: `${AUTH} Pages through the shop's customers (Shopify Admin GraphQL, BigCommerce V3) on the fleet and sends each one not yet linked to a D365 account through the same intake as the shop's webhook, keyed by the source and the shop's customer ID: a rerun, or a later webhook, is a replay, never a second customer. Below live traffic: a page waits while the customer queue holds more than \`BACKFILL_MAX_BACKLOG\` messages. Written to the audit log.`,
        security: keySecurity('admin'),
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: ref('BackfillStart'),
              examples: {
                all: { value: { source: 'contoso-shopify' } },
                repair: { value: { source: 'contoso-shopify', since: '2026-12-06T00:00:00Z', dryRun: true } },
                bulk: { value: { source: 'contoso-shopify', read: 'bulk' } },
              },
            },
          },
        },
        responses: {
          '202': answer(
            'Started: its first page is queued.',
            {
              ...EXAMPLE,
              pages: 0,
              counts: emptyCounts(),
            },
            true,
          ),
          '400': problem(
            400,
            'The body breaks a rule, `source` is not a shop with an Admin API token, or `read: "bulk"` names a shop without bulk operations (`errors[]` with pointers).',
            ['invalidBody'],
          ),
          ...callerProblems('admin'),
          '413': problem(413, 'The body is larger than the limit.', ['tooLarge']),
          '415': problem(415, 'The body is not `application/json`.', ['unsupportedMediaType']),
          '500': noContent500,
          '503': noContent503,
        },
      },
    },
    ...backfillUploadPaths(AUTH),
    '/backfills/{jobId}': {
      get: {
        operationId: 'getBackfill',
        tags: ['operations'],
        summary: "A backfill's progress (operator)",
        description: `${AUTH} Its state, pages, counts and rate. \`npm run backfill\` follows it with a progress bar.`,
        security: keySecurity('admin'),
        parameters: [
          { name: 'jobId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
        ],
        responses: {
          '200': answer('The job.', EXAMPLE),
          ...callerProblems('admin'),
          '404': problem(404, 'No such job.', ['notFound']),
          '500': noContent500,
          '503': noContent503,
        },
      },
    },
  };
}
