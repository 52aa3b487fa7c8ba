import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { privacyHttpDeps } from '../shared/composition';
import { getConfig } from '../shared/config/config';
import { operatorAuthLevel } from '../shared/http/operator-auth';
import { createPrivacyRequestHttp } from '../shared/http/privacy-requests';

/** `POST /api/privacy/requests` (operator: master key, or an Entra ID operator sign-in): a privacy request from any channel (issue 27). */
export async function createPrivacyRequest(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return createPrivacyRequestHttp(request, privacyHttpDeps(context));
}

app.http('createPrivacyRequest', {
  methods: ['POST'],
  route: 'privacy/requests',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: createPrivacyRequest,
});
