import { createHash } from 'node:crypto';
import { FieldError } from './problem';

/**
 * `Idempotency-Key` (IETF httpapi draft): a structured-field string (`"..."`) or, as most
 * clients send it, the bare value. 1–255 visible ASCII characters without quotes or backslashes.
 */
const KEY = /^[\x21\x23-\x5b\x5d-\x7e]{1,255}$/;

export function parseIdempotencyKey(
  header: string | null,
): { ok: true; key?: string } | { ok: false; error: FieldError } {
  if (header === null) return { ok: true };
  const trimmed = header.trim();
  const value = /^".*"$/.test(trimmed) ? trimmed.slice(1, -1) : trimmed;
  if (!KEY.test(value)) {
    return {
      ok: false,
      error: {
        pointer: '',
        detail:
          'Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is best), optionally in double quotes.',
      },
    };
  }
  return { ok: true, key: value };
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
