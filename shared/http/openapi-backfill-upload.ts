import { z } from 'zod';
import { emptyCounts } from '../domain/backfill';
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

/**
 * `POST /api/backfills/csv` (issue 30) in the OpenAPI document: a Shopify customer export as the
 * source of a backfill (shared/http/backfill-upload-route.ts, columns in shared/domain/backfill-csv.ts).
 */
export const backfillRowError = z
  .strictObject({
    pointer: z.string().meta({
      description:
        'Where in the file: `/rows/<data row, from 0>/<column>` (`/rows/<n>` for a row of the wrong width, `/header/Email` for a missing column).',
    }),
    detail: z.string().meta({ description: "What is wrong, with the file's line number; never the value." }),
  })
  .meta({ description: 'A row left out of the backfill (nothing of it is sent).' });

const EXAMPLE_CSV = [
  'First Name,Last Name,Email,Company,Address1,Address2,City,Province,Province Code,Country,Country Code,Zip,Phone,Accepts Email Marketing,Accepts SMS Marketing,Total Spent,Total Orders,Tags,Note,Tax Exempt',
  'Ada,Lovelace,ada@example.com,,12 Main St,,Springfield,Illinois,IL,United States,US,62701,,no,no,0.00,0,,,no',
  'Grace,Hopper,not-an-address,,,,,,,,,,,no,no,0.00,0,,,no',
].join('\n');

const EXAMPLE = {
  jobId: '5d2f7c1e-3b8a-4e6f-9c0d-2a1b3c4d5e6f',
  source: 'contoso-shopify',
  dryRun: false,
  read: 'csv',
  state: 'running',
  pages: 0,
  total: 1,
  counts: emptyCounts(),
  startedAt: '2026-12-07T05:00:00.000Z',
  updatedAt: '2026-12-07T05:00:00.000Z',
  rejected: [{ pointer: '/rows/1/Email', detail: 'Line 3: not an e-mail address.' }],
};

export function backfillUploadPaths(auth: string): Record<string, Json> {
  return {
    '/backfills/csv': {
      post: {
        operationId: 'startBackfillUpload',
        tags: ['operations'],
        summary: 'Start a backfill from an uploaded Shopify customer export (operator)',
        description: `${auth} The body is the CSV file Shopify's admin exports (Customers → Export; columns as Shopify's help center describes the customer CSV file: \`First Name\`, \`Last Name\`, \`Email\` (required column), \`Address1\`, \`Address2\`, \`City\`, \`Province Code\`, \`Country Code\`, \`Zip\`, \`Phone\`; \`Customer ID\` and the \`Default Address …\` names taken when present). Each valid row is sent through the source's webhook intake, keyed by its \`Customer ID\` (else its e-mail): a rerun is a replay. Rows that cannot be sent are left out and listed in \`rejected\` with pointers; the job runs with the others. At most 10 MiB. Written to the audit log.`,
        security: keySecurity('admin'),
        parameters: [
          {
            name: 'source',
            in: 'query',
            required: true,
            description:
              'A Shopify source of WEBHOOK_SOURCES (its legal entity, currency and webhook caller).',
            schema: { type: 'string', minLength: 1, maxLength: 64 },
          },
          {
            name: 'dryRun',
            in: 'query',
            required: false,
            description: 'Count what would be sent; send nothing.',
            schema: { type: 'string', enum: ['true', 'false'] },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'text/csv': { schema: { type: 'string' }, examples: { export: { value: EXAMPLE_CSV } } },
          },
        },
        responses: {
          '202': {
            description: 'Started with the valid rows; `rejected` lists the rows left out.',
            headers: {
              'Cache-Control': header('Cache-Control'),
              Location: {
                description: 'The job (`GET` it for progress).',
                schema: { type: 'string', format: 'uri' },
              },
            },
            content: {
              'application/json': {
                schema: ref('BackfillUploadStarted'),
                examples: { example: { value: EXAMPLE } },
              },
            },
          },
          '400': problem(
            400,
            'No row can be sent (`errors[]` with pointers into the file), the file is not CSV, or `source` is not a Shopify source.',
            ['invalidBody'],
          ),
          ...callerProblems('admin'),
          '413': problem(413, 'The file is over 10 MiB.', ['tooLarge']),
          '415': problem(415, 'The body is not `text/csv`.', ['unsupportedMediaType']),
          '500': noContent500,
          '503': noContent503,
        },
      },
    },
  };
}
