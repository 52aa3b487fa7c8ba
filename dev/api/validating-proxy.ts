import { createServer, IncomingMessage, request as httpRequest, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { createInstance, getHttpOperationsFromSpec } from '@stoplight/prism-http';
import type { IHttpConfig, IHttpRequest, IHttpResponse } from '@stoplight/prism-http';

/**
 * A validating proxy on loopback: every request and answer between a client (newman) and the app is
 * checked against the OpenAPI document by Stoplight Prism's own router and validators
 * (`@stoplight/prism-http`: security, parameters, request body; status, media type, headers and
 * body of the answer). Prism's own HTTP proxy parses JSON bodies and sends them on re-serialised,
 * which breaks the webhook signatures (HMACs over the exact bytes, Shopify's IDs above 2^53); here
 * the bytes go through untouched in both directions, and Prism only sees a parsed copy.
 *
 * `npm run api:proxy -- --upstream http://127.0.0.1:7071/api` runs it by hand (Postman against
 * the printed URL); test/api/postman.test.ts runs the whole newman collection through it.
 */

export interface Violation {
  /** `request` (what the client sent) or `response` (what the app answered). */
  side: 'request' | 'response';
  /** Prism's severity: `error`, `warning` (e.g. a 4xx status the operation does not list) or `info`. */
  severity: string;
  /** Where (Prism's path, e.g. `body.Customer.EmailAddress`) and what. */
  location: string;
  message: string;
}

export interface Exchange {
  method: string;
  /** The path the client asked for (under the upstream's base path), without the query. */
  path: string;
  status: number;
  violations: Violation[];
}

export interface ValidatingProxy {
  url: string;
  /** Every exchange so far, in order of completion. */
  exchanges: Exchange[];
  close(): Promise<void>;
}

export interface ValidatingProxyOptions {
  /** The OpenAPI document (an object). */
  document: object;
  /** The app's API base, e.g. `http://127.0.0.1:7071/api`: its path is the document's server path. */
  upstream: string;
  /** Default 0 (a free port), always on 127.0.0.1. */
  port?: number;
}

const SEVERITIES = ['error', 'warning', 'info', 'hint'];

type PrismLogger = Record<string, (...args: unknown[]) => unknown>;
/** Prism logs every step through pino; the proxy reports violations itself, so its log is silent. */
const silent: PrismLogger = new Proxy({} as PrismLogger, {
  get: (_target, name) => (name === 'child' ? () => silent : () => undefined),
});

const isJson = (contentType: string | undefined) =>
  /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType ?? '');

