import type { CallOptions } from '../ports';

/**
 * The signal one call to an outside service runs under: it aborts after the call's timeout (the
 * options' `timeoutMs`, else the adapter's setting for that service) or when the caller's
 * `abortSignal` aborts, whichever comes first.
 */
export function callSignal(options: CallOptions | undefined, defaultTimeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(options?.timeoutMs ?? defaultTimeoutMs);
  return options?.abortSignal ? AbortSignal.any([timeout, options.abortSignal]) : timeout;
}
