import { app, HttpRequest, HttpResponseInit } from '@azure/functions';
import { getConfig } from '../shared/config/config';
import { appServices } from '../shared/composition';
import { operatorAuthLevel, requireOperator } from '../shared/http/operator-auth';
import { parseListQuery } from '../shared/http/operations/list-query';
import { json, problem } from '../shared/http/operations/answers';
import { problems } from '../shared/http/problem';
import { listRequests } from '../shared/use-cases/operations/list-requests';

/**
 * `GET /api/ops/requests?status=failed&errorCode=…&source=…&legalEntity=…&from=…&to=…&limit=…&cursor=…`
 * (operator): the requests that need an operator, newest first, a page at a time, with counts per
 * error code on the first page. No personal data.
 */
export async function opsListRequests(request: HttpRequest): Promise<HttpResponseInit> {
  const { config, operationsIndex } = appServices();
  const check = requireOperator(request.headers, config.callers);
  if (!check.ok) return check.response;
  const parsed = parseListQuery(request.query);
  if (!parsed.ok) return problem(problems.invalidQuery(parsed.errors));
  return json(200, await listRequests(parsed.query, { index: operationsIndex }));
}

app.http('opsListRequests', {
  methods: ['GET'],
  route: 'ops/requests',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: opsListRequests,
});