function parseBody(bytes: Buffer, contentType: string | undefined): unknown {
  if (bytes.length === 0) return undefined;
  const text = bytes.toString('utf8');
  if (!isJson(contentType)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface Upstream {
  status: number;
  /** The raw header lines (name, value, name, value, ...), as the app sent them. */
  rawHeaders: string[];
  headers: Record<string, string>;
  bytes: Buffer;
}

function send(base: URL, incoming: IncomingMessage, path: string, body: Buffer): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: incoming.method,
        path,
        // Host included: the app builds its status URLs from it, so they lead back through the proxy.
        headers: incoming.rawHeaders,
      },
      (answer) => {
        readAll(answer).then((bytes) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(answer.headersDistinct))
            headers[name] = value!.join(',');
          resolve({ status: answer.statusCode ?? 0, rawHeaders: answer.rawHeaders, headers, bytes });
        }, reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

export async function startValidatingProxy(options: ValidatingProxyOptions): Promise<ValidatingProxy> {
  const upstream = new URL(options.upstream);
  const basePath = upstream.pathname.replace(/\/$/, '');
  const operations = await getHttpOperationsFromSpec(structuredClone(options.document));
  /** The answer each Prism input was forwarded to (Prism hands the same input object to `forward`). */
  const answers = new WeakMap<IHttpRequest, Promise<Upstream>>();
  const prism = createInstance(
    {
      isProxy: true,
      upstream,
      upstreamProxy: undefined,
      checkSecurity: true,
      validateRequest: true,
      validateResponse: true,
      errors: false,
      mock: { dynamic: false },
    } as IHttpConfig,
    {
      logger: silent as never,
      // Prism's forwarder, with the bytes untouched: the answer was already fetched for this input.
      forward: ({ data }: { data: IHttpRequest }) =>
        (() => () =>
          answers.get(data)!.then(
            (answer): { _tag: 'Right'; right: IHttpResponse } => ({
              _tag: 'Right',
              right: {
                statusCode: answer.status,
                headers: answer.headers,
                body:
                  answer.status === 204 ? undefined : parseBody(answer.bytes, answer.headers['content-type']),
              },
            }),
            (error: Error) => ({ _tag: 'Left', left: error }),
          )) as never,
    },
  );
  const exchanges: Exchange[] = [];

  const server: Server = createServer((incoming, reply) => {
    void (async () => {
      const url = new URL(incoming.url ?? '/', 'http://proxy.invalid');
      const body = await readAll(incoming);
      const path = url.pathname.startsWith(`${basePath}/`)
        ? url.pathname.slice(basePath.length)
        : url.pathname;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(incoming.headersDistinct)) headers[name] = value!.join(',');
      const query: Record<string, string | string[]> = {};
      for (const key of new Set(url.searchParams.keys())) {
        const values = url.searchParams.getAll(key);
        query[key] = values.length === 1 ? values[0]! : values;
      }
      const input: IHttpRequest = {
        method: (incoming.method ?? 'GET').toLowerCase() as IHttpRequest['method'],
        url: { path, query },
        headers,
        body: body.length === 0 ? undefined : parseBody(body, headers['content-type']),
      };
      const answer = send(upstream, incoming, url.pathname + url.search, body);
      answers.set(input, answer);
      const result = (await prism.request(input, operations)()) as
        | { _tag: 'Right'; right: { validations: { input: Diagnostic[]; output: Diagnostic[] } } }
        | { _tag: 'Left'; left: Error };
      const forwarded = await answer;
      const violations: Violation[] =
        result._tag === 'Left'
          ? [{ side: 'request', severity: 'error', location: '', message: `Prism: ${result.left.message}` }]
          : [
              ...result.right.validations.input.map((d) => violation('request', d)),
              ...result.right.validations.output.map((d) => violation('response', d)),
            ];
      exchanges.push({
        method: incoming.method ?? 'GET',
        path: url.pathname,
        status: forwarded.status,
        violations,
      });
      reply.writeHead(forwarded.status, forwarded.rawHeaders);
      reply.end(forwarded.bytes);
    })().catch((error: Error) => {
      exchanges.push({
        method: incoming.method ?? 'GET',
        path: incoming.url ?? '',
        status: 502,
        violations: [
          { side: 'response', severity: 'error', location: '', message: `proxy: ${error.message}` },
        ],
      });
      if (!reply.headersSent) reply.writeHead(502);
      reply.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Diagnostic {
  severity: number | string;
  path?: (string | number)[];
  message: string;
  code?: string | number;
}

function violation(side: Violation['side'], diagnostic: Diagnostic): Violation {
  const severity =
    typeof diagnostic.severity === 'number'
      ? (SEVERITIES[diagnostic.severity] ?? 'error')
      : diagnostic.severity;
  return { side, severity, location: (diagnostic.path ?? []).join('.'), message: diagnostic.message };
}

/** `npm run api:proxy -- --upstream URL [--port N]`: run it by hand, printing each violation. */
async function main(): Promise<void> {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({
    options: {
      upstream: { type: 'string', default: 'http://127.0.0.1:7071/api' },
      port: { type: 'string', default: '4010' },
    },
  });
  const { openApiDocument } = await import('../../shared/http/openapi');
  const proxy = await startValidatingProxy({
    document: openApiDocument(),
    upstream: values.upstream!,
    port: Number(values.port),
  });
  const basePath = new URL(values.upstream!).pathname.replace(/\/$/, '');
  console.log(
    `Validating proxy for ${values.upstream} on ${proxy.url}${basePath} (Postman: baseUrl = that URL)`,
  );
  let seen = 0;
  setInterval(() => {
    for (const exchange of proxy.exchanges.slice(seen)) {
      const line = `${exchange.method} ${exchange.path} -> ${exchange.status}`;
      console.log(exchange.violations.length === 0 ? `ok   ${line}` : `FAIL ${line}`);
      for (const v of exchange.violations)
        console.log(`     ${v.side} ${v.severity}: ${v.location} ${v.message}`);
    }
    seen = proxy.exchanges.length;
  }, 200).unref();
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await proxy.close();
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
