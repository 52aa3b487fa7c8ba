import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { RegisteredFunction } from './core-api';
import {
  RpcHttpCookie,
  RpcHttpData,
  RpcNullableString,
  RpcParameterBinding,
  RpcTypedData,
} from './core-types';
import { AuthLevel, HostKeys, isAuthorized } from './auth';
import { Invoker } from './invoke';
import { Logger } from './logger';
import {
  checkFrontEnd,
  FRONT_END_TIMEOUT_MS,
  KESTREL_MAX_REQUEST_HEADERS_BYTES,
  KESTREL_KEEP_ALIVE_TIMEOUT_MS,
  KESTREL_REQUEST_HEADERS_TIMEOUT_MS,
} from './front-end';
import {
  DEFAULT_MAX_REQUEST_BODY_BYTES,
  discardRequestBody,
  readRequestBody,
  RequestBodyTimeoutError,
  RequestBodyTooLargeError,
} from './request-body';
import { matchRoute, RouteTemplate } from './route-template';
import { EVENT_GRID_WEBHOOK_PATH, handleEventGridWebhook } from './event-grid-webhook';
import { EventGridPlan } from './function-plan';

export interface HttpRoute {
  fn: RegisteredFunction;
  /** Name of the trigger binding (the input the request is passed as). */
  bindingName: string;
  template: RouteTemplate;
  /** Upper-case methods; undefined means every method. */
  methods?: string[];
  authLevel: AuthLevel;
  disabled: boolean;
}

export interface HttpServerOptions {
  routes: HttpRoute[];
  /** Event Grid triggered functions, served at `/runtime/webhooks/eventgrid` (event-grid-webhook.ts). */
  eventGrid?: EventGridPlan[];
  routePrefix: string;
  keys: HostKeys;
  invoker: Invoker;
  logger: Logger;
  /** True once shutdown started: new requests get 503. */
  isStopping(): boolean;
  /** Request body limit in bytes (`FUNCTIONS_REQUEST_BODY_SIZE_LIMIT`); default 100 MB, as in the host. */
  maxBodyBytes?: number;
  /** How long the front end waits for an answer before it answers 502 itself; default 230 s. */
  frontEndTimeoutMs?: number;
  /** For tests: Kestrel's minimum request body data rate and its grace period. */
  minBodyBytesPerSecond?: number;
  minBodyRateGraceMs?: number;
}

function nullable(record: Record<string, string>): Record<string, RpcNullableString> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, { value }]));
}

/** Query values by name; repeated names are joined with commas, as the host does. */
function queryRecord(search: string): Record<string, string> {
  const grouped: Record<string, string[]> = {};
  for (const [key, value] of new URLSearchParams(search)) (grouped[key] ??= []).push(value);
  return Object.fromEntries(Object.entries(grouped).map(([key, values]) => [key, values.join(',')]));
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** Serializes a cookie the way ASP.NET Core writes Set-Cookie (path defaults to "/"). */
export function serializeCookie(cookie: RpcHttpCookie): string {
  const parts = [`${encodeURIComponent(cookie.name ?? '')}=${encodeURIComponent(cookie.value ?? '')}`];
  const seconds = cookie.expires?.value?.seconds;
  if (typeof seconds === 'number') parts.push(`expires=${new Date(seconds * 1000).toUTCString()}`);
  const maxAge = cookie.maxAge?.value;
  if (typeof maxAge === 'number') parts.push(`max-age=${Math.trunc(maxAge)}`);
  if (cookie.domain?.value) parts.push(`domain=${cookie.domain.value}`);
  parts.push(`path=${cookie.path?.value || '/'}`);
  if (cookie.secure?.value) parts.push('secure');
  const sameSite = { lax: 'lax', strict: 'strict', explicitNone: 'none' }[
    cookie.sameSite ?? ('none' as string)
  ];
  if (sameSite) parts.push(`samesite=${sameSite}`);
  if (cookie.httpOnly?.value) parts.push('httponly');
  return parts.join('; ');
}

function bodyBytes(body: RpcTypedData | null | undefined): Buffer {
  if (!body) return Buffer.alloc(0);
  if (body.bytes) return Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength);
  if (typeof body.string === 'string') return Buffer.from(body.string, 'utf8');
  if (typeof body.json === 'string') return Buffer.from(body.json, 'utf8');
  return Buffer.alloc(0);
}

function writeEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'content-length': '0' });
  res.end();
}

/** Writes the function's HTTP output (RpcHttp) as the host does. */
function writeHttpResponse(
  req: IncomingMessage,
  res: ServerResponse,
  http: RpcHttpData | null | undefined,
): void {
  if (!http) {
    // A function that returns nothing: the host answers 200 with an empty body.
    writeEmpty(res, 200);
    return;
  }
  const status = http.statusCode ? Number(http.statusCode) : 200;
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new Error(`The function returned an invalid HTTP status code "${http.statusCode}"`);
  }
  for (const [key, value] of Object.entries(http.headers ?? {})) {
    const lower = key.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding') continue;
    res.setHeader(key, value);
  }
  const cookies = (http.cookies ?? []).map(serializeCookie);
  if (cookies.length > 0) {
    const existing = res.getHeader('set-cookie');
    const before = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
    res.setHeader('set-cookie', [...before, ...cookies]);
  }
  const body = bodyBytes(http.body);
  const noBody = req.method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
  if (!noBody) res.setHeader('content-length', String(body.length));
  res.writeHead(status);
  res.end(noBody ? undefined : body);
}

function stripPrefix(rawPath: string, routePrefix: string): string | undefined {
  if (!routePrefix) return rawPath;
  const path = rawPath.replace(/^\/+/, '');
  const prefix = routePrefix.toLowerCase();
  const lower = path.toLowerCase();
  if (lower === prefix) return '';
  return lower.startsWith(`${prefix}/`) ? path.slice(prefix.length + 1) : undefined;
}

/**
 * The HTTP side of the host: routes requests to HTTP-triggered functions by route template and
 * method (404 unknown route, 405 with Allow for a known route and another method), checks the
 * function's authLevel (401), passes the request to the function as the host's RpcHttp input, and
 * writes the function's response back (500 with an empty body when the function fails).
 */
