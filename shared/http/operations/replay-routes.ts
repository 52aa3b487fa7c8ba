import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Config } from '../../config/config';
import { parseCorrelationId } from '../../domain/correlation-id';
import type { AuditActor } from '../../domain/operations/audit';
import { replayJobView } from '../../domain/operations/replay-job';
import { BulkReplayDeps, cancelReplay, startReplay } from '../../use-cases/operations/bulk-replay';
import { requireOperator } from '../operator-auth';
import { Problem, problems } from '../problem';
import { readJsonBody } from '../request-body';
import { json, problem } from './answers';
import { parseReplayBody } from './replay-schemas';

/**
 * Bulk replay over HTTP (`/api/ops/replays…`, issue 31): the edge of use-cases/operations/
 * bulk-replay.ts. Each route checks the operator first; the job is answered without the IDs it holds.
 */
export type ReplayAction = (
  request: HttpRequest,
  context: { actor: AuditActor; deps: BulkReplayDeps },
) => Promise<HttpResponseInit>;

const unknownJob = (): Problem => ({
  ...problems.notFound(),
  title: 'Unknown replay job',
  detail: 'No bulk replay job has this ID.',
});

/** Checks the operator, then runs the action (`deps` built per invocation by the caller). */
export async function runReplayAction(
  request: HttpRequest,
  callers: Config['callers'],
  deps: () => BulkReplayDeps,
  action: ReplayAction,
): Promise<HttpResponseInit> {
  const check = requireOperator(request.headers, callers);
  if (!check.ok) return check.response;
  return action(request, { actor: check.operator, deps: deps() });
}

/** `POST /api/ops/replays` `{filter}` or `{correlationIds}`: starts a job (202 + Location). */
export const startJob: ReplayAction = async (request, { actor, deps }) => {
  const body = await readJsonBody(request);
  if (!body.ok) return problem(body.problem);
  const parsed = parseReplayBody(body.value);
  if (!parsed.ok) return problem(problems.invalidBody(parsed.errors));
  const result = await startReplay(parsed.selection, actor, deps);
  if (result.kind === 'nothing')
    return problem(problems.actionRefused('No failed request matches: nothing to replay.'));
  return json(202, replayJobView(result.job), { location: `/api/ops/replays/${result.job.id}` });
};

/** `GET /api/ops/replays`: the recent jobs, newest first. */
export const listJobs: ReplayAction = async (_request, { deps }) =>
  json(200, { items: (await deps.jobs.recent(20)).map(replayJobView) });

/** `GET /api/ops/replays/{jobId}`: one job's progress. */
export const showJob: ReplayAction = async (request, { deps }) => {
  const id = parseCorrelationId(request.params.jobId);
  const job = id === undefined ? undefined : await deps.jobs.get(id);
  return job ? json(200, replayJobView(job)) : problem(unknownJob());
};

/** `POST /api/ops/replays/{jobId}/cancel`: releases nothing more (what was released ends as it will). */
export const cancelJob: ReplayAction = async (request, { actor, deps }) => {
  const id = parseCorrelationId(request.params.jobId);
  if (id === undefined) return problem(unknownJob());
  const result = await cancelReplay(id, actor, deps);
  if (result.kind === 'not-found') return problem(unknownJob());
  if (result.kind === 'finished')
    return problem(problems.actionRefused(`The job is ${result.job.state} already.`));
  return json(200, replayJobView(result.job));
};
