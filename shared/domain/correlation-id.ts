import { createHash } from 'node:crypto';
import { z } from 'zod';

/** What the routes take as a correlation ID: a UUID (RFC 9562) in any case; records use it lower-case. */
const correlationIdSchema = z.uuid();

/** The correlation ID in `value`, lower-cased, or undefined when it is not a UUID. */
export function parseCorrelationId(value: string | undefined): string | undefined {
  const id = (value ?? '').trim().toLowerCase();
  return correlationIdSchema.safeParse(id).success ? id : undefined;
}

/**
 * The correlation ID a key stands for, scoped to the caller and the route: a UUID (version 8,
 * RFC 9562) derived from a SHA-256 of the three, so the status record itself is the key's claim.
 */
export function correlationIdForKey(caller: string, route: string, key: string): string {
  const bytes = createHash('sha256').update(`${caller}\n${route}\n${key}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
