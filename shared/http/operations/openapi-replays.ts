import { callerProblems, header, Json, keySecurity, noContent500, problem, ref } from '../openapi-parts';
import { MAX_REPLAY_IDS } from '../../domain/operations/replay-job';

/**
 * The OpenAPI description of bulk replay (issue 31, docs/operations.md; the HTTP edge is
 * shared/http/operations/replay-routes.ts). Operator routes.
 */
const AUTH =
  'Operators only: the master (admin) key with `CALLER_AUTH=keys`; with `CALLER_AUTH=app-service` an Entra ID sign-in holding `CALLER_ROLE_OPERATOR` (no key).';

const JOB_EXAMPLE = {
  id: '0b9c6f2e-5a41-4c1e-9d7b-2f8e3a6c1d40',
  state: 'running',
  createdAt: '2026-11-26T19:00:00.000Z',
  updatedAt: '2026-11-26T19:02:10.000Z',
  createdBy: 'master-key',
  filter: { errorCode: 'not_registered' },
  counts: {
    total: 10000,
    released: 2350,
    pending: 3,
    succeeded: 2347,
    failed: 0,
    needsReview: 0,
    skipped: 0,
  },
};

const jobAnswer = (description: string, example: unknown, headers: Record<string, Json> = {}): Json => ({
  description,
  headers: { 'Cache-Control': header('Cache-Control'), ...headers },
  content: { 'application/json': { schema: ref('ReplayJob'), examples: { job: { value: example } } } },
});

const JOB_ID: Json = {
  name: 'jobId',
  in: 'path',
  required: true,
  description: 'The job’s ID (from `POST /ops/replays`).',
  schema: { type: 'string', format: 'uuid' },
};

const UNKNOWN_JOB = problem(404, 'No such job.', ['notFound']);

export function replayPaths(): Record<string, Json> {
  return {
    '/ops/replays': {
      post: {
        operationId: 'opsStartReplay',
        tags: ['operations'],
        summary: 'Replay failed requests in bulk, as one job (operator)',
        description: `${AUTH} By a filter of the failed view (the list’s filters) or by up to ${MAX_REPLAY_IDS} IDs. The job replays them paced through the fleet’s D365 gate below live traffic: it releases more only while the gate has room beyond \`REPLAY_RESERVE_SLOTS\` and never has more than \`D365_MAX_CONCURRENCY − REPLAY_RESERVE_SLOTS\` on their way, none during a throttling pause. Audited (\`replay.start\`).`,
        security: keySecurity('admin'),
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: ref('ReplayBody'),
              examples: {
                byFilter: { value: { filter: { errorCode: 'not_registered', legalEntity: 'USRT' } } },
                byIds: { value: { correlationIds: ['6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a'] } },
              },
            },
          },
        },
        responses: {
          '202': jobAnswer(
            'The job, started; follow it at `Location`.',
            {
              ...JOB_EXAMPLE,
              updatedAt: JOB_EXAMPLE.createdAt,
              counts: { ...JOB_EXAMPLE.counts, released: 0, pending: 0, succeeded: 0 },
            },
            { Location: { description: 'The job: `/api/ops/replays/{jobId}`.', schema: { type: 'string' } } },
          ),
          '400': problem(400, 'The body breaks a rule (`errors[]` with pointers).', ['invalidBody']),
          ...callerProblems('admin'),
          '409': problem(409, 'No failed request matches: nothing to replay.', ['actionRefused']),
          '500': noContent500,
        },
      },
      get: {
        operationId: 'opsListReplays',
        tags: ['operations'],
        summary: 'The recent bulk replay jobs (operator)',
        description: `${AUTH} The last 30 days’ jobs, newest first (at most 20), with their progress.`,
        security: keySecurity('admin'),
        responses: {
          '200': {
            description: 'The jobs.',
            headers: { 'Cache-Control': header('Cache-Control') },
            content: {
              'application/json': {
                schema: ref('ReplayJobList'),
                examples: { jobs: { value: { items: [JOB_EXAMPLE] } } },
              },
            },
          },
          ...callerProblems('admin'),
          '500': noContent500,
        },
      },
    },
    '/ops/replays/{jobId}': {
      get: {
        operationId: 'opsReplay',
        tags: ['operations'],
        summary: 'One bulk replay job and its progress (operator)',
        description: `${AUTH} \`released = pending + succeeded + failed + needsReview\`; it is finished when \`finishedAt\` is set.`,
        security: keySecurity('admin'),
        parameters: [JOB_ID],
        responses: {
          '200': jobAnswer('The job.', JOB_EXAMPLE),
          ...callerProblems('admin'),
          '404': UNKNOWN_JOB,
          '500': noContent500,
        },
      },
    },
    '/ops/replays/{jobId}/cancel': {
      post: {
        operationId: 'opsCancelReplay',
        tags: ['operations'],
        summary: 'Cancel a bulk replay job (operator)',
        description: `${AUTH} It releases nothing more; what it released already ends as it will and is counted. Audited (\`replay.cancel\`).`,
        security: keySecurity('admin'),
        parameters: [JOB_ID],
        responses: {
          '200': jobAnswer('Cancelled.', {
            ...JOB_EXAMPLE,
            state: 'cancelled',
            cancelledAt: '2026-11-26T19:02:10.000Z',
            cancelledBy: 'master-key',
          }),
          ...callerProblems('admin'),
          '404': UNKNOWN_JOB,
          '409': problem(409, 'The job is done or cancelled already.', ['actionRefused']),
          '500': noContent500,
        },
      },
    },
  };
}
