import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { privacyHttpDeps } from '../shared/composition';
import { privacyStatusHttp } from '../shared/http/privacy-requests';

/** `GET /api/privacy/requests/{id}` (master key, operator): where a privacy request stands, and its proof (counts, never values). */
export async function privacyRequestStatus(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return privacyStatusHttp(request, privacyHttpDeps(context));
}

app.http('privacyRequestStatus', {
  methods: ['GET'],
  route: 'privacy/requests/{id}',
  authLevel: 'admin',
  handler: privacyRequestStatus,
});
