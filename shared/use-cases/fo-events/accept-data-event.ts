import type { CustomerDataEvent } from '../../domain/fo-events/data-event';
import { FoEventChange, pointerTo } from '../../domain/fo-events/event-message';
import { mappedRecord } from '../../domain/fo-events/shop-fields';
import type { CustomerLinks, FoEventLedger, FoEventQueue, Log, Telemetry } from '../../ports';

/**
 * Intake of one F&O data event about a customer (issue 29). Nothing about the customer is answered
 * to the sender; every outcome but a storage failure is a 2xx (F&O would otherwise send it again):
 * - the event's legal entity is none of the shops' (WEBHOOK_SOURCES `legalEntity`): ignored;
 * - the customer has no link, or its link is not to a shop that can be written: ignored;
 * - its event ID was taken before (F&O repeats events): a duplicate, not queued again;
 * - else the change (the mapped fields of the record) is kept in the event's row and a message
 *   naming the event is queued for the shop update (FO_EVENTS_QUEUE_NAME; no personal data in it).
 * Every ignored event counts in the `FoDataEventsIgnored` metric by reason.
 */
export type IgnoredReason = 'unknown-legal-entity' | 'no-link' | 'not-a-shop-link' | 'duplicate';

export type AcceptDataEventResult =
  { kind: 'queued'; eventId: string } | { kind: 'ignored'; eventId: string; reason: IgnoredReason };

export interface AcceptDataEventDeps {
  /** Upper-case legal entities of the shop sources; webhook source names that are shops. */
  shopLegalEntities: ReadonlySet<string>;
  shopSources: ReadonlySet<string>;
  links: Pick<CustomerLinks, 'get'>;
  ledger: FoEventLedger;
  queue: FoEventQueue;
  telemetry: Telemetry;
  log: Log;
  now: () => Date;
}

function ignore(
  deps: AcceptDataEventDeps,
  event: CustomerDataEvent,
  reason: IgnoredReason,
): AcceptDataEventResult {
  deps.telemetry.trackMetric({ name: 'FoDataEventsIgnored', value: 1, properties: { reason } });
  deps.telemetry.trackEvent({
    name: 'FoDataEventIgnored',
    properties: { reason, legalEntity: event.legalEntity, topic: event.operation },
  });
  deps.log.info('fo_event.ignored', { reason, legalEntity: event.legalEntity, topic: event.operation });
  return { kind: 'ignored', eventId: event.eventId, reason };
}

export async function acceptDataEvent(
  event: CustomerDataEvent,
  deps: AcceptDataEventDeps,
): Promise<AcceptDataEventResult> {
  if (!deps.shopLegalEntities.has(event.legalEntity)) return ignore(deps, event, 'unknown-legal-entity');
  const link = await deps.links.get({
    kind: 'account',
    legalEntity: event.legalEntity,
    customerAccount: event.customerAccount,
  });
  if (!link?.customerAccount) return ignore(deps, event, 'no-link');
  if (link.sourceCustomerId === undefined || !deps.shopSources.has(link.source)) {
    return ignore(deps, event, 'not-a-shop-link');
  }
  const receivedAt = deps.now().toISOString();
  const change: FoEventChange = {
    v: 1,
    eventId: event.eventId,
    controlNumber: event.controlNumber,
    eventTime: event.eventTime,
    operation: event.operation,
    legalEntity: event.legalEntity,
    customerAccount: event.customerAccount,
    source: link.source,
    sourceCustomerId: link.sourceCustomerId,
    record: mappedRecord(event.record),
    receivedAt,
  };
  // The change stays in the event's row (erasure and retention find it there); the message names it.
  if (!(await deps.ledger.claim(event.eventId, receivedAt, change))) return ignore(deps, event, 'duplicate');
  try {
    await deps.queue.send(pointerTo(change));
  } catch (error) {
    // Not queued: forget the claim so F&O's redelivery is taken (the error answers 5xx).
    await deps.ledger.release(event.eventId).catch(() => undefined);
    throw error;
  }
  deps.telemetry.trackEvent({
    name: 'FoDataEventQueued',
    properties: { legalEntity: event.legalEntity, topic: event.operation, source: link.source },
  });
  deps.log.info('fo_event.queued', {
    legalEntity: event.legalEntity,
    customerAccount: event.customerAccount,
    topic: event.operation,
    source: link.source,
  });
  return { kind: 'queued', eventId: event.eventId };
}
