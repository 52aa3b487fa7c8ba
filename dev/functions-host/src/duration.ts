/**
 * Parses a .NET TimeSpan string as host.json uses them: `[-][d.]hh:mm[:ss[.fffffff]]`, or a whole
 * number of days (`"2"` is two days, as in .NET). Returns milliseconds, or undefined when invalid.
 */
export function parseTimeSpan(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^-?\d+$/.test(trimmed)) return Number(trimmed) * 86_400_000;
  const match = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/.exec(trimmed);
  if (!match) return undefined;
  const [, minus, days = '0', hours = '0', minutes = '0', seconds = '0', fraction = ''] = match;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) return undefined;
  const ms =
    Number(days) * 86_400_000 +
    Number(hours) * 3_600_000 +
    Number(minutes) * 60_000 +
    Number(seconds) * 1000 +
    (fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0);
  return minus ? -ms : ms;
}

/** Formats milliseconds as `hh:mm:ss` (with `d.` and `.fff` when needed), like .NET's TimeSpan. */
export function formatTimeSpan(ms: number): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const days = Math.floor(ms / 86_400_000);
  const hours = Math.floor(ms / 3_600_000) % 24;
  const minutes = Math.floor(ms / 60_000) % 60;
  const seconds = Math.floor(ms / 1000) % 60;
  const millis = ms % 1000;
  return `${days ? `${days}.` : ''}${pad(hours)}:${pad(minutes)}:${pad(seconds)}${millis ? `.${String(millis).padStart(3, '0')}` : ''}`;
}

/** Formats a date as Json.NET writes a UTC DateTimeOffset: `2024-05-01T10:00:00+00:00` (fraction only when non-zero). */
export function formatDateTimeOffset(date: Date): string {
  const iso = date.toISOString(); // 2024-05-01T10:00:00.000Z
  const fraction = iso.slice(19, 23) === '.000' ? '' : iso.slice(19, 23);
  return `${iso.slice(0, 19)}${fraction}+00:00`;
}
