import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { privacyHttpDeps } from '../shared/composition';
import { getConfig } from '../shared/config/config';
import { operatorAuthLevel } from '../shared/http/operator-auth';
import { releasePrivacyHttp } from '../shared/http/privacy-requests';

/** `POST /api/privacy/requests/{id}/release` (operator: master key, or an Entra ID operator sign-in): lifts a completed erasure's marks, so the customer may come back. */
export async function releasePrivacyRequest(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return releasePrivacyHttp(request, privacyHttpDeps(context));
}

app.http('releasePrivacyRequest', {
  methods: ['POST'],
  route: 'privacy/requests/{id}/release',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: releasePrivacyRequest,
});
