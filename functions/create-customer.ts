import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { acceptCustomer } from '../shared/accept-customer';
import { appServices } from '../shared/app-services';
import { readJsonBody } from '../shared/http-body';
import { invocationLog } from '../shared/log';
import { problemResponse, problems } from '../shared/problem';
import { toStatusAnswer } from '../shared/status';

/** `POST /api/customers`: validates, stores and queues a customer, and answers 202 at once. */
export async function createCustomer(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const body = await readJsonBody(request);
  if (!body.ok) return problemResponse(body.problem);

  const { config, statusStore, queue, telemetry } = appServices();
  const result = await acceptCustomer(body.value, {
    statusStore,
    queue,
    telemetry,
    log: invocationLog(context),
    target: config.d365.target,
    defaultCustomerGroup: config.d365.defaultCustomerGroup,
  });
  const retryAfter = String(config.statusRetryAfterSeconds);
  switch (result.kind) {
    case 'invalid':
      return problemResponse(problems.invalidBody(result.errors));
    case 'unavailable':
      return problemResponse(problems.storageUnavailable(config.statusRetryAfterSeconds));
    case 'accepted': {
      const { correlationId, status } = toStatusAnswer(result.record);
      const statusUrl = statusUrlFor(request.url, correlationId);
      return {
        status: 202,
        headers: { location: statusUrl, 'retry-after': retryAfter, 'x-correlation-id': correlationId },
        jsonBody: { correlationId, status, statusUrl },
      };
    }
  }
}

/** `…/api/customers` → `…/api/customers/status/{id}`, on the host and scheme the caller used. */
export function statusUrlFor(requestUrl: string, correlationId: string): string {
  const url = new URL(requestUrl);
  url.search = '';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/status/${correlationId}`;
  return url.toString();
}

app.http('createCustomer', {
  methods: ['POST'],
  route: 'customers',
  authLevel: 'function',
  handler: createCustomer,
});
