import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { privacyHttpDeps } from '../shared/composition';
import { getConfig } from '../shared/config/config';
import { operatorAuthLevel } from '../shared/http/operator-auth';
import { privacyExportHttp } from '../shared/http/privacy-requests';

/** `GET /api/privacy/requests/{id}/export` (operator: master key, or an Entra ID operator sign-in): a completed data request's export; each fetch is recorded. */
export async function privacyRequestExport(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return privacyExportHttp(request, privacyHttpDeps(context));
}

app.http('privacyRequestExport', {
  methods: ['GET'],
  route: 'privacy/requests/{id}/export',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: privacyRequestExport,
});
