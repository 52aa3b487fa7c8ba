import { z } from 'zod';
import { parseCorrelationId } from './correlation-id';

/**
 * The message the intake puts on the customer queue: versioned JSON, base64-encoded (the queue
 * trigger's default `messageEncoding`). It names the request and holds **no personal data**: the
 * request itself stays in its status record (`payload`), the one place an erasure (issue 27) or
 * retention removes it from. A queue (and its poison queue) cannot have one message taken out, so
 * nothing personal may ever be written to one.
 *
 * `request` is only read from messages written before this rule (a deploy with messages in flight):
 * the worker still takes such a create's customer when its record is gone.
 */
export const QUEUE_MESSAGE_VERSION = 1;

export const queueMessageSchema = z.strictObject({
  v: z.literal(QUEUE_MESSAGE_VERSION),
  correlationId: z.uuid(),
  acceptedAt: z.iso.datetime(),
  /** Legacy: the request as messages carried it before issue 27. Never written any more. */
  request: z.unknown().optional(),
});

export type QueueMessage = z.infer<typeof queueMessageSchema>;

/** The message for a request: its correlation ID and when it was accepted, nothing else. */
export function queueMessageFor(correlationId: string, acceptedAt: string): QueueMessage {
  return { v: QUEUE_MESSAGE_VERSION, correlationId, acceptedAt };
}

/** The message for a stored request (re-queue, replay). */
export function messageFromRecord(record: { correlationId: string; createdAt: string }): QueueMessage {
  return queueMessageFor(record.correlationId, record.createdAt);
}

/** Encodes a message the way the queue trigger expects it by default. */
export function encodeQueueMessage(message: QueueMessage): string {
  return Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
}

/**
 * Reads what the queue trigger handed the function: the library gives an object when the message
 * was JSON, a string otherwise.
 */
export function decodeQueueMessage(
  input: unknown,
): { ok: true; message: QueueMessage } | { ok: false; correlationId?: string } {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      return { ok: false };
    }
  }
  const parsed = queueMessageSchema.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  const id = (value as { correlationId?: unknown } | null)?.correlationId;
  return { ok: false, correlationId: typeof id === 'string' ? parseCorrelationId(id) : undefined };
}
