import { z } from 'zod';

/**
 * F&O data events (issue 29): what the intake keeps of one customer change from D365, for the shop
 * customer it is linked to. The record is the CustomersV3 record as the event carried it (the
 * envelope removed); the shop update reads the fields it maps from it.
 *
 * The change is personal data (names, e-mail, phone, address), so it is held in one place only: the
 * event's row in FO_EVENTS_TABLE_NAME, where an erasure (issue 27) and the retention timer find and
 * delete it. The queue message (FO_EVENTS_QUEUE_NAME, and its poison queue) names the event and
 * nothing more, as the customer queue's messages do (domain/queue-message.ts): a queue cannot have
 * one message taken out without receiving it (which raises its dequeue count towards the poison
 * queue), so nothing personal may be written to one.
 *
 * `v: 1` messages carried the change itself (before the rule): still read, for a deploy with
 * messages in flight; never written any more.
 */
export const foEventChangeSchema = z.object({
  v: z.literal(1),
  eventId: z.string().min(1),
  controlNumber: z.number().int(),
  eventTime: z.string().min(1),
  operation: z.enum(['Create', 'Update']),
  legalEntity: z.string().min(1),
  customerAccount: z.string().min(1),
  /** The linked shop customer: the webhook source's name and the shop's customer ID. */
  source: z.string().min(1),
  sourceCustomerId: z.string().min(1),
  record: z.record(z.string(), z.unknown()),
  receivedAt: z.string().min(1),
});
/** One customer change as the intake took it in (held in the event's table row). */
export type FoEventChange = z.output<typeof foEventChangeSchema>;
/** Legacy name of the change (v1 messages carried it whole). */
export type FoEventMessage = FoEventChange;

/** The queue message: the event's ID and when it came, nothing else. */
export const foEventPointerSchema = z.strictObject({
  v: z.literal(2),
  eventId: z.string().min(1),
  receivedAt: z.string().min(1),
});
export type FoEventPointer = z.output<typeof foEventPointerSchema>;

export type FoEventQueueMessage = FoEventPointer | FoEventChange;

export const pointerTo = (change: Pick<FoEventChange, 'eventId' | 'receivedAt'>): FoEventPointer => ({
  v: 2,
  eventId: change.eventId,
  receivedAt: change.receivedAt,
});

export const encodeFoEventMessage = (message: FoEventQueueMessage): string =>
  Buffer.from(JSON.stringify(message), 'utf8').toString('base64');

/** A queue message as the trigger hands it (parsed JSON or text) → the message, or undefined. */
export function decodeFoEventMessage(raw: unknown): FoEventQueueMessage | undefined {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  const pointer = foEventPointerSchema.safeParse(value);
  if (pointer.success) return pointer.data;
  const parsed = foEventChangeSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Parses a change as stored in its row (JSON); undefined when it is not one. */
export function parseFoEventChange(json: unknown): FoEventChange | undefined {
  if (typeof json !== 'string') return undefined;
  try {
    const parsed = foEventChangeSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
