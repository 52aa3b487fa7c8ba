import { z } from 'zod';

/**
 * What the F&O event intake queues (FO_EVENTS_QUEUE_NAME, issue 29): one customer change from D365,
 * for the shop customer it is linked to. The record is the CustomersV3 record as the event carried
 * it (the envelope removed); the shop update reads the fields it maps from it.
 */
export const foEventMessageSchema = z.object({
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
export type FoEventMessage = z.output<typeof foEventMessageSchema>;

export const encodeFoEventMessage = (message: FoEventMessage): string =>
  Buffer.from(JSON.stringify(message), 'utf8').toString('base64');

/** A queue message as the trigger hands it (parsed JSON or text) → the message, or undefined. */
export function decodeFoEventMessage(raw: unknown): FoEventMessage | undefined {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  const parsed = foEventMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
