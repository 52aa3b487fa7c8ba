import { z } from 'zod';
import { keySecurity, noContent500, problem, ref, type Json } from './openapi-parts';

/**
 * `POST /api/d365/data-events` (issue 29) in the OpenAPI document: F&O's HTTPS business events
 * endpoint posts CustomersV3 data events here (README, "D365 changes to the shop").
 */
export const FO_EVENT_SCHEMAS = {
  FoDataEvent: z
    .looseObject({
      BusinessEventId: z.string().meta({
        description:
          "The data event's ID from the data event catalog: one naming `CustomersV3` and ending with `Create` or `Update` is a customer change; any other is acknowledged and ignored; `BusinessEventsTestEndpointContract` is F&O's endpoint test.",
      }),
      BusinessEventLegalEntity: z.string().meta({ description: 'The legal entity (company) of the change.' }),
      ControlNumber: z.int().meta({ description: 'F&O numbers the events it raises in order.' }),
      EventId: z.string().meta({ description: 'A GUID; a repeated event keeps it (taken once).' }),
      EventTime: z.string().meta({ description: 'When F&O raised it, as `/Date(milliseconds)/`.' }),
      EventTimeIso8601: z.string().optional(),
      MajorVersion: z.int().optional(),
      MinorVersion: z.int().optional(),
      dataAreaId: z.string().meta({ description: "The record's legal entity (the envelope's)." }),
      CustomerAccount: z.string(),
    })
    .meta({
      description:
        "One F&O data event: the business events' envelope and the CustomersV3 record (its other fields as F&O sends them). Only `BusinessEventId` is read from another entity's event.",
    }),
  FoDataEventAnswer: z
    .strictObject({
      status: z.enum(['queued', 'ignored']),
      reason: z
        .enum([
          'endpoint-test',
          'other-entity',
          'unknown-legal-entity',
          'no-link',
          'not-a-shop-link',
          'duplicate',
        ])
        .optional()
        .meta({ description: 'Why it was acknowledged without being queued (`ignored`).' }),
      eventId: z.string().optional(),
    })
    .meta({ description: 'What became of the event; nothing about the customer.' }),
};

const EVENT_EXAMPLE = {
  BusinessEventId: 'CustomersV3_Update',
  BusinessEventLegalEntity: 'USRT',
  ControlNumber: 5637144577,
  EventId: '9C091AF1-5BAF-4CA9-B0A4-94D6E59A0D1C',
  EventTime: '/Date(1765100000000)/',
  EventTimeIso8601: '2025-12-07T09:33:20.000Z',
  MajorVersion: 0,
  MinorVersion: 0,
  dataAreaId: 'usrt',
  CustomerAccount: 'US-000042',
  PersonFirstName: 'Jane',
  PersonLastName: 'Doe',
};

const answer = (description: string, value: Json): Json => ({
  description,
  content: { 'application/json': { schema: ref('FoDataEventAnswer'), examples: { example: { value } } } },
});

export function foEventPaths(): Record<string, Json> {
  return {
    '/d365/data-events': {
      post: {
        operationId: 'foDataEvents',
        tags: ['operations'],
        summary: "F&O's data events endpoint (CustomersV3 changes in D365)",
        description:
          'Set as the URL of an HTTPS business events endpoint in F&O, with a function key as `?code=` (F&O cannot sign events; the key is the authentication; with named keys it must be one with the `accounts` permission). A change to a customer linked to a shop customer is queued for the shop update, once per `EventId` across the fleet; an event of a legal entity no shop syncs, of a customer without a shop link, of another entity, or repeated, is acknowledged (`200`) and counted (`FoDataEventsIgnored`).',
        security: keySecurity('function'),
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: ref('FoDataEvent'),
              examples: { update: { value: EVENT_EXAMPLE } },
            },
          },
        },
        responses: {
          '202': answer('Queued for the shop update.', {
            status: 'queued',
            eventId: '9c091af1-5baf-4ca9-b0a4-94d6e59a0d1c',
          }),
          '200': answer('Acknowledged and not queued (`reason`).', {
            status: 'ignored',
            reason: 'no-link',
            eventId: '9c091af1-5baf-4ca9-b0a4-94d6e59a0d1c',
          }),
          '400': problem(400, 'Not an F&O data event (`errors[]` with pointers); nothing queued.', [
            'invalidDataEvent',
            'invalidBody',
          ]),
          '401': {
            description:
              'The function key (`?code=` or `x-functions-key`) is missing or wrong: the platform answers with an empty body.',
          },
          '403': problem(
            403,
            "With named keys (CALLER_KEYS), a key without the `accounts` permission (a shop's): nothing read, the same answer for every event.",
            ['forbidden'],
          ),
          '411': problem(411, 'Chunked without Content-Length.', ['lengthRequired']),
          '413': problem(413, 'The body is larger than the limit.', ['webhookTooLarge']),
          '415': problem(415, 'The body is not `application/json`.', ['unsupportedMediaType']),
          '500': noContent500,
          '503': problem(503, 'The event could not be stored: nothing queued, F&O sends it again.', [
            'storageUnavailable',
          ]),
        },
      },
    },
  };
}
