import type { HttpResponseInit } from '@azure/functions';
import { parseCustomerRequest, prefixPointers } from '../../domain/customer-contract';
import { fullCustomerAsPatch } from '../../domain/customer-update';
import { sourceCustomerDigest } from '../../domain/webhooks/source-digest';
import { acceptUpdate } from '../../use-cases/accept-update';
import { errorName } from '../../domain/failure';
import type { Caller } from '../../domain/ownership';
import type { Config } from '../../config/config';
import type { Log, Telemetry } from '../../ports';
import type { AcceptDeps } from '../../use-cases/accept-customer';
import type { UpdateTarget } from '../../use-cases/accept-update';
import { problemResponse, problems } from '../problem';
import { ignoredAnswer, storedAnswer, webhookInProgress } from './answers';

/**
 * Update deliveries (issue 17): Shopify `customers/update` and a Standard Webhooks
 * `customer.updated`, through the same update intake as `PATCH /api/customers/…`, with the
 * delivery's event key as the Idempotency-Key (a redelivery is a replay). A customer this app has
 * no link for is answered 404 problem+json and nothing is stored: the shop retries, so an update
 * that overtook its customer's create applies once the create has arrived.
 */
export interface UpdateDelivery {
  /** The webhook source as a caller of the ownership policy (`webhookCaller`). */
  caller: Caller;
  sourceKind: 'shopify' | 'standard';
  topic: string;
  eventKey: string;
  target: UpdateTarget;
  patch: unknown;
  order?: { kind: 'source' | 'version'; value: number };
  /** Shopify: the digest of the customer it carries (an echo of our own write is then a no-op). */
  sourceDigest?: string;
  /** Where the patch sits in the delivered body (`/data` in a Standard Webhooks envelope), for pointers. */
  pointerPrefix?: string;
  /** Shopify's `verified_email` in the signed payload: a pending link of this customer is confirmed. */
  verifiedBySource?: boolean;
}

/** What an update delivery needs (the webhook routes' deps have it). */
export interface UpdateDeliveryDeps {
  config: Pick<Config, 'statusRetryAfterSeconds'>;
  accept: AcceptDeps;
  telemetry: Telemetry;
  log: Log;
}

export async function deliverUpdate(
  requestUrl: string,
  delivery: UpdateDelivery,
  deps: UpdateDeliveryDeps,
): Promise<HttpResponseInit> {
  const { links } = deps.accept;
  const retryAfter = deps.config.statusRetryAfterSeconds;
  if (!links) return problemResponse(problems.storageUnavailable(retryAfter));
  const { caller, sourceKind, topic } = delivery;
  const source = caller.source;
  const result = await acceptUpdate(
    {
      caller,
      target: delivery.target,
      patch: delivery.patch,
      ...(delivery.order && { order: delivery.order }),
      ...(delivery.verifiedBySource && { verifiedBySource: true }),
      ...(delivery.sourceDigest !== undefined && { sourceDigest: delivery.sourceDigest }),
    },
    { ...deps.accept, links },
    { idempotencyKey: delivery.eventKey, route: 'webhook' },
  ).catch((error: unknown) => {
    deps.log.error('webhook.store_failed', { source, reason: errorName(error) });
    return { kind: 'unavailable' as const };
  });
  if (result.kind === 'echo') {
    // The shop's echo of our own write (issue 28): counted, nothing stored, nothing sent to D365.
    deps.telemetry.trackEvent({
      name: 'WebhookIgnored',
      properties: { source, sourceKind, topic, reason: 'echo' },
    });
    deps.log.info('webhook.ignored', { source, topic, reason: 'echo' });
    return ignoredAnswer('echo');
  }
  const outcome = result.kind === 'accepted' ? (result.replayed ? 'replayed' : 'accepted') : result.kind;
  deps.telemetry.trackEvent({ name: 'WebhookAccepted', properties: { source, sourceKind, topic, outcome } });
  deps.log.info('webhook.update', { source, topic, outcome });
  switch (result.kind) {
    case 'accepted':
      return storedAnswer(result.record, result.replayed, requestUrl);
    case 'not-found':
      return problemResponse(problems.customerNotFound());
    case 'forbidden':
      return problemResponse(problems.forbidden());
    case 'unverified':
      // A shop gets its 2xx (a refused delivery would be retried, then its subscription deleted).
      return sourceKind === 'shopify'
        ? ignoredAnswer('link-unverified')
        : problemResponse(problems.linkUnverified());
    case 'invalid':
      return problemResponse(
        problems.invalidBody(prefixPointers(result.errors, delivery.pointerPrefix ?? '')),
      );
    case 'invalid-version':
      return problemResponse(problems.invalidBody([{ pointer: '/data/version', detail: result.detail }]));
    case 'key-reused':
    case 'in-progress':
      return problemResponse(webhookInProgress());
    case 'unavailable':
      return problemResponse(problems.storageUnavailable(retryAfter));
  }
}

/**
 * The digest of the customer a Shopify delivery carries, normalised as a create normalises it (so a
 * customer unchanged since its create has the create's digest); none when it is not a valid customer.
 */
export function shopifyCustomerDigest(
  source: string,
  sourceCustomerId: string,
  body: unknown,
  options: { defaultCustomerGroup: string; now?: Date },
): string | undefined {
  const parsed = parseCustomerRequest(body, options);
  return parsed.ok ? sourceCustomerDigest(source, sourceCustomerId, parsed.value) : undefined;
}

/** Shopify sends the whole customer: the patch sets what it has and removes what it no longer has. */
export function shopifyUpdatePatch(body: { Customer: Record<string, unknown> }): unknown {
  return fullCustomerAsPatch(body);
}

/** Shopify's `updated_at` (ISO 8601 with offset) as the order stamp, when it is there. */
export function shopifyOrder(payload: unknown): { kind: 'source'; value: number } | undefined {
  const value = (payload as { updated_at?: unknown } | null)?.updated_at;
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? { kind: 'source', value: ms } : undefined;
}
