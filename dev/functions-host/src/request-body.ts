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
 * Reads the body the host passes to the worker. The host reads it only when the request declares a
 * Content-Length above zero (`request.Body != null && request.ContentLength > 0` in
 * azure-functions-host `GrpcMessageConversionExtensions.ToRpcHttp`): GET, HEAD, `content-length: 0`
 * and chunked requests reach the function with no body at all, so this resolves undefined for them
 * (and discards what a chunked request sends). A declared length over `limit` rejects with
 * {@link RequestBodyTooLargeError} before anything is read, as Kestrel checks it when reading starts.
 */
export function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = declaredContentLength(req);
  if (declared === undefined || !(declared > 0)) {
    req.resume();
    return Promise.resolve(undefined);
  }
  if (declared > limit) return Promise.reject(new RequestBodyTooLargeError(declared, limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
