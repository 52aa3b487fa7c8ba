import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { acceptCustomer } from '../shared/use-cases/accept-customer';
import { acceptDeps, appServices, processDeps } from '../shared/composition';
import { authorize } from '../shared/http/caller';
import { readJsonBody } from '../shared/http/request-body';
import { parseIdempotencyKey } from '../shared/http/idempotency-key';
import { invocationLog } from '../shared/adapters/invocation-log';
import { outcomeResponse, waitForOutcome } from '../shared/http/outcome-response';
import { parsePreferWait } from '../shared/http/prefer';
import { problemResponse, problems } from '../shared/http/problem';
import { processCustomerMessage } from '../shared/use-cases/process-customer';

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
  const check = authorize(request.headers, 'create', config.callers);
  if (!check.ok)
    return problemResponse(check.status === 401 ? problems.unauthenticated() : problems.forbidden());
  const { caller } = check;
  const budget = services.rateLimiter.take(caller.id);
  if (!budget.ok) return problemResponse(problems.tooManyRequests(budget.retryAfterSeconds));
  const key = parseIdempotencyKey(request.headers.get('idempotency-key'));
  if (!key.ok) return problemResponse(problems.invalidHeader('Idempotency-Key', key.error));
  const prefer = parsePreferWait(request.headers.get('prefer'), config.preferWaitMaxSeconds);
  if (!prefer.ok) return problemResponse(problems.invalidHeader('Prefer', prefer.error));
  const body = await readJsonBody(request);
  if (!body.ok) return problemResponse(body.problem);

  const log = invocationLog(context);
  // Each instance holds at most MAX_CONCURRENT_WAITS requests open; beyond that, 202 at once.
  const wait = prefer.waitSeconds && services.waits.tryEnter() ? prefer.waitSeconds : 0;
  try {
    return await accept(request, body.value, caller.id, key.key, wait, log);
  } finally {
    if (wait > 0) services.waits.leave();
  }
}

async function accept(
  request: HttpRequest,
  body: unknown,
  caller: string,
  idempotencyKey: string | undefined,
  wait: number,
  log: ReturnType<typeof invocationLog>,
): Promise<HttpResponseInit> {
  const services = appServices();
  const { config } = services;
  const result = await acceptCustomer(body, acceptDeps(services, log), {
    idempotencyKey,
    caller,
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
