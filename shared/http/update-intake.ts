import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Config } from '../config/config';
import type { QueueMessage } from '../domain/queue-message';
import type { CallbackEndpoints, CallbackSigning, CustomerLinks, StatusStore, WaitSlots } from '../ports';
import type { AcceptDeps } from '../use-cases/accept-customer';
import { waitForOutcome } from '../use-cases/accept-and-wait';
import { acceptUpdate, UpdateTarget } from '../use-cases/accept-update';
import { registerCallbackUrl } from './callback-registration';
import { readIntakeHeaders } from './intake-headers';
import { CUSTOMER_VERSION_HEADER, parseCustomerVersion } from './customer-reference';
import { acceptedResponse, notAcceptedResponse } from './outcome-response';
import { problemResponse, problems } from './problem';
import type { RateLimiter } from './rate-limit';
import { MERGE_PATCH_MEDIA_TYPES, readJsonBody } from './request-body';
import { publicRequestUrl } from './public-url';

/**
 * `PATCH /api/customers/accounts/{legalEntity}/{customerAccount}` and
 * `PATCH /api/customers/references/{reference}`: a JSON Merge Patch of a customer, answered like a
 * create (202 and a status URL; with `Prefer: wait=N` 200 with the outcome when it ended in time).
 */
export interface UpdateHttpDeps {
  config: Config;
  accept: AcceptDeps & { links: CustomerLinks };
  statusStore: StatusStore;
  waits: WaitSlots;
  rateLimiter: RateLimiter;
  callbackEndpoints: CallbackEndpoints;
  callbackSigning?: CallbackSigning;
  processNow: (message: QueueMessage) => Promise<unknown>;
}

export async function updateCustomerHttp(
  request: HttpRequest,
  target: UpdateTarget,
  deps: UpdateHttpDeps,
): Promise<HttpResponseInit> {
  const { config } = deps;
  const intake = readIntakeHeaders(request, deps);
  if (!intake.ok) return intake.response;
  const { caller, idempotencyKey } = intake.headers;
  const version = parseCustomerVersion(request.headers.get(CUSTOMER_VERSION_HEADER));
  if (!version.ok) return problemResponse(problems.invalidHeader(CUSTOMER_VERSION_HEADER, version.error));
  const callback = await registerCallbackUrl(
    request.headers,
    config.callbacks,
    deps.callbackEndpoints,
    deps.callbackSigning,
  );
  if (!callback.ok) return problemResponse(callback.problem);
  const body = await readJsonBody(request, { mediaTypes: MERGE_PATCH_MEDIA_TYPES });
  if (!body.ok) {
    // RFC 5789 2.2: a 415 to a PATCH names the patch formats the resource takes.
    const acceptPatch = body.problem.status === 415 && { 'accept-patch': MERGE_PATCH_MEDIA_TYPES.join(', ') };
    return problemResponse(body.problem, acceptPatch || {});
  }

  const waitSeconds =
    intake.headers.waitSeconds > 0 && deps.waits.tryEnter() ? intake.headers.waitSeconds : 0;
  try {
    const result = await acceptUpdate(
      {
        caller,
        target,
        patch: body.value,
        ...(version.version !== undefined && { order: { kind: 'version' as const, value: version.version } }),
      },
      deps.accept,
      {
        idempotencyKey,
        route: `PATCH ${target.kind === 'account' ? `${target.legalEntity}/${target.customerAccount}` : target.reference}`,
        delaySeconds: waitSeconds,
        ...(callback.url !== undefined && { callbackUrl: callback.url }),
      },
    );
    switch (result.kind) {
      case 'not-found':
        return problemResponse(problems.customerNotFound());
      case 'forbidden':
        return problemResponse(problems.forbidden());
      case 'unverified':
        return problemResponse(problems.linkUnverified());
      case 'invalid-version':
        return problemResponse(
          problems.invalidHeader(CUSTOMER_VERSION_HEADER, { pointer: '', detail: result.detail }),
        );
      case 'echo':
        // Only a shop's delivery carries a source digest (shared/http/webhooks/update-delivery.ts).
        throw new Error('An update through the API cannot be a shop echo');
      case 'invalid':
      case 'unavailable':
      case 'key-reused':
      case 'in-progress':
        return notAcceptedResponse(result, config.statusRetryAfterSeconds);
      case 'accepted': {
        let record = result.record;
        if (waitSeconds > 0) {
          const work = result.replayed ? undefined : deps.processNow(result.message);
          record =
            (await waitForOutcome(deps.statusStore, record.correlationId, waitSeconds * 1000, work)) ??
            record;
        }
        return acceptedResponse(
          publicRequestUrl(request.url, config.publicOrigin),
          { record, replayed: result.replayed, waitedSeconds: waitSeconds },
          config.statusRetryAfterSeconds,
        );
      }
    }
    return problemResponse(problems.storageUnavailable(config.statusRetryAfterSeconds));
  } finally {
    if (waitSeconds > 0) deps.waits.leave();
  }
}
