import type { FieldError } from '../domain/customer-contract';

/**
 * Reads the `wait` preference of an RFC 7240 `Prefer` header (`Prefer: wait=10`, possibly among
 * others such as `respond-async`). The wait is capped at `maxSeconds`; a malformed value is refused.
 */
export function parsePreferWait(
  header: string | null,
  maxSeconds: number,
): { ok: true; waitSeconds?: number } | { ok: false; error: FieldError } {
  if (header === null || header.trim() === '') return { ok: true };
  if (header.length > 200)
    return { ok: false, error: { pointer: '', detail: 'The Prefer header is too long.' } };
  for (const preference of header.split(',')) {
    const [name, value] = preference
      .split(';')[0]!
      .split('=')
      .map((part) => part.trim());
    if (name?.toLowerCase() !== 'wait') continue;
    const raw = value?.replace(/^"(.*)"$/, '$1');
    if (!raw || !/^\d{1,6}$/.test(raw)) {
      return {
        ok: false,
        error: { pointer: '', detail: 'Prefer: wait must be a whole number of seconds, e.g. wait=10.' },
      };
    }
    return { ok: true, waitSeconds: Math.min(Number(raw), maxSeconds) };
  }
  return { ok: true };
}
