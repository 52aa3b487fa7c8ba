import { parseDataEvent } from '../../domain/fo-events/data-event';
import { businessEventOf } from '../../domain/fo-events/grid-event';
import type { Log, Telemetry } from '../../ports';
import { acceptDataEvent, AcceptDataEventDeps, AcceptDataEventResult } from './accept-data-event';

/**
 * Intake of one F&O event delivered through Azure Event Grid (issue 29, the `foEventGrid` function):
 * the same use-case as the HTTPS intake (`acceptDataEvent`: unknown legal entities and customers
 * without a shop link ignored and counted, each EventId taken once across the fleet, the queue
 * message names the event only), with the business event taken from the Event Grid event's `data`
 * (domain/fo-events/grid-event.ts).
 *
 * There is nobody to answer: an event that is not one (`invalid`), F&O's endpoint test and another
 * entity's event are acknowledged (the function succeeds, so Event Grid does not deliver them again)
 * and counted in `FoDataEventsIgnored` by reason. Only a storage failure throws: the function fails,
 * the host answers 500, and Event Grid retries the delivery with back-off.
 */
export type AcceptGridEventResult =
  | AcceptDataEventResult
  | { kind: 'ignored'; reason: 'invalid' | 'endpoint-test' | 'other-entity'; eventId?: string };

export interface AcceptGridEventDeps {
  accept: AcceptDataEventDeps;
  telemetry: Telemetry;
  log: Log;
}

function ignored(
  deps: AcceptGridEventDeps,
  reason: 'invalid' | 'endpoint-test' | 'other-entity',
  eventId?: string,
): AcceptGridEventResult {
  if (reason !== 'endpoint-test') {
    deps.telemetry.trackMetric({ name: 'FoDataEventsIgnored', value: 1, properties: { reason } });
  }
  return { kind: 'ignored', reason, ...(eventId !== undefined && { eventId }) };
}

export async function acceptGridEvent(
  gridEvent: unknown,
  deps: AcceptGridEventDeps,
): Promise<AcceptGridEventResult> {
  const carried = businessEventOf(gridEvent);
  const parsed = carried.ok
    ? parseDataEvent(carried.body)
    : { kind: 'invalid' as const, errors: carried.errors };
  switch (parsed.kind) {
    case 'invalid':
      // The pointers only: the values may be personal data.
      deps.log.warn('fo_event.grid_invalid', { reason: parsed.errors.map((e) => e.pointer).join(',') });
      return ignored(deps, 'invalid');
    case 'test':
      return ignored(deps, 'endpoint-test');
    case 'other-entity':
      return ignored(deps, 'other-entity', parsed.eventId);
  }
  try {
    return await acceptDataEvent(parsed.event, deps.accept);
  } catch (error) {
    deps.log.error('fo_event.grid_store_failed', {
      reason: error instanceof Error ? error.name : 'Error',
      legalEntity: parsed.event.legalEntity,
    });
    throw error;
  }
}
