import { app, HttpRequest, HttpResponseInit } from '@azure/functions';
import { getConfig } from '../shared/config/config';
import { appServices } from '../shared/composition';
import { operatorAuthLevel, requireOperator } from '../shared/http/operator-auth';
import { consolePage } from '../shared/http/operations/console/page';

/**
 * `GET /api/console` (operator): the operator console page (issue 31, docs/operations.md). With
 * `CALLER_AUTH=keys` open it as `/api/console?code=<master key>`; behind App Service Authentication
 * the platform signs the operator in and the role is checked here.
 */
export async function opsConsole(request: HttpRequest): Promise<HttpResponseInit> {
  const { config } = appServices();
  const check = requireOperator(request.headers, config.callers);
  if (!check.ok) return check.response;
  return consolePage();
}

app.http('opsConsole', {
  methods: ['GET'],
  route: 'console',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: opsConsole,
});
