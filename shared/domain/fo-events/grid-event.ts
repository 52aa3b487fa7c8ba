import type { FieldError } from '../customer-contract';

/**
 * The F&O business event an Event Grid event carries (issue 29). F&O's Azure Event Grid endpoint
 * publishes each business event to the topic as one Event Grid event whose `data` is the business
 * event's JSON — for a data event, the envelope (`BusinessEventId`, `EventId`, `ControlNumber`, …)
 * with the entity record; `eventType` is the BusinessEventId and `subject` names it too
 * (Microsoft Learn, "Business events and Azure Event Grid",
 * https://learn.microsoft.com/dynamics365/fin-ops-core/dev-itpro/business-events/how-to/how-to-eventgrid).
 * The event may come in the Event Grid schema (`id`, `subject`, `eventType`, `eventTime`, `data`,
 * `dataVersion`; https://learn.microsoft.com/azure/event-grid/event-schema) or, when the
 * subscription asks for it, as a CloudEvent v1.0 (`specversion`, `id`, `source`, `type`, `data`;
 * https://learn.microsoft.com/azure/event-grid/cloud-event-schema): either way the business event is
 * `data`, an object, or its JSON text (F&O serialises the payload to a string).
 */
export type GridBusinessEvent = { ok: true; body: unknown } | { ok: false; errors: FieldError[] };

export function businessEventOf(gridEvent: unknown): GridBusinessEvent {
  if (typeof gridEvent !== 'object' || gridEvent === null || Array.isArray(gridEvent)) {
    return { ok: false, errors: [{ pointer: '', detail: 'An Event Grid event must be a JSON object.' }] };
  }
  const data = (gridEvent as { data?: unknown }).data;
  if (data === undefined || data === null) {
    return { ok: false, errors: [{ pointer: '/data', detail: 'is required (the business event)' }] };
  }
  if (typeof data !== 'string') return { ok: true, body: data };
  try {
    return { ok: true, body: JSON.parse(data) as unknown };
  } catch {
    return { ok: false, errors: [{ pointer: '/data', detail: 'must be the business event as JSON' }] };
  }
}
