import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { privacyHttpDeps } from '../shared/composition';
import { getConfig } from '../shared/config/config';
import { operatorAuthLevel } from '../shared/http/operator-auth';
import { privacyStatusHttp } from '../shared/http/privacy-requests';

/** `GET /api/privacy/requests/{id}` (operator: master key, or an Entra ID operator sign-in): where a privacy request stands, and its proof (counts, never values). */
export async function privacyRequestStatus(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return privacyStatusHttp(request, privacyHttpDeps(context));
}

app.http('privacyRequestStatus', {
  methods: ['GET'],
  route: 'privacy/requests/{id}',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: privacyRequestStatus,
});
