/**
 * Reading the body of a D365 error answer: is it an X++ business error (permanent), a transient
 * database conflict the AOS rolled back (retry), or something unknown (the create may have run)?
 *
 * Sources (see dev/d365-emulator/README.md, "Answer classes"):
 * - Custom services wrap any exception thrown by the X++ operation as HTTP 500
 *   `{"Message":"An exception occured when invoking the operation - <Infolog>","ExceptionType":...}`;
 *   the JSON framework's own failures are `XppServicesDeserializationException` /
 *   `XppServicesParameterNotFoundException` (captured in public F&O integration repositories).
 * - OData writes that fail raise `AxODataWriteException` with the Infolog after "Infolog:".
 * - X++ surfaces SQL deadlocks and optimistic-concurrency failures as `Exception::Deadlock` and
 *   `Exception::UpdateConflict` (Microsoft Learn, "X++ exception handling"); the transaction is
 *   rolled back, so the call can be repeated. SQL Server's own text for error 1205 is "... was
 *   deadlocked on lock resources with another process and has been chosen as the deadlock victim.
 *   Rerun the transaction."
 */

const CUSTOM_SERVICE_PREFIX = /^An exception occ?urr?ed when invoking the operation - /;

/** JSON-framework exceptions: the request itself is wrong, retrying cannot help. */
const FRAMEWORK_EXCEPTIONS = /XppServices(Deserialization|ParameterNotFound)Exception/;

/** Infolog texts of failures that were rolled back and may succeed when repeated. */
const TRANSIENT_TEXTS: readonly RegExp[] = [
  /deadlock/i,
  /update conflict/i,
  /(record|row) (has been|was) (modified|changed|updated) by (another|a different) (user|process)/i,
  /another user (has )?(modified|changed)/i,
  /transient sql|sql connection (was )?(lost|broken)/i,
  /could not (obtain|acquire) (a )?lock|lock request time ?out/i,
];

export type ErrorBodyClass =
  /** An X++ business error: the Infolog text, permanent. */
  | { kind: 'business'; text: string }
  /** A rolled-back conflict (deadlock, update conflict): retry, nothing was created. */
  | { kind: 'transient'; text: string }
  /** No X++ message: the gateway or the AOS failed somewhere; the call may have been carried out. */
  | { kind: 'unknown' };

const isTransientText = (text: string): boolean => TRANSIENT_TEXTS.some((pattern) => pattern.test(text));

function customServiceBody(body: unknown): ErrorBodyClass | undefined {
  const { Message, ExceptionType } = (body ?? {}) as { Message?: unknown; ExceptionType?: unknown };
  if (typeof Message !== 'string') return undefined;
  const type = typeof ExceptionType === 'string' ? ExceptionType : undefined;
  if (CUSTOM_SERVICE_PREFIX.test(Message) || (type !== undefined && FRAMEWORK_EXCEPTIONS.test(type))) {
    const text = Message.replace(CUSTOM_SERVICE_PREFIX, '');
    const withType = type !== undefined ? `${text} (${type})` : text;
    return isTransientText(text)
      ? { kind: 'transient', text: withType }
      : { kind: 'business', text: withType };
  }
  return undefined;
}

function odataBody(body: unknown, status: number): ErrorBodyClass | undefined {
  const error = (
    body as { error?: { message?: unknown; innererror?: { message?: unknown; type?: unknown } } }
  )?.error;
  if (!error || typeof error !== 'object') return undefined;
  const inner = typeof error.innererror?.message === 'string' ? error.innererror.message : undefined;
  const type = typeof error.innererror?.type === 'string' ? error.innererror.type : '';
  const outer = typeof error.message === 'string' ? error.message : undefined;
  if (inner?.includes('Infolog:')) {
    const text = inner.slice(inner.indexOf('Infolog:') + 'Infolog:'.length).trim();
    return isTransientText(text) ? { kind: 'transient', text } : { kind: 'business', text };
  }
  if (inner !== undefined && (type.includes('ODataException') || type.includes('AxODataWriteException')))
    return isTransientText(inner) ? { kind: 'transient', text: inner } : { kind: 'business', text: inner };
  // A 4xx is a rejection whatever its wording; a 500 without an Infolog is not a business error.
  const text = inner ?? outer;
  if (text === undefined) return undefined;
  if (isTransientText(text)) return { kind: 'transient', text };
  return status < 500 ? { kind: 'business', text } : undefined;
}

/** Classifies a JSON error body (custom service or OData) of a 4xx/5xx answer. */
export function classifyErrorBody(body: unknown, status: number): ErrorBodyClass {
  return customServiceBody(body) ?? odataBody(body, status) ?? { kind: 'unknown' };
}
