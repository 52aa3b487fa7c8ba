import { z } from 'zod';
import type { FieldError } from '../customer-contract';

/**
 * An F&O data event as it reaches the HTTPS intake (issue 29): the business events' envelope
 * (`BusinessEventId`, `BusinessEventLegalEntity`, `ControlNumber`, `EventId`, `EventTime` as
 * `/Date(ms)/`, `EventTimeIso8601`, `MajorVersion`, `MinorVersion`, …;
 * https://learn.microsoft.com/dynamics365/fin-ops-core/dev-itpro/business-events/business-events-dev-doc)
 * with the entity record (CustomersV3: `dataAreaId`, `CustomerAccount` and its other fields), as
 * "the payload of the event contains the corresponding entity record"
 * (https://learn.microsoft.com/dynamics365/fin-ops-core/dev-itpro/business-events/data-events).
 *
 * The data event's ID names the entity and the operation; the catalog shows it
 * (System administration > Setup > Business events > Data event catalog). Any ID that names
 * `CustomersV3` and ends with Create/Update (`CustomersV3_Update`, `CustomersV3.Update`, …) is a
 * customer change; others are acknowledged and ignored. `BusinessEventsTestEndpointContract` is
 * the endpoint test F&O sends when an endpoint is saved.
 */
export const TEST_EVENT_ID = 'BusinessEventsTestEndpointContract';
export type CustomerOperation = 'Create' | 'Update';

export interface CustomerDataEvent {
  eventId: string;
  /** F&O's ControlNumber: grows with every event the environment raises. */
  controlNumber: number;
  /** When F&O raised it (ISO). */
  eventTime: string;
  operation: CustomerOperation;
  /** Upper case, as the app keeps legal entities. */
  legalEntity: string;
  customerAccount: string;
  /** The entity record as carried (the envelope removed). */
  record: Record<string, unknown>;
}

export type ParsedDataEvent =
  | { kind: 'customer'; event: CustomerDataEvent }
  | { kind: 'test' }
  | { kind: 'other-entity'; businessEventId: string; eventId: string }
  | { kind: 'invalid'; errors: FieldError[] };

const ENVELOPE = [
  'BusinessEventId',
  'BusinessEventLegalEntity',
  'ContextRecordSubject',
  'ControlNumber',
  'EventId',
  'EventTime',
  'EventTimeIso8601',
  'InitiatingUserAADObjectId',
  'MajorVersion',
  'MinorVersion',
  'ParentContextRecordSubject',
] as const;

const msDate = /^\/Date\((-?\d{1,15})([+-]\d{4})?\)\/$/;

/** `/Date(1697470966000)/` (or an ISO time) → ISO; undefined when neither. */
export function eventTimeOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = msDate.exec(value);
  const at = match
    ? new Date(Number(match[1]))
    : /^\d{4}-\d\d-\d\dT/.test(value)
      ? new Date(value)
      : undefined;
  return at && !Number.isNaN(at.getTime()) ? at.toISOString() : undefined;
}

const guidText = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

const envelope = z.object({
  BusinessEventId: z.string().min(1).max(200),
  BusinessEventLegalEntity: z
    .string()
    .regex(/^[A-Za-z0-9]{1,4}$/, 'must be a legal entity (1-4 letters or digits)'),
  ControlNumber: z.number().int('must be an integer'),
  EventId: z.string().regex(guidText, 'must be a GUID'),
  EventTime: z.string().refine((value) => eventTimeOf(value) !== undefined, 'must be /Date(milliseconds)/'),
  CustomerAccount: z.string().min(1).max(20),
  dataAreaId: z.string().regex(/^[A-Za-z0-9]{1,4}$/, 'must be a legal entity (1-4 letters or digits)'),
});

const operationOf = (businessEventId: string): CustomerOperation | undefined => {
  if (!/customersv3/i.test(businessEventId)) return undefined;
  if (/create$/i.test(businessEventId)) return 'Create';
  if (/update$/i.test(businessEventId)) return 'Update';
  return undefined;
};

const errorsOf = (error: z.ZodError): FieldError[] =>
  error.issues.map((issue) => ({
    pointer: `/${issue.path.map((part) => String(part).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`,
    detail: issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message,
  }));

/** Reads a delivery's JSON body: a customer change, the endpoint test, another entity's event, or invalid. */
export function parseDataEvent(body: unknown): ParsedDataEvent {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      kind: 'invalid',
      errors: [{ pointer: '', detail: 'The body must be a JSON object (one event).' }],
    };
  }
  const fields = body as Record<string, unknown>;
  if (fields.BusinessEventId === TEST_EVENT_ID) return { kind: 'test' };
  const businessEventId = typeof fields.BusinessEventId === 'string' ? fields.BusinessEventId : '';
  if (businessEventId !== '' && operationOf(businessEventId) === undefined) {
    const eventId = typeof fields.EventId === 'string' ? fields.EventId : '';
    return { kind: 'other-entity', businessEventId: businessEventId.slice(0, 100), eventId };
  }
  const parsed = envelope.safeParse(body);
  if (!parsed.success) return { kind: 'invalid', errors: errorsOf(parsed.error) };
  const data = parsed.data;
  if (data.dataAreaId.toUpperCase() !== data.BusinessEventLegalEntity.toUpperCase()) {
    return {
      kind: 'invalid',
      errors: [{ pointer: '/dataAreaId', detail: 'must be the event’s BusinessEventLegalEntity' }],
    };
  }
  const record: Record<string, unknown> = { ...fields };
  for (const name of ENVELOPE) delete record[name];
  return {
    kind: 'customer',
    event: {
      eventId: data.EventId.replace(/[{}]/g, '').toLowerCase(),
      controlNumber: data.ControlNumber,
      eventTime: eventTimeOf(data.EventTime) ?? '',
      operation: operationOf(data.BusinessEventId) ?? 'Update',
      legalEntity: data.BusinessEventLegalEntity.toUpperCase(),
      customerAccount: data.CustomerAccount,
      record,
    },
  };
}
