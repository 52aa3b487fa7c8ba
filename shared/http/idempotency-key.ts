import type { FieldError } from '../domain/customer-contract';

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
