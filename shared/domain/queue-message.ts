import { z } from 'zod';
import { parseCorrelationId } from './correlation-id';

/**
 * The message the intake function puts on the customer queue: versioned JSON, base64-encoded
 * (the queue trigger's default `messageEncoding`). It carries the normalised request because the
 * worker needs it to call D365; its shape beyond `request` holds no personal data.
 */
export const QUEUE_MESSAGE_VERSION = 1;

export const queueMessageSchema = z.strictObject({
  v: z.literal(QUEUE_MESSAGE_VERSION),
  correlationId: z.uuid(),
  acceptedAt: z.iso.datetime(),
  request: z.unknown(),
});

export type QueueMessage = z.infer<typeof queueMessageSchema>;

/** The message for a request from its status record's stored payload (re-queue, replay). */
export function messageFromRecord(record: {
  correlationId: string;
  createdAt: string;
  payload: string;
}): QueueMessage {
  return {
    v: QUEUE_MESSAGE_VERSION,
    correlationId: record.correlationId,
    acceptedAt: record.createdAt,
    request: JSON.parse(record.payload) as unknown,
  };
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
