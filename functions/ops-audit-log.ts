import { app, HttpRequest, HttpResponseInit } from '@azure/functions';
import { getConfig } from '../shared/config/config';
import { appServices } from '../shared/composition';
import { operatorAuthLevel, requireOperator } from '../shared/http/operator-auth';
import { json, problem } from '../shared/http/operations/answers';
import { parseAuditQuery } from '../shared/http/operations/audit-query';
import { problems } from '../shared/http/problem';

/**
 * `GET /api/ops/audit?correlationId=…&limit=…&cursor=…` (operator): the operator audit log, newest
 * first — one request's history, or every action a page at a time. Who, what, when, which
 * requests; field names, never values.
 */
export async function opsAuditLog(request: HttpRequest): Promise<HttpResponseInit> {
  const { config, auditLog } = appServices();
  const check = requireOperator(request.headers, config.callers);
  if (!check.ok) return check.response;
  const parsed = parseAuditQuery(request.query);
  if (!parsed.ok) return problem(problems.invalidQuery(parsed.errors));
  const { correlationId, limit, cursor } = parsed.query;
  if (correlationId !== undefined)
    return json(200, { entries: await auditLog.forRequest(correlationId, limit) });
  return json(200, await auditLog.recent(limit, cursor));
}

app.http('opsAuditLog', {
  methods: ['GET'],
  route: 'ops/audit',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: opsAuditLog,
});
