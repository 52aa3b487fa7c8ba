import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { acceptAndWait } from '../shared/use-cases/accept-and-wait';
import { acceptDeps, appServices, processDeps } from '../shared/composition';
import { readIntakeHeaders } from '../shared/http/intake-headers';
import { readJsonBody } from '../shared/http/request-body';
import { invocationLog } from '../shared/adapters/invocation-log';
import { notAcceptedResponse, outcomeResponse } from '../shared/http/outcome-response';
import { problemResponse, problems } from '../shared/http/problem';
import { processCustomerMessage } from '../shared/use-cases/process-customer';
import { registerCallbackUrl } from '../shared/http/callback-registration';
import {
  callerSource,
  CUSTOMER_REFERENCE_HEADER,
  parseCustomerReference,
} from '../shared/http/customer-reference';

/**
 * `POST /api/customers`: validates, stores and queues a customer and answers 202 at once; with
 * `Prefer: wait=N`, processes it right away and answers 201 with the account when D365 answers
 * within N seconds. `Idempotency-Key` makes repeats safe; `Callback-Url` registers the URL that
 * gets the signed result event; `Customer-Reference` names the caller's own customer ID, by which
 * it can later update the customer (`PATCH /api/customers/references/{reference}`).
 */
export async function createCustomer(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const services = appServices();
  const { config } = services;
  const intake = readIntakeHeaders(request, services);
  if (!intake.ok) return intake.response;
  const { caller, idempotencyKey, waitSeconds } = intake.headers;
  const reference = parseCustomerReference(request.headers.get(CUSTOMER_REFERENCE_HEADER));
  if (!reference.ok)
    return problemResponse(problems.invalidHeader(CUSTOMER_REFERENCE_HEADER, reference.error));
  const callback = await registerCallbackUrl(
    request.headers,
    config.callbacks,
    services.callbacks.endpoints,
    services.callbacks.signing,
  );
  if (!callback.ok) return problemResponse(callback.problem);
  const body = await readJsonBody(request);
  if (!body.ok) return problemResponse(body.problem);

  const log = invocationLog(context);
  const result = await acceptAndWait(
    body.value,
    {
      accept: acceptDeps(services, log),
      statusStore: services.statusStore,
      waits: services.waits,
      processNow: (message, accepted) =>
        processCustomerMessage(message, processDeps(services, log), { accepted }),
    },
    {
      caller: caller.id,
      idempotencyKey,
      waitSeconds,
      ...(callback.url !== undefined && { callbackUrl: callback.url }),
      ...(reference.reference !== undefined && {
        origin: { source: callerSource(caller.id), sourceCustomerId: reference.reference },
      }),
    },
  );
  if (result.kind !== 'accepted') return notAcceptedResponse(result, config.statusRetryAfterSeconds);
  const { record, waitedSeconds } = result;
  const headers: Record<string, string> = {
    ...(result.replayed && { 'idempotent-replayed': 'true' }),
    ...(waitedSeconds > 0 && { 'preference-applied': `wait=${waitedSeconds}` }),
  };
  const statusUrl = statusUrlFor(request.url, record.correlationId);
  return outcomeResponse(record, statusUrl, headers, config.statusRetryAfterSeconds, waitedSeconds > 0);
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
