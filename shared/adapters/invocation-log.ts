/**
 * Structured, personal-data-free logging for the use-cases. Only the fields below can be logged,
 * so a name, e-mail, phone, address, birth date, secret or token cannot reach a log line by
 * accident; free text (reasons from D365) must have passed through `scrub` first.
 */
export interface LogFields {
  correlationId?: string;
  legalEntity?: string;
  status?: string;
  attempt?: number;
  customerAccount?: string;
  outcome?: string;
  code?: string;
  reason?: string;
  durationMs?: number;
  retryAfterSeconds?: number;
  dequeueCount?: number;
}

export interface Log {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

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

export const silentLog: Log = { info() {}, warn() {}, error() {} };
