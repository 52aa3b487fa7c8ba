import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { parseDataEvent } from '../domain/fo-events/data-event';
import type { Config } from '../config/config';
import type { Log, Telemetry } from '../ports';
import { authorizeKeyRoute, requireCaller } from './caller';
import { acceptDataEvent, AcceptDataEventDeps } from '../use-cases/fo-events/accept-data-event';
import { problemResponse, problems } from './problem';
import { readJsonBody } from './request-body';
import { MAX_WEBHOOK_BODY_BYTES } from './webhooks/answers';

/**
 * `POST /api/d365/data-events`: F&O's HTTPS business events endpoint (issue 29). F&O (through
 * Dataverse's webhook service endpoint) cannot sign a delivery; the route is protected by a function
 * key, which the endpoint sends as `?code=` (Dataverse `WebhookKey` authentication,
 * https://learn.microsoft.com/power-apps/developer/data-platform/register-web-hook) and the host
 * checks before the app runs (authLevel `function`). The body is one event (data-event.ts).
 *
 * Answers: 202 queued; 200 acknowledged but ignored (the endpoint test, another entity, an unknown
 * legal entity, a customer without a shop link, a redelivery) with the reason; 400 problem+json with
 * pointers for an event that is not one (nothing queued); 413/415 for the body; 503 when it could
 * not be stored (F&O sends it again).
 *
 * Who may (SECURITY.md, "Who may do what"): an event changes a shop customer by its D365 account,
 * so with named keys (CALLER_KEYS) only a key with the `accounts` permission may post one (F&O's
 * own key; the POS and back office may change customers by account already); a shop's key gets
 * `403` before the body is read, the same for every event (no link oracle). With App Service
 * Authentication the route is excluded from it (F&O cannot get a token), yet every caller holds a
 * function key there too, which the host accepts on any `function` route: so there only F&O's own
 * key, named in CALLER_KEYS with `accounts`, opens it (`authorizeKeyRoute`); a caller's key is 403.
 */
export interface DataEventHttpDeps {
  accept: AcceptDataEventDeps;
  /** Who may post events (below). */
  callers: Config['callers'];
  telemetry: Telemetry;
  log: Log;
}

const acknowledged = (status: number, body: Record<string, unknown>): HttpResponseInit => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export async function foDataEvent(request: HttpRequest, deps: DataEventHttpDeps): Promise<HttpResponseInit> {
  const check = authorizeKeyRoute(request, 'accounts', deps.callers);
  const allowed = requireCaller(request, 'accounts', deps.callers, check);
  if (!allowed.ok) return allowed.response;
  const body = await readJsonBody(request, { limit: MAX_WEBHOOK_BODY_BYTES });
  if (!body.ok) return problemResponse(body.problem);
  const parsed = parseDataEvent(body.value);
  switch (parsed.kind) {
    case 'invalid':
      deps.log.warn('fo_event.invalid', { reason: parsed.errors.map((e) => e.pointer).join(',') });
      return problemResponse(problems.invalidDataEvent(parsed.errors));
    case 'test':
      return acknowledged(200, { status: 'ignored', reason: 'endpoint-test' });
    case 'other-entity':
      deps.telemetry.trackMetric({
        name: 'FoDataEventsIgnored',
        value: 1,
        properties: { reason: 'other-entity' },
      });
      return acknowledged(200, { status: 'ignored', reason: 'other-entity', eventId: parsed.eventId });
  }
  try {
    const result = await acceptDataEvent(parsed.event, deps.accept);
    return result.kind === 'queued'
      ? acknowledged(202, { status: 'queued', eventId: result.eventId })
      : acknowledged(200, { status: 'ignored', reason: result.reason, eventId: result.eventId });
  } catch (error) {
    deps.log.error('fo_event.store_failed', {
      reason: error instanceof Error ? error.name : 'Error',
      legalEntity: parsed.event.legalEntity,
    });
    return problemResponse(problems.storageUnavailable(5));
  }
}
