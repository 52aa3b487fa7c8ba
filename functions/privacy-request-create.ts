import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { privacyHttpDeps } from '../shared/composition';
import { createPrivacyRequestHttp } from '../shared/http/privacy-requests';

/** `POST /api/privacy/requests` (master key, operator): a privacy request from any channel (issue 27). */
export async function createPrivacyRequest(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return createPrivacyRequestHttp(request, privacyHttpDeps(context));
}

app.http('createPrivacyRequest', {
  methods: ['POST'],
  route: 'privacy/requests',
  authLevel: 'admin',
  handler: createPrivacyRequest,
});
