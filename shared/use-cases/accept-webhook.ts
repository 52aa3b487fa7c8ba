import type { FieldError } from '../domain/customer-contract';
import { queueMessageFor } from '../domain/queue-message';
import type { Identity } from '../domain/ownership';
import { FAILURE_CODES, StatusRecord } from '../domain/status';
import { referenceRequest, SourceReference } from '../domain/webhooks/source-reference';
import { StatusConflictError } from '../ports';
import { AcceptDeps, acceptCustomer, isErased } from './accept-customer';
import { errorName } from '../domain/failure';
import { correlationIdForKey, KeyCorrelationDeps } from './key-correlation';

/**
 * Intake of a verified webhook delivery, through the same durable pipeline as `POST /api/customers`:
 * the delivery's event key (Standard Webhooks' `webhook-id`, Shopify's shop + `X-Shopify-Event-Id`,
 * BigCommerce's `hash`) is the Idempotency-Key, scoped to the source, so a redelivery finds the
 * first one's record and creates nothing. What the shop sent decides the path:
 * - `customer`: a contract body (mapped, or sent as is by a Standard Webhooks sender) → accept it;
 * - `unmappable`: a shop customer that cannot be a D365 customer → a `failed` record (code
 *   `unmappable`) so the shop gets its 2xx and an operator sees why;
 * - `fetch`: only an ID (BigCommerce) → a `queued` record whose payload names the customer; the
 *   worker reads it from the shop's API.
 */
export interface WebhookDelivery {
  /** The WEBHOOK_SOURCES name, and its kind. */
  source: string;
  sourceKind: 'shopify' | 'bigcommerce' | 'standard';
  topic: string;
  /** What makes redeliveries of one event equal. */
  eventKey: string;
  /** The shop's own customer ID (not personal data), when the delivery names one. */
  sourceCustomerId?: string;
  /** Whether the sender verified the shopper's identity (domain/ownership.ts `identityOf`). */
  identity: Identity;
  /** Bulk work (a backfill's customer): it yields to live requests (fair sharing). */
  priority?: 'background';
}

export type WebhookContent =
  | { kind: 'customer'; body: unknown }
  | { kind: 'unmappable'; legalEntity: string; reasons: string[] }
  | { kind: 'fetch'; legalEntity: string; reference: SourceReference };

export type WebhookResult =
  /** Stored (and queued unless `failed`); `replayed` for a redelivery of a known event. */
  | { kind: 'accepted'; record: StatusRecord; replayed: boolean }
  /** A Standard Webhooks body that is not a valid customer (the sender's contract is ours). */
  | { kind: 'invalid'; errors: FieldError[] }
  /** The first delivery of this event is still being stored. */
  | { kind: 'in-progress' }
  /** The shop's customer was erased (issue 27): acknowledged, nothing stored. */
  | { kind: 'erased' }
  | { kind: 'unavailable' };

const ROUTE = 'webhook';

/**
 * The request a source's event becomes: its key scoped to the source's webhook caller and route
 * (undefined when it cannot be had now: key-correlation.ts).
 */
export const webhookCorrelationId = (
  deps: KeyCorrelationDeps,
  source: string,
  eventKey: string,
): Promise<string | undefined> =>
  correlationIdForKey(deps, { caller: `webhook:${source}`, route: ROUTE, key: eventKey });

export async function acceptWebhook(
  delivery: WebhookDelivery,
  content: WebhookContent,
  deps: AcceptDeps,
): Promise<WebhookResult> {
  const caller = `webhook:${delivery.source}`;
  const result = await (async (): Promise<WebhookResult> => {
    if (content.kind === 'customer') return acceptMapped(delivery, content.body, caller, deps);
    return storeDirectly(delivery, content, caller, deps);
  })();
  const { source, sourceKind, topic } = delivery;
  if (result.kind === 'erased') {
    deps.telemetry.trackEvent({ name: 'PrivacyDeliveryDropped', properties: { source, sourceKind, topic } });
    deps.log.info('webhook.erased_customer', { source, topic });
  }
  if (result.kind === 'accepted') {
    const outcome = result.replayed
      ? 'replayed'
      : result.record.status === 'failed'
        ? 'unmappable'
        : 'accepted';
    deps.telemetry.trackEvent({
      name: 'WebhookAccepted',
      properties: {
        correlationId: result.record.correlationId,
        legalEntity: result.record.legalEntity,
        source,
        sourceKind,
        topic,
        outcome,
      },
    });
    deps.log.info('webhook.accepted', { correlationId: result.record.correlationId, source, topic, outcome });
  }
  return result;
}

