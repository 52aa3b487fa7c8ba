import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CustomerRecord } from './customers-store';
import { parseJson, RequestContext, sendJson } from './http';
import type { Rng } from './random';
import { DEFAULT_RETRY_DELAYS_MS, deliver, Delivery, pendingDeliveries } from './shops/shop-webhooks';
import { createEventGridTopicState, EventGridTopicState, publishEvents } from './event-grid';

/**
 * F&O data events for the CustomersV3 entity (issue 29), sent to one configured HTTPS endpoint.
 *
 * What F&O does (Microsoft Learn):
 * - "Data events": create/update/delete events can be activated per OData entity, in all legal entities
 *   or in specific ones; "when a data event occurs, the payload of the event contains the corresponding
 *   entity record"; datetime properties that are NULL are left out of the payload; data events need the
 *   Power Platform integration
 *   (https://learn.microsoft.com/dynamics365/fin-ops-core/dev-itpro/business-events/data-events).
 * - The envelope is the business events' one: `BusinessEventId`, `BusinessEventLegalEntity`,
 *   `ControlNumber`, `EventId`, `EventTime` (`/Date(ms)/`), `EventTimeIso8601`, `MajorVersion`,
 *   `MinorVersion`, `ContextRecordSubject`, `ParentContextRecordSubject`, `InitiatingUserAADObjectId`
 *   (https://learn.microsoft.com/dynamics365/fin-ops-core/dev-itpro/business-events/business-events-dev-doc).
 * - An HTTPS endpoint is proxied through Dataverse as a "Webhook" service endpoint
 *   (https://learn.microsoft.com/dynamics365/fin-ops-core/dev-itpro/business-events/managing-business-event-endpoints),
 *   whose only authentication is a key: `WebhookKey` (`?code=<key>`, an Azure Functions key),
 *   `HttpHeader` or `HttpQueryString` — nothing is signed
 *   (https://learn.microsoft.com/power-apps/developer/data-platform/register-web-hook). The endpoint
 *   URL here carries the key (`…?code=`), `headers` the HttpHeader pairs.
 * - "Business events must not be considered a mechanism for exporting data": events can be late,
 *   repeated or missing (https://learn.microsoft.com/dynamics365/fin-ops-core/dev-itpro/business-events/home-page);
 *   the faults below make them so.
 *
 * - An "Azure Event Grid" endpoint publishes each event to an Event Grid topic with the topic's key
 *   (F&O reads it from Key Vault) as one Event Grid event: `eventType` and `subject` the
 *   BusinessEventId, `id` the EventId, `data` the business event's JSON
 *   (https://learn.microsoft.com/dynamics365/fin-ops-core/dev-itpro/business-events/how-to/how-to-eventgrid).
 *   Here the topic is the emulator's own (event-grid.ts), published to through the same checks as its
 *   `POST /eventgrid/api/events`; the topic then pushes to its subscription.
 *
 * Control API: `PUT /_emulator/data-events` `{endpoint, headers, legalEntities, operations, faults:
 * {duplicate, drop, delayMs}, retryDelaysMs}` activates them for an HTTPS endpoint, or with
 * `eventGrid: {key}` instead of `endpoint` for the Event Grid topic (`endpoint: null` deactivates);
 * `GET` reports the settings, every event raised (with its deliveries) and how many are pending.
 */
export const CUSTOMERS_V3 = 'CustomersV3';
export type DataEventOperation = 'Create' | 'Update';
/** What changed the customer: the app's OData create/PATCH or custom service, or an operator. */
export type DataEventCause = 'odata' | 'custom-service' | 'operator';

