import { IncomingMessage } from 'node:http';

/**
 * What a request meets before any function runs in Azure: the App Service front end, then the
 * Functions host's Kestrel with its default limits (the host changes only MaxRequestBodySize).
 * - Front end: "If a function that uses the HTTP trigger doesn't complete within 230 seconds, the
 *   Azure Load Balancer will time out and return an HTTP 502 error" and "the URL length is limited
 *   to 4 KB (4,096 bytes)" (learn.microsoft.com/azure/azure-functions/functions-bindings-http-webhook-trigger#limits);
 *   its own cap on all headers is 64 KB, above Kestrel's.
 * - Kestrel (`KestrelServerLimits`): MaxRequestHeadersTotalSize 32 KB (431), MaxRequestHeaderCount
 *   100 (431), RequestHeadersTimeout 30 s, a Host header that is not `host[:port]` is 400 ("Invalid
 *   Host header"), MinRequestBodyDataRate 240 bytes/s after 5 s (request-body.ts), KeepAliveTimeout
 *   130 s ("Gets or sets the keep-alive timeout. Defaults to 130 seconds.",
 *   learn.microsoft.com/dotnet/api/microsoft.aspnetcore.server.kestrel.core.kestrelserverlimits.keepalivetimeout):
 *   an idle keep-alive connection stays open that long, where Node's own default closes it after 5 s.
 */
export const FRONT_END_TIMEOUT_MS = 230_000;
export const FRONT_END_MAX_URL_BYTES = 4096;
export const KESTREL_MAX_REQUEST_HEADERS_BYTES = 32 * 1024;
export const KESTREL_MAX_REQUEST_HEADER_COUNT = 100;
export const KESTREL_REQUEST_HEADERS_TIMEOUT_MS = 30_000;
export const KESTREL_KEEP_ALIVE_TIMEOUT_MS = 130_000;

/** RFC 9110 `Host = uri-host [ ":" port ]`: a reg-name, IPv4 address or [IPv6] literal, as Kestrel checks it. */
const VALID_HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::\d{0,5})?$/;

/** Whether `host` is a Host header value Kestrel accepts. */
export function isValidHostHeader(host: string | undefined): boolean {
  return host !== undefined && VALID_HOST.test(host);
}

/** The status the front end or Kestrel answers (with an empty body) before any function runs, if any. */
export function checkFrontEnd(req: IncomingMessage): 400 | 414 | 431 | undefined {
  if (Buffer.byteLength(req.url ?? '') > FRONT_END_MAX_URL_BYTES) return 414;
  if (req.rawHeaders.length / 2 > KESTREL_MAX_REQUEST_HEADER_COUNT) return 431;
  if (!isValidHostHeader(req.headers.host)) return 400;
  return undefined;
}