export function createHttpServer(options: HttpServerOptions): Server {
  const bodyOptions = {
    limit: options.maxBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_BYTES,
    ...(options.minBodyBytesPerSecond !== undefined && { minBytesPerSecond: options.minBodyBytesPerSecond }),
    ...(options.minBodyRateGraceMs !== undefined && { graceMs: options.minBodyRateGraceMs }),
  };
  const frontEndTimeoutMs = options.frontEndTimeoutMs ?? FRONT_END_TIMEOUT_MS;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (options.isStopping()) {
      writeEmpty(res, 503, { connection: 'close' });
      return;
    }
    // What Azure's front end and Kestrel refuse before any function runs (front-end.ts).
    const refusal = checkFrontEnd(req);
    if (refusal) {
      writeEmpty(res, refusal, { connection: 'close' });
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const rawPath = queryStart >= 0 ? rawUrl.slice(0, queryStart) : rawUrl;
    const search = queryStart >= 0 ? rawUrl.slice(queryStart) : '';
    // The host's own routes (runtime/webhooks) come before the functions' routes.
    if (EVENT_GRID_WEBHOOK_PATH.test(rawPath)) {
      await handleEventGridWebhook(req, res, new URL(rawUrl, 'http://localhost'), {
        plans: options.eventGrid ?? [],
        keys: options.keys,
        invoker: options.invoker,
        logger: options.logger,
        body: bodyOptions,
      });
      return;
    }
    const path = stripPrefix(rawPath, options.routePrefix);
    const candidates =
      path === undefined
        ? []
        : options.routes.flatMap((route) => {
            const params = matchRoute(route.template, path);
            return params ? [{ route, params }] : [];
          });
    if (candidates.length === 0) {
      writeEmpty(res, 404);
      return;
    }
    const allowed = candidates.filter(({ route }) => !route.methods || route.methods.includes(method));
    if (allowed.length === 0) {
      const methods = new Set(candidates.flatMap(({ route }) => route.methods ?? []));
      writeEmpty(res, 405, { allow: [...methods].sort().join(', ') });
      return;
    }
    const { route, params } = allowed.reduce((best, c) =>
      c.route.template.precedence < best.route.template.precedence ? c : best,
    );
    if (route.disabled) {
      writeEmpty(res, 404);
      return;
    }
    const query = queryRecord(search);
    const headerKey = req.headers['x-functions-key'];
    const presented = (Array.isArray(headerKey) ? headerKey[0] : headerKey) ?? query.code;
    if (!isAuthorized(route.authLevel, presented, options.keys)) {
      writeEmpty(res, 401);
      return;
    }
    const headers = headerRecord(req);
    const host = headers.host ?? `localhost:${(req.socket.localPort ?? 0).toString()}`;
    // Converted inside the invocation, as the host's ToRpcHttp is: an oversized body fails it.
    const inputData = async (): Promise<RpcParameterBinding[]> => {
      const body = await readRequestBody(req, bodyOptions);
      const http: RpcHttpData = {
        method,
        url: `http://${host}${rawUrl}`,
        nullableHeaders: nullable(headers),
        nullableQuery: nullable(query),
        nullableParams: nullable(params),
        // No body at all unless the request declared one (not an empty one): see readRequestBody.
        ...(body === undefined ? {} : { body: { bytes: body } }),
      };
      return [{ name: route.bindingName, data: { http } }];
    };
    const traceParent = typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined;
    // Azure's front end answers 502 when the function has not answered within 230 s; the
    // invocation goes on, and its answer is dropped.
    const frontEnd = setTimeout(() => {
      if (!res.headersSent) writeEmpty(res, 502, { connection: 'close' });
    }, frontEndTimeoutMs);
    frontEnd.unref();
    const result = await options.invoker.invoke(route.fn, {
      reason: 'This function was programmatically called via the host APIs.',
      inputData,
      triggerMetadata: {},
      traceParent,
    });
    clearTimeout(frontEnd);
    // The invocation's lines (`Executed ...`) reach stdout before its response reaches the caller.
    options.logger.flush?.();
    if (res.headersSent || req.socket.destroyed) return;
    if (result.status === 'failed' && result.error instanceof RequestBodyTimeoutError) return;
    if (result.status === 'failed' && result.error instanceof RequestBodyTooLargeError) {
      // The host answers 500 (the invocation failed), and Kestrel closes a connection whose body it refused.
      writeEmpty(res, 500, { connection: 'close' });
      return;
    }
    // A body nobody read (a chunked one) is consumed within the limits, never kept, as Kestrel
    // drains it after the response: the sender may still be writing, and closing the connection
    // under it would fail its write (EPIPE) before it reads the answer. Started before the answer
    // is written, so Node never dumps the body itself (a dumped body is drained with no bound);
    // past a limit the connection is closed after the answer.
    discardRequestBody(req, bodyOptions);
    if (result.status === 'failed') {
      writeEmpty(res, 500);
      return;
    }
    try {
      writeHttpResponse(req, res, result.response.returnValue?.http);
    } catch (error) {
      options.logger.log(
        'error',
        `Function.${route.fn.metadata.name}`,
        `Writing the response of Functions.${route.fn.metadata.name} failed: ${(error as Error).message}`,
      );
      if (!res.headersSent) {
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        writeEmpty(res, 500);
      } else {
        res.destroy();
      }
    }
  };

  const server = createServer(
    // Kestrel's limit on the request line and headers together (it answers 431 above it).
    { maxHeaderSize: KESTREL_MAX_REQUEST_HEADERS_BYTES, requestTimeout: frontEndTimeoutMs },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        options.logger.log('error', 'Host.Http', `Request failed: ${(error as Error).message}`);
        if (!res.headersSent) writeEmpty(res, 500);
        else res.destroy();
      });
    },
  );
  // Kestrel's RequestHeadersTimeout: the headers must arrive within 30 s.
  server.headersTimeout = KESTREL_REQUEST_HEADERS_TIMEOUT_MS;
  // Kestrel's KeepAliveTimeout (130 s), not Node's 5 s: a client that polls every few seconds on a
  // kept-alive connection must not find it closed under it (ECONNRESET on the next request).
  server.keepAliveTimeout = KESTREL_KEEP_ALIVE_TIMEOUT_MS;
  return server;
}