const settingsSchema = z.strictObject({
  endpoint: z
    .url({ protocol: /^https?$/ })
    .nullable()
    .default(null),
  /** Publish to the emulator's Event Grid topic with this access key instead of an HTTPS endpoint. */
  eventGrid: z.strictObject({ key: z.string().min(1) }).optional(),
  headers: z.record(z.string(), z.string()).default({}),
  /** Legal entities the events are activated in; absent or null: all. */
  legalEntities: z.array(z.string().min(1).max(4)).nullable().default(null),
  operations: z
    .array(z.enum(['Create', 'Update']))
    .min(1)
    .default(['Create', 'Update']),
  faults: z
    .strictObject({
      /** Probability (0-1) that an event is delivered twice (two deliveries, same EventId). */
      duplicate: z.number().min(0).max(1).default(0),
      /** Probability (0-1) that an event is never sent. */
      drop: z.number().min(0).max(1).default(0),
      /** Each delivery waits a random 0..delayMs first: events arrive late and out of order. */
      delayMs: z.number().int().min(0).max(60_000).default(0),
    })
    .default({ duplicate: 0, drop: 0, delayMs: 0 }),
  retryDelaysMs: z.array(z.number().int().min(0).max(60_000)).max(10).optional(),
});
export type DataEventSettings = z.output<typeof settingsSchema>;

export interface RaisedEvent {
  eventId: string;
  controlNumber: number;
  operation: DataEventOperation;
  legalEntity: string;
  account: string;
  cause: DataEventCause;
  /** Dropped by the `drop` fault: never sent. */
  dropped: boolean;
  deliveries: Delivery[];
}

export interface DataEventsState {
  settings: DataEventSettings | null;
  raised: RaisedEvent[];
  controlNumber: number;
  /** The Event Grid topic an "Azure Event Grid" endpoint publishes to (`/_emulator/event-grid`). */
  topic: EventGridTopicState;
}

export const createDataEventsState = (): DataEventsState => ({
  settings: null,
  raised: [],
  controlNumber: 5637144576,
  topic: createEventGridTopicState(),
});

/** `/Date(ms)/`, the JSON date F&O's business events carry in `EventTime`. */
const msDate = (at: Date): string => `/Date(${at.getTime()})/`;

/** The entity record as the event carries it: NULL datetime properties are left out. */
function eventRecord(record: CustomerRecord): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...record.fields };
  for (const [name, value] of Object.entries(fields)) {
    if (value === null && /(Date|DateTime|Time)$/.test(name)) delete fields[name];
  }
  return { ...fields, dataAreaId: record.legalEntity.toLowerCase(), CustomerAccount: record.account };
}

export function dataEventPayload(
  event: Pick<RaisedEvent, 'eventId' | 'controlNumber' | 'operation'>,
  record: CustomerRecord,
  at: Date,
): Record<string, unknown> {
  return {
    BusinessEventId: `${CUSTOMERS_V3}_${event.operation}`,
    BusinessEventLegalEntity: record.legalEntity,
    ContextRecordSubject: '',
    ControlNumber: event.controlNumber,
    EventId: event.eventId,
    EventTime: msDate(at),
    EventTimeIso8601: at.toISOString(),
    InitiatingUserAADObjectId: '00000000-0000-0000-0000-000000000000',
    MajorVersion: 0,
    MinorVersion: 0,
    ParentContextRecordSubject: '',
    ...eventRecord(record),
  };
}

const activeFor = (settings: DataEventSettings, legalEntity: string, operation: DataEventOperation) =>
  (settings.endpoint !== null || settings.eventGrid !== undefined) &&
  settings.operations.includes(operation) &&
  (settings.legalEntities === null ||
    settings.legalEntities.some((le) => le.toUpperCase() === legalEntity.toUpperCase()));

/**
 * Raises the data event of a change (after it was written): the payload is the record as it is now,
 * taken at once (a later change raises its own event with the later record).
 */