async function acceptMapped(
  delivery: WebhookDelivery,
  body: unknown,
  caller: string,
  deps: AcceptDeps,
): Promise<WebhookResult> {
  const origin = { source: delivery.source, sourceCustomerId: delivery.sourceCustomerId };
  const accepted = await acceptCustomer(body, deps, {
    idempotencyKey: delivery.eventKey,
    caller,
    route: ROUTE,
    origin,
    identity: delivery.identity,
    ...(delivery.priority !== undefined && { priority: delivery.priority }),
  });
  switch (accepted.kind) {
    case 'accepted':
      return { kind: 'accepted', record: accepted.record, replayed: accepted.replayed };
    case 'invalid':
      return { kind: 'invalid', errors: accepted.errors };
    case 'key-reused': {
      // The same event with another body: only a sender that changed a payload it already sent.
      // The first one stands; this one is acknowledged, not stored.
      const id = await webhookCorrelationId(deps, delivery.source, delivery.eventKey);
      if (id === undefined) return { kind: 'unavailable' };
      const record = await deps.statusStore.get(id);
      return record ? { kind: 'accepted', record, replayed: true } : { kind: 'in-progress' };
    }
    case 'in-progress':
    case 'erased':
    case 'unavailable':
      return { kind: accepted.kind };
    case 'reference-in-use': {
      // Not for webhooks (a shop's customer IDs are not exclusive): the request holding it answers.
      const record = await deps.statusStore.get(accepted.correlationId);
      return record ? { kind: 'accepted', record, replayed: true } : { kind: 'in-progress' };
    }
  }
}

/** `unmappable` and `fetch`: the record is written here, keyed like an Idempotency-Key claim. */
async function storeDirectly(
  delivery: WebhookDelivery,
  content: Exclude<WebhookContent, { kind: 'customer' }>,
  caller: string,
  deps: AcceptDeps,
): Promise<WebhookResult> {
  const erased = await isErased(
    delivery.sourceCustomerId === undefined
      ? undefined
      : { source: delivery.source, sourceCustomerId: delivery.sourceCustomerId },
    deps,
  );
  if (erased !== false) return { kind: erased };
  const correlationId = await webhookCorrelationId(deps, delivery.source, delivery.eventKey);
  if (correlationId === undefined) return { kind: 'unavailable' };
  const timestamp = (deps.now?.() ?? new Date()).toISOString();
  const common = {
    correlationId,
    legalEntity: content.legalEntity,
    target: deps.target,
    attempts: 0,
    createdAt: timestamp,
    queuedAt: timestamp,
    updatedAt: timestamp,
    caller,
    identity: delivery.identity,
    source: delivery.source,
    ...(delivery.sourceCustomerId !== undefined && { sourceCustomerId: delivery.sourceCustomerId }),
  };
  const request = content.kind === 'fetch' ? referenceRequest(content.reference) : undefined;
  let record: StatusRecord;
  try {
    record = await deps.statusStore.create(
      content.kind === 'unmappable'
        ? {
            ...common,
            status: 'failed',
            errorCode: 'unmappable',
            errorMessage: `${FAILURE_CODES.unmappable} ${content.reasons.join('; ')}.`,
          }
        : { ...common, status: 'queued', payload: JSON.stringify(request) },
    );
  } catch (error) {
    if (error instanceof StatusConflictError) {
      const existing = await deps.statusStore.get(correlationId);
      return existing ? { kind: 'accepted', record: existing, replayed: true } : { kind: 'in-progress' };
    }
    deps.log.error('webhook.store_failed', {
      correlationId,
      source: delivery.source,
      reason: errorName(error),
    });
    return { kind: 'unavailable' };
  }
  if (content.kind === 'unmappable') {
    deps.log.warn('customer.failed', { correlationId, legalEntity: record.legalEntity, code: 'unmappable' });
    deps.telemetry.trackEvent({
      name: 'CustomerFailed',
      properties: {
        correlationId,
        legalEntity: record.legalEntity,
        reason: 'unmappable',
        source: delivery.source,
      },
    });
    return { kind: 'accepted', record, replayed: false };
  }
  const message = queueMessageFor(correlationId, timestamp);
  try {
    await deps.queue.send(message);
  } catch (error) {
    deps.log.error('customer.accept.queue_failed', { correlationId, reason: errorName(error) });
    await deps.statusStore.delete(record).catch(() => undefined);
    return { kind: 'unavailable' };
  }
  return { kind: 'accepted', record, replayed: false };
}
