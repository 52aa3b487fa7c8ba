import { IncomingMessage } from 'node:http';

/**
 * The host's default request body limit (Kestrel's `MaxRequestBodySize` as the Functions host sets
 * it: `ScriptConstants.DefaultMaxRequestBodySize`, 100 MB). Documented as the default of
 * `FUNCTIONS_REQUEST_BODY_SIZE_LIMIT`:
 * https://learn.microsoft.com/azure/azure-functions/functions-app-settings#functions_request_body_size_limit
 */
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 104_857_600;

/** The app setting that overrides the limit, in bytes (azure-functions-host `HttpRequestBodySizeMiddleware`). */
export const BODY_SIZE_LIMIT_SETTING = 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT';

/** A request declared a body longer than the limit; its message is Kestrel's. */
export class RequestBodyTooLargeError extends Error {
  override readonly name = 'RequestBodyTooLargeError';
  constructor(
    readonly contentLength: number,
    readonly limit: number,
  ) {
    super(`Request body too large. The max request body size is ${limit} bytes.`);
  }
}

/** `FUNCTIONS_REQUEST_BODY_SIZE_LIMIT` holds a negative number, which Kestrel refuses as a limit. */
export class BodySizeLimitError extends Error {
  override readonly name = 'BodySizeLimitError';
  readonly setting = BODY_SIZE_LIMIT_SETTING;
  constructor(readonly value: string) {
    super(`${BODY_SIZE_LIMIT_SETTING} must be a number of bytes of 0 or more (got "${value}")`);
  }
}

const INT64_MAX = 2n ** 63n - 1n;

/**
 * The request body limit from `FUNCTIONS_REQUEST_BODY_SIZE_LIMIT`, read as the host does: when
 * `long.TryParse` accepts the value (an integer, optionally signed and surrounded by white space)
 * it becomes the limit, anything else (unset, empty, "10MB", out of range) keeps the default.
 * A negative value throws {@link BodySizeLimitError}: Kestrel would reject it on every request.
 */
export function requestBodyLimit(env: NodeJS.ProcessEnv): number {
  const text = env[BODY_SIZE_LIMIT_SETTING];
  if (text === undefined || !/^\s*[+-]?\d+\s*$/.test(text)) return DEFAULT_MAX_REQUEST_BODY_BYTES;
  const value = BigInt(text.trim());
  if (value > INT64_MAX || value < -INT64_MAX - 1n) return DEFAULT_MAX_REQUEST_BODY_BYTES;
  if (value < 0n) throw new BodySizeLimitError(text);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/** The declared Content-Length (Node has already rejected malformed or conflicting ones), if any. */
export function declaredContentLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  return header === undefined ? undefined : Number(header);
}

/**
 * Kestrel's request body minimum data rate, which the Functions host leaves at its default
 * (`KestrelServerLimits.MinRequestBodyDataRate`: 240 bytes/second after a 5 second grace period;
 * https://learn.microsoft.com/dotnet/api/microsoft.aspnetcore.server.kestrel.core.kestrelserverlimits.minrequestbodydatarate).
 * A body arriving slower is cut off: the connection is closed.
 */
export const MIN_BODY_BYTES_PER_SECOND = 240;
export const MIN_BODY_RATE_GRACE_MS = 5_000;

/** The body arrived slower than the minimum data rate; its message is Kestrel's. */
export class RequestBodyTimeoutError extends Error {
  override readonly name = 'RequestBodyTimeoutError';
  constructor() {
    super('Reading the request body timed out due to data arriving too slowly. See MinRequestBodyDataRate.');
  }
}

export interface BodyReadOptions {
  limit: number;
  /** For tests: the data-rate floor (bytes/second) and its grace period. */
  minBytesPerSecond?: number;
  graceMs?: number;
}

/**
 * Watches a request's body as Kestrel does while it is read: over `limit` bytes (a chunked body
 * has no declared length) rejects with {@link RequestBodyTooLargeError}, slower than the minimum
 * data rate after the grace period with {@link RequestBodyTimeoutError}; either way the socket is
 * destroyed, so nothing more is read. `onChunk` gets each chunk while the body is within bounds.
 */
function watchBody(
  req: IncomingMessage,
  options: BodyReadOptions,
  onChunk: (chunk: Buffer) => void,
  stop: () => void = () => req.socket.destroy(),
): Promise<void> {
  const rate = options.minBytesPerSecond ?? MIN_BODY_BYTES_PER_SECOND;
  const graceMs = options.graceMs ?? MIN_BODY_RATE_GRACE_MS;
  const started = Date.now();
  let received = 0;
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => {
      clearInterval(timer);
      stop();
      reject(error);
    };
    // Checked every second, as Kestrel's heartbeat does.
    const timer = setInterval(
      () => {
        const elapsed = Date.now() - started;
        if (elapsed > graceMs && received < (rate * elapsed) / 1000) fail(new RequestBodyTimeoutError());
      },
      Math.min(1000, graceMs),
    );
    timer.unref();
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > options.limit) fail(new RequestBodyTooLargeError(received, options.limit));
      else onChunk(chunk);
    });
    req.on('end', () => {
      clearInterval(timer);
      resolve();
    });
    req.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    req.on('close', () => clearInterval(timer));
  });
}

/**
 * Reads the body the host passes to the worker. The host reads it only when the request declares a
 * Content-Length above zero (`request.Body != null && request.ContentLength > 0` in
 * azure-functions-host `GrpcMessageConversionExtensions.ToRpcHttp`): GET, HEAD, `content-length: 0`
 * and chunked requests reach the function with no body at all, so this resolves undefined for them.
 * A declared length over the limit rejects with {@link RequestBodyTooLargeError} before anything is
 * read, as Kestrel checks it when reading starts; a body arriving too slowly is cut off.
 */
export async function readRequestBody(
  req: IncomingMessage,
  options: BodyReadOptions,
): Promise<Buffer | undefined> {
  const declared = declaredContentLength(req);
  if (declared === undefined || !(declared > 0)) return undefined;
  if (declared > options.limit) throw new RequestBodyTooLargeError(declared, options.limit);
  const chunks: Buffer[] = [];
  await watchBody(req, options, (chunk) => chunks.push(chunk));
  return Buffer.concat(chunks);
}

/**
 * What Kestrel does with a body nobody read once the response is written: it consumes the rest
 * (discarding it) to keep the connection, within the same limits, and closes the connection when
 * the body is over the limit or too slow. A chunked body is never buffered: at most `limit` bytes
 * are read and dropped. Called before the response is written, so Node does not dump the body
 * itself (its own drain has no bound): past a limit, reading stops and the connection is ended
 * after the answer, so the caller still reads the answer before the connection goes.
 */
export function discardRequestBody(req: IncomingMessage, options: BodyReadOptions): void {
  if (req.complete) return;
  const close = (): void => {
    req.pause();
    req.socket.end();
    setTimeout(() => req.socket.destroy(), 1000).unref();
  };
  watchBody(req, options, () => undefined, close).catch(() => undefined);
}

/**
 * Reads the whole body, declared or chunked (an extension webhook reads `HttpRequestMessage.Content`,
 * which takes either), within the same limits as {@link readRequestBody}.
 */
export async function readWholeBody(req: IncomingMessage, options: BodyReadOptions): Promise<Buffer> {
  const declared = declaredContentLength(req);
  if (declared !== undefined && declared > options.limit)
    throw new RequestBodyTooLargeError(declared, options.limit);
  if (req.complete) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  await watchBody(req, options, (chunk) => chunks.push(chunk));
  return Buffer.concat(chunks);
}