export function raiseCustomerEvent(
  state: DataEventsState,
  rng: Rng,
  record: CustomerRecord,
  operation: DataEventOperation,
  cause: DataEventCause,
): RaisedEvent | undefined {
  const settings = state.settings;
  if (!settings || !activeFor(settings, record.legalEntity, operation)) return undefined;
  state.controlNumber += 1;
  const event: RaisedEvent = {
    eventId: randomUUID().toUpperCase(),
    controlNumber: state.controlNumber,
    operation,
    legalEntity: record.legalEntity,
    account: record.account,
    cause,
    dropped: rng.next() < settings.faults.drop,
    deliveries: [],
  };
  state.raised.push(event);
  if (event.dropped) return event;
  const body = JSON.stringify(dataEventPayload(event, record, new Date()));
  const copies = rng.next() < settings.faults.duplicate ? 2 : 1;
  for (let i = 0; i < copies; i += 1) {
    const delayMs = settings.faults.delayMs > 0 ? Math.floor(rng.next() * settings.faults.delayMs) : 0;
    if (settings.eventGrid) {
      publishToTopic(
        state.topic,
        settings.eventGrid.key,
        event,
        body,
        `${record.legalEntity}/${record.account}`,
        delayMs,
      );
      continue;
    }
    if (!settings.endpoint) continue;
    deliver(
      {
        topic: `${CUSTOMERS_V3}_${operation}`,
        address: settings.endpoint,
        customerId: `${record.legalEntity}/${record.account}`,
        cause: cause === 'operator' ? 'merchant' : 'api',
        headers: () => ({ 'content-type': 'application/json', ...settings.headers }),
        body,
        delayMs,
      },
      settings.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
      event.deliveries,
    );
  }
  return event;
}

/**
 * F&O's publish of one event to the Event Grid topic, after `delayMs`: a record of the publish (its
 * answer) joins the event's deliveries at once, the topic's pushes to its subscription when published,
 * so the control API's `pending` counts both.
 */
function publishToTopic(
  topic: EventGridTopicState,
  key: string,
  event: RaisedEvent,
  body: string,
  customerId: string,
  delayMs: number,
): void {
  const businessEventId = `${CUSTOMERS_V3}_${event.operation}`;
  const publish: Delivery = {
    id: randomUUID(),
    topic: businessEventId,
    address: 'eventgrid:/api/events',
    customerId,
    cause: event.cause === 'operator' ? 'merchant' : 'api',
    attempts: 0,
    lastResult: 'pending',
    delivered: false,
    settled: false,
    createdAt: new Date().toISOString(),
  };
  event.deliveries.push(publish);
  const gridEvent = {
    id: event.eventId,
    subject: businessEventId,
    eventType: businessEventId,
    eventTime: new Date().toISOString(),
    data: body,
    dataVersion: '1.0',
  };
  setTimeout(() => {
    const answer = publishEvents(topic, key, [gridEvent], customerId);
    event.deliveries.push(...(answer.deliveries ?? []));
    publish.attempts = 1;
    publish.lastResult = String(answer.status);
    publish.delivered = answer.status === 200;
    publish.settled = true;
  }, delayMs).unref();
}

/** `GET|PUT /_emulator/data-events`: true when the route was this one (answered). */
export function handleDataEventsControl(state: DataEventsState, ctx: RequestContext, route: string): boolean {
  if (route !== '/data-events') return false;
  if (ctx.method === 'GET') {
    const deliveries = state.raised.flatMap((event) => event.deliveries);
    sendJson(ctx.res, 200, {
      settings: state.settings,
      raised: state.raised,
      pending: pendingDeliveries(deliveries),
    });
    return true;
  }
  if (ctx.method !== 'PUT') {
    sendJson(ctx.res, 405, { error: 'Use GET, PUT.' }, { Allow: 'GET, PUT' });
    return true;
  }
  const parsed = parseJson(ctx.body);
  const settings = parsed.ok ? settingsSchema.safeParse(parsed.value) : undefined;
  if (!settings?.success) {
    sendJson(ctx.res, 400, {
      error: `Invalid data event settings: ${parsed.ok ? (settings?.error.message ?? '') : parsed.error}`,
    });
    return true;
  }
  const data = settings.data;
  state.settings = data.endpoint === null && data.eventGrid === undefined ? null : data;
  sendJson(ctx.res, 200, { settings: state.settings });
  return true;
}
