import { LogFields, Log } from '../ports';
/** The Functions invocation log behind the `Log` port: one `event key=value ...` line per entry. */
export function formatLogLine(event: string, fields: LogFields = {}): string {
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(
      ([key, value]) =>
        `${key}=${typeof value === 'string' && /[\s"]/.test(value) ? JSON.stringify(value) : value}`,
    );
  return [event, ...parts].join(' ');
}

/** A `Log` that writes through the invocation's logger (`context.info`, `context.warn`, `context.error`). */
export function invocationLog(context: {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}): Log {
  return {
    info: (event, fields) => context.info(formatLogLine(event, fields)),
    warn: (event, fields) => context.warn(formatLogLine(event, fields)),
    error: (event, fields) => context.error(formatLogLine(event, fields)),
  };
}
