import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Config } from '../config/config';
import { backfillProgress, backfillStartSchema } from '../domain/backfill';
import type { AuditLog, Log } from '../ports';
import { startBackfill, StartBackfillDeps } from '../use-cases/backfill/start-backfill';
import { requireOperator } from './operator-auth';
import { json, problem } from './operations/answers';
import { problems } from './problem';
import { readJsonBody } from './request-body';
import { publicRequestUrl } from './public-url';
import { errorName } from '../domain/failure';

/**
 * `POST /api/backfills` and `GET /api/backfills/{jobId}` (operator, issue 30): start a shop's
 * backfill, follow its progress. Starting one is an operator action: it is audited.
 */
export interface BackfillRouteDeps extends StartBackfillDeps {
  config: Config;
  auditLog: AuditLog;
  log: Log;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export async function startBackfillRoute(
  request: HttpRequest,
  deps: BackfillRouteDeps,
): Promise<HttpResponseInit> {
  const check = requireOperator(request.headers, deps.config.callers);
  if (!check.ok) return check.response;
  const body = await readJsonBody(request);
  if (!body.ok) return problem(body.problem);
  const parsed = backfillStartSchema.safeParse(body.value);
  if (!parsed.success) {
    return problem(
      problems.invalidBody(
        parsed.error.issues.map((issue) => ({
          pointer: issue.code === 'unrecognized_keys' ? `/${issue.keys[0]}` : `/${issue.path.join('/')}`,
          detail:
            issue.code === 'unrecognized_keys' ? `Unknown member: ${issue.keys.join(', ')}.` : issue.message,
        })),
      ),
    );
  }
  const result = await startBackfill(parsed.data, check.operator.id, deps);
  if (result.kind === 'unknown-source') {
    return problem(
      problems.invalidBody([
        {
          pointer: '/source',
          detail: 'Not a Shopify or BigCommerce source of WEBHOOK_SOURCES with an Admin API token.',
        },
      ]),
    );
  }
  if (result.kind === 'bulk-unsupported') {
    return problem(
      problems.invalidBody([
        { pointer: '/read', detail: 'Only a Shopify source can be read through a bulk operation.' },
      ]),
    );
  }
  const { job } = result;
  await deps.auditLog
    .append({
      at: job.startedAt,
      actor: check.operator,
      action: 'backfill.start',
      correlationIds: [],
      count: 0,
      jobId: job.jobId,
      filter: {
        source: job.source,
        ...(job.since !== undefined && { since: job.since }),
        ...(job.dryRun && { dryRun: 'true' }),
      },
      outcome: 'started',
    })
    .catch((error: unknown) =>
      deps.log.warn('backfill.audit_failed', { jobId: job.jobId, reason: errorName(error) }),
    );
  const url = new URL(publicRequestUrl(request.url, deps.config.publicOrigin));
  const location = new URL(`${url.pathname.replace(/\/+$/, '')}/${job.jobId}`, url.origin).toString();
  return json(202, backfillProgress(job), { location });
}

export async function backfillStatusRoute(
  request: HttpRequest,
  deps: Pick<BackfillRouteDeps, 'config' | 'backfillJobs'>,
): Promise<HttpResponseInit> {
  const check = requireOperator(request.headers, deps.config.callers);
  if (!check.ok) return check.response;
  const jobId = request.params.jobId ?? '';
  if (!UUID.test(jobId)) return problem(problems.notFound());
  const job = await deps.backfillJobs.get(jobId.toLowerCase());
  if (!job) return problem(problems.notFound());
  return json(200, backfillProgress(job));
}
