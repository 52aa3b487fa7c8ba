import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { appServices, foDataEventDeps } from '../shared/composition';
import { invocationLog } from '../shared/adapters/invocation-log';
import { foDataEvent } from '../shared/http/fo-data-events';

/**
 * `POST /api/d365/data-events`: F&O's HTTPS business events endpoint (issue 29) posts CustomersV3
 * data events here. F&O cannot sign them: the function key is the authentication, sent by the
 * endpoint as `?code=` (README, "D365 changes to the shop").
 */
export async function foDataEvents(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return foDataEvent(request, foDataEventDeps(appServices(), invocationLog(context)));
}

app.http('foDataEvents', {
  methods: ['POST'],
  route: 'd365/data-events',
  authLevel: 'function',
  handler: foDataEvents,
});
