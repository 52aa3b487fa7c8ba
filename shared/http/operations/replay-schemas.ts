import { z } from 'zod';
import { MAX_REPLAY_IDS, REPLAY_STATES, ReplayFilter } from '../../domain/operations/replay-job';
import type { FieldError } from '../../domain/customer-contract';
import type { ReplaySelection } from '../../use-cases/operations/bulk-replay';
import { listQuerySchema } from './list-query';

/**
 * zod schemas of bulk replay (issue 31): the body of `POST /api/ops/replays` and the job as the API
 * answers it; the source of their part of the OpenAPI document.
 */
const timestamp = z.iso.datetime({ offset: true }).meta({ examples: ['2026-11-26T18:00:00.412Z'] });

const { errorCode, source, from, to } = listQuerySchema.shape;
const filterSchema = z
  .strictObject({
    errorCode,
    source,
    // The list's rule without its upper-casing (a transform has no JSON Schema): done after parsing.
    legalEntity: z
      .string()
      .regex(/^[A-Za-z0-9]{1,4}$/, 'legalEntity must be a D365 legal entity ID such as USRT')
      .optional(),
    from,
    to,
  })
  .meta({
    description:
      'The failed requests to replay: the filters of `GET /api/ops/requests?status=failed` (none: every failed request). Requests that fail after the job started are not taken.',
  });

export const replayBodySchema = z
  .strictObject({
    filter: filterSchema.optional(),
    correlationIds: z
      .array(z.uuid({ message: 'correlationIds must hold correlation IDs' }))
      .min(1, 'correlationIds must name at least one request')
      .max(MAX_REPLAY_IDS, `correlationIds must name at most ${MAX_REPLAY_IDS} requests (use a filter)`)
      .optional(),
  })
  .refine((body) => (body.filter === undefined) !== (body.correlationIds === undefined), {
    message: 'Give either filter or correlationIds.',
  })
  .meta({
    description: `Either a \`filter\` of the failed view or up to ${MAX_REPLAY_IDS} \`correlationIds\`.`,
    examples: [{ filter: { errorCode: 'not_registered', legalEntity: 'USRT' } }],
  });

/** The replay body as the use-case takes it, or field errors with pointers. */
export function parseReplayBody(
  body: unknown,
): { ok: true; selection: ReplaySelection } | { ok: false; errors: FieldError[] } {
  const parsed = replayBodySchema.safeParse(body);
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => ({
        pointer: issue.code === 'unrecognized_keys' ? `/${issue.keys[0]}` : `/${issue.path.join('/')}`,
        detail:
          issue.code === 'unrecognized_keys' ? `Unknown member: ${issue.keys.join(', ')}.` : issue.message,
      })),
    };
  const { filter, correlationIds } = parsed.data;
  if (correlationIds !== undefined) return { ok: true, selection: { correlationIds } };
  const { from, to, ...rest } = filter!;
  if (from !== undefined && to !== undefined && Date.parse(from) > Date.parse(to))
    return { ok: false, errors: [{ pointer: '/filter/from', detail: 'from must not be later than to' }] };
  const clean: ReplayFilter = Object.fromEntries(
    Object.entries({ ...rest, legalEntity: rest.legalEntity?.toUpperCase() }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  return {
    ok: true,
    selection: {
      filter: {
        ...clean,
        ...(from !== undefined && { from: new Date(from).toISOString() }),
        ...(to !== undefined && { to: new Date(to).toISOString() }),
      },
    },
  };
}

const count = z.int().min(0);

export const replayJobSchema = z
  .strictObject({
    id: z.uuid(),
    state: z.enum(REPLAY_STATES).meta({
      description:
        '`running`; `cancelled` (releases nothing more; what it released still ends and is counted); `done`.',
    }),
    createdAt: timestamp,
    updatedAt: timestamp,
    createdBy: z.string().meta({ description: '`master-key` or the operator’s Entra ID object ID.' }),
    filter: z.record(z.string(), z.string()).optional(),
    requested: count.optional().meta({ description: 'By IDs: how many were given.' }),
    counts: z
      .strictObject({
        total: count.meta({
          description:
            'What the job expects to take (the matches when it started; when a filter job is done, what it met).',
        }),
        released: count.meta({ description: 'Put back on the queue by the job.' }),
        pending: count.meta({ description: 'Released and not yet ended.' }),
        succeeded: count,
        failed: count,
        needsReview: count,
        skipped: count.meta({ description: 'No longer failed (or gone) when the job came to them.' }),
      })
      .meta({ description: 'The progress: released = pending + succeeded + failed + needsReview.' }),
    finishedAt: timestamp.optional(),
    cancelledAt: timestamp.optional(),
    cancelledBy: z.string().optional(),
  })
  .meta({ description: 'A bulk replay job and its progress (no personal data, not the IDs it holds).' });

export const replayJobListSchema = z
  .strictObject({ items: z.array(replayJobSchema) })
  .meta({ description: 'The last 30 days’ bulk replay jobs, newest first (at most 20).' });
