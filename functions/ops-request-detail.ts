import { app, HttpRequest, HttpResponseInit } from '@azure/functions';
import { getConfig } from '../shared/config/config';
import { appServices } from '../shared/composition';
import { parseCorrelationId } from '../shared/domain/correlation-id';
import { operatorView } from '../shared/domain/operations/request-view';
import { operatorAuthLevel, requireOperator } from '../shared/http/operator-auth';
import { json, problem } from '../shared/http/operations/answers';
import { problems } from '../shared/http/problem';

/**
 * `GET /api/ops/requests/{correlationId}` (operator): one request as an operator sees it (codes,
 * times, resolution, what may be done), without its payload (`…/payload`, audited).
 */
export async function opsRequestDetail(request: HttpRequest): Promise<HttpResponseInit> {
  const { config, statusStore } = appServices();
  const check = requireOperator(request.headers, config.callers);
  if (!check.ok) return check.response;
  const correlationId = parseCorrelationId(request.params.correlationId);
  if (correlationId === undefined) return problem(problems.invalidCorrelationId());
  const record = await statusStore.get(correlationId);
  if (!record) return problem(problems.notFound());
  return json(200, operatorView(record));
}

app.http('opsRequestDetail', {
  methods: ['GET'],
  route: 'ops/requests/{correlationId}',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: opsRequestDetail,
});
