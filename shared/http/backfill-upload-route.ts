import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Config } from '../config/config';
import { backfillProgress } from '../domain/backfill';
import { errorName } from '../domain/failure';
import type { AuditLog, Log } from '../ports';
import { startBackfillUpload, StartBackfillUploadDeps } from '../use-cases/backfill/start-backfill-upload';
import { requireOperator } from './operator-auth';
import { json, problem } from './operations/answers';
import { problems } from './problem';
import { publicRequestUrl } from './public-url';
import { isChunkedWithoutLength, readBodyBytes } from './request-body';

/**
 * `POST /api/backfills/csv?source=<shop>[&dryRun=true]` (operator, issue 30): a Shopify customer
 * export (`text/csv`, at most BACKFILL_CSV_MAX_BYTES) as the source of a backfill. 202 with the job
 * and `rejected[]` (the rows left out: RFC 9457-style `pointer` `/rows/<data row>/<column>` and a
 * `detail` naming the file's line, never a value); 400 problem+json when nothing can be sent.
 */
export const BACKFILL_CSV_MAX_BYTES = 10 * 1024 * 1024;
const CSV_MEDIA_TYPES = ['text/csv'] as const;

export interface BackfillUploadRouteDeps extends StartBackfillUploadDeps {
  config: Config;
  auditLog: AuditLog;
  log: Log;
}

export async function startBackfillUploadRoute(
  request: HttpRequest,
  deps: BackfillUploadRouteDeps,
): Promise<HttpResponseInit> {
  const check = requireOperator(request.headers, deps.config.callers);
  if (!check.ok) return check.response;
  const source = request.query.get('source') ?? '';
  const dryRun = request.query.get('dryRun');
  if (!source || (dryRun !== null && dryRun !== 'true' && dryRun !== 'false'))
    return problem(
      problems.invalidBody([
        !source
          ? { pointer: '/source', detail: 'Name the shop: ?source=<a Shopify source of WEBHOOK_SOURCES>.' }
          : { pointer: '/dryRun', detail: 'Must be true or false.' },
      ]),
    );
  const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!(CSV_MEDIA_TYPES as readonly string[]).includes(mediaType))
    return problem(problems.unsupportedMediaType(mediaType, CSV_MEDIA_TYPES));
  if (isChunkedWithoutLength(request)) return problem(problems.lengthRequired());
  const bytes = await readBodyBytes(request, BACKFILL_CSV_MAX_BYTES);
  if (!bytes) return problem(problems.tooLarge(BACKFILL_CSV_MAX_BYTES));
  const text = new TextDecoder('utf-8', { fatal: true });
  let csv: string;
  try {
    csv = text.decode(bytes);
  } catch {
    return problem(problems.invalidBody([{ pointer: '/rows', detail: 'The file is not UTF-8 text.' }]));
  }
  const result = await startBackfillUpload(
    csv,
    { source, dryRun: dryRun === 'true' },
    check.operator.id,
    deps,
  );
  if (result.kind === 'unknown-source')
    return problem(
      problems.invalidBody([{ pointer: '/source', detail: 'Not a Shopify source of WEBHOOK_SOURCES.' }]),
    );
  if (result.kind === 'unreadable') return problem(problems.invalidBody(result.errors));
  const { job, rejected } = result;
  await deps.auditLog
    .append({
      at: job.startedAt,
      actor: check.operator,
      action: 'backfill.start',
      correlationIds: [],
      count: job.total ?? 0,
      jobId: job.jobId,
      filter: { source: job.source, read: 'csv', ...(job.dryRun && { dryRun: 'true' }) },
      outcome: 'started',
    })
    .catch((error: unknown) =>
      deps.log.warn('backfill.audit_failed', { jobId: job.jobId, reason: errorName(error) }),
    );
  const url = new URL(publicRequestUrl(request.url, deps.config.publicOrigin));
  const base = url.pathname.replace(/\/csv\/*$/, '');
  const location = new URL(`${base}/${job.jobId}`, url.origin).toString();
  return json(202, { ...backfillProgress(job), rejected }, { location });
}
