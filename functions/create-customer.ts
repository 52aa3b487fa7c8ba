import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { acceptCustomer } from '../shared/accept-customer';
import { acceptDeps, appServices, processDeps } from '../shared/app-services';
import { readJsonBody } from '../shared/http-body';
import { parseIdempotencyKey } from '../shared/idempotency';
import { invocationLog } from '../shared/log';
import { outcomeResponse, waitForOutcome } from '../shared/outcome';
import { parsePreferWait } from '../shared/prefer';
import { problemResponse, problems } from '../shared/problem';
import { processCustomerMessage } from '../shared/process-customer';

/**
 * `POST /api/customers`: validates, stores and queues a customer and answers 202 at once; with
 * `Prefer: wait=N`, processes it right away and answers 201 with the account when D365 answers
 * within N seconds. `Idempotency-Key` makes repeats safe.
 */
export async function createCustomer(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const services = appServices();
  const { config } = services;
  const key = parseIdempotencyKey(request.headers.get('idempotency-key'));
  if (!key.ok) return problemResponse(problems.invalidHeader('Idempotency-Key', key.error));
  const prefer = parsePreferWait(request.headers.get('prefer'), config.preferWaitMaxSeconds);
  if (!prefer.ok) return problemResponse(problems.invalidHeader('Prefer', prefer.error));
  const body = await readJsonBody(request);
  if (!body.ok) return problemResponse(body.problem);

  const log = invocationLog(context);
  const wait = prefer.waitSeconds ?? 0;
  const result = await acceptCustomer(body.value, acceptDeps(services, log), {
    idempotencyKey: key.key,
    delaySeconds: wait,
  });
  switch (result.kind) {
    case 'invalid':
      return problemResponse(problems.invalidBody(result.errors));
    case 'unavailable':
      return problemResponse(problems.storageUnavailable(config.statusRetryAfterSeconds));
    case 'key-reused':
      return problemResponse(problems.idempotencyKeyReused());
    case 'in-progress':
      return problemResponse(problems.idempotencyKeyInProgress());
    case 'accepted': {
      const { correlationId } = result.record;
      const statusUrl = statusUrlFor(request.url, correlationId);
      const headers: Record<string, string> = {
        ...(result.replayed && { 'idempotent-replayed': 'true' }),
        ...(wait > 0 && { 'preference-applied': `wait=${wait}` }),
      };
      if (wait === 0)
        return outcomeResponse(result.record, statusUrl, headers, config.statusRetryAfterSeconds);
      // Durable first (the message is queued, held back for `wait` seconds), then at once.
      const work = result.replayed
        ? undefined
        : processCustomerMessage(result.message, processDeps(services, log));
      const record =
        (await waitForOutcome(services.statusStore, correlationId, wait * 1000, work)) ?? result.record;
      return outcomeResponse(record, statusUrl, headers, config.statusRetryAfterSeconds, true);
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
