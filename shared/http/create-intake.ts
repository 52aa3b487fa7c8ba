import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Config } from '../config/config';
import type { QueueMessage } from '../domain/queue-message';
import type { StatusRecord } from '../domain/status';
import type { CallbackEndpoints, CallbackSigning, StatusStore, WaitSlots } from '../ports';
import type { AcceptDeps } from '../use-cases/accept-customer';
import { acceptAndWait } from '../use-cases/accept-and-wait';
import { registerCallbackUrl } from './callback-registration';
import { CUSTOMER_REFERENCE_HEADER, parseCustomerReference } from './customer-reference';
import { readIntakeHeaders } from './intake-headers';
import { acceptedResponse, notAcceptedResponse } from './outcome-response';
import { problemResponse, problems } from './problem';
import type { RateLimiter } from './rate-limit';
import { readJsonBody } from './request-body';
import { publicRequestUrl } from './public-url';
import { statusUrl } from './status-url';

/**
 * `POST /api/customers`: validates, stores and queues a customer and answers 202 at once; with
 * `Prefer: wait=N`, processes it right away and answers 201 with the account when D365 answers
 * within N seconds. `Idempotency-Key` makes repeats safe; `Callback-Url` registers the URL that
 * gets the signed result event; `Customer-Reference` names the caller's own customer ID, by which
 * it can later update the customer (`PATCH /api/customers/references/{reference}`).
 */
export interface CreateHttpDeps {
  config: Config;
  accept: AcceptDeps;
  statusStore: StatusStore;
  waits: WaitSlots;
  rateLimiter: RateLimiter;
  callbackEndpoints: CallbackEndpoints;
  /** Whether callbacks can be signed now (a Callback-Url that cannot be is refused). */
  callbackSigning?: CallbackSigning;
  /**
   * The worker, for `Prefer: wait`: processes the accepted message in this invocation; resolves
   * with the record as it last wrote it (undefined: read it).
   */
  processNow: (message: QueueMessage, accepted: StatusRecord) => Promise<StatusRecord | undefined>;
}

export async function createCustomerHttp(
  request: HttpRequest,
  deps: CreateHttpDeps,
): Promise<HttpResponseInit> {
  const { config } = deps;
  const intake = readIntakeHeaders(request, deps);
  if (!intake.ok) return intake.response;
  const { caller, idempotencyKey, waitSeconds } = intake.headers;
  const reference = parseCustomerReference(request.headers.get(CUSTOMER_REFERENCE_HEADER));
  if (!reference.ok)
    return problemResponse(problems.invalidHeader(CUSTOMER_REFERENCE_HEADER, reference.error));
  const callback = await registerCallbackUrl(
    request.headers,
    config.callbacks,
    deps.callbackEndpoints,
    deps.callbackSigning,
  );
  if (!callback.ok) return problemResponse(callback.problem);
  const body = await readJsonBody(request);
  if (!body.ok) return problemResponse(body.problem);

  const result = await acceptAndWait(
    body.value,
    { accept: deps.accept, statusStore: deps.statusStore, waits: deps.waits, processNow: deps.processNow },
    {
      caller,
      idempotencyKey,
      waitSeconds,
      ...(callback.url !== undefined && { callbackUrl: callback.url }),
      ...(reference.reference !== undefined && { reference: reference.reference }),
    },
  );
  // Built from PUBLIC_BASE_URL or the app's own host name: the request's Host is never reflected.
  const publicUrl = publicRequestUrl(request.url, config.publicOrigin);
  if (result.kind === 'reference-in-use')
    return problemResponse(problems.referenceInUse(statusUrl(publicUrl, result.correlationId)));
  if (result.kind !== 'accepted') return notAcceptedResponse(result, config.statusRetryAfterSeconds);
  return acceptedResponse(publicUrl, result, config.statusRetryAfterSeconds);
}
