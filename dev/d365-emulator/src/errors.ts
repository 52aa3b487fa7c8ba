/** Errors the emulator's API throws to its callers (tests, the local stack), each with its context as fields. */

/** `startEmulator` (or a store) was given an option that cannot work. */
export class InvalidOptionError extends Error {
  override readonly name = 'InvalidOptionError';

  constructor(
    readonly option: string,
    readonly value: unknown,
    /** What the option must be, e.g. "a positive integer". */
    readonly expected: string,
  ) {
    super(`${option} must be ${expected}, got ${JSON.stringify(value) ?? String(value)}`);
  }
}

/** A request-log or telemetry filter named a service or endpoint the emulator does not have. */
export class UnknownFilterValueError extends Error {
  override readonly name = 'UnknownFilterValueError';

  constructor(
    readonly parameter: string,
    readonly value: string,
    readonly known: readonly string[],
  ) {
    super(`Unknown ${parameter} '${value}': use ${known.join(', ')}.`);
  }
}

/** The emulator was asked about an app registration it does not have. */
export class UnknownClientError extends Error {
  override readonly name = 'UnknownClientError';

  constructor(readonly clientId: string) {
    super(`the client ${clientId} is not registered`);
  }
}
