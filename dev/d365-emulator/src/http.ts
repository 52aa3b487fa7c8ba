import { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** One request as the emulator's handlers see it. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  url: URL;
  /** The origin the client used (`https://<Host header>`), for URLs written into answers. */
  origin: string;
  /** Request body, read once the request got past faults and throttling. */
  body: Buffer;
  /**
   * Set for D365 requests: a handler that has just committed a customer passes its answer here instead
   * of sending it, so an `after` fault can replace it (see `answerCommitted`).
   */
  afterCommit?: (answer: () => void, commit: () => void) => void;
}

/**
 * Commits a created customer (`commit`) and sends the answer, unless an `after` fault takes the
 * answer's place or delays the commit (a slow commit: answered first, committed later).
 */
export function answerCommitted(
  ctx: RequestContext,
  answer: () => void,
  commit: () => void = () => undefined,
): void {
  if (ctx.afterCommit) ctx.afterCommit(answer, commit);
  else {
    commit();
    answer();
  }
}

export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';

  constructor(readonly limitBytes: number) {
    super(`request body larger than ${limitBytes} bytes`);
  }
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(limit));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** True while the answer can still be written (the client may have gone away during a delay). */
export const canAnswer = (res: ServerResponse): boolean =>
  !res.headersSent && !res.destroyed && !res.writableEnded;

export function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer | undefined,
  headers: OutgoingHttpHeaders = {},
): void {
  if (!canAnswer(res)) return;
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  // Headers set one by one (not passed to writeHead) stay readable through getHeader (the request log).
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
  res.setHeader('Content-Length', payload?.length ?? 0);
  res.writeHead(status);
  res.end(payload);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  send(res, status, JSON.stringify(body), { 'Content-Type': 'application/json; charset=utf-8', ...headers });
}

export function sendEmpty(res: ServerResponse, status: number, headers: OutgoingHttpHeaders = {}): void {
  send(res, status, undefined, headers);
}

/** Parses a JSON body; `undefined` when it is not JSON. */
export function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The bearer token of the Authorization header, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** `path?key1&key2`: the path with query keys but no query values (safe to log). */
export function loggablePath(url: URL): string {
  const keys = [...new Set(url.searchParams.keys())];
  return keys.length > 0 ? `${url.pathname}?${keys.join('&')}` : url.pathname;
}
