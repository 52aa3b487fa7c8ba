import { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, Server } from 'node:https';
import { Socket } from 'node:net';
import { handleControl } from './control-api';
import { authorizeD365 } from './d365-auth';
import { handleCustomService } from './d365-custom-service';
import { handleOData } from './d365-odata';
import { handleEntra, matchEntraRoute } from './entra';
import { sendD365Throttled, sendFaultAnswer } from './fault-answers';
import { FaultService } from './faults';
import {
  BodyTooLargeError,
  canAnswer,
  delay,
  loggablePath,
  readBody,
  RequestContext,
  sendJson,
} from './http';
import { handleKeyVault, isKeyVaultPath } from './key-vault';
import { EmulatorState } from './state';
import { D365Endpoint, increment } from './stats';

type Route =
  | { service: 'control' }
  | { service: 'token'; entra: NonNullable<ReturnType<typeof matchEntraRoute>> }
  | { service: 'keyvault' }
  | { service: 'd365'; endpoint: D365Endpoint; kind: 'custom-service' | 'odata' }
  | { service: 'unknown' };

function route(method: string, pathname: string): Route {
  if (pathname === '/_emulator' || pathname.startsWith('/_emulator/')) return { service: 'control' };
  if (isKeyVaultPath(pathname)) return { service: 'keyvault' };
  if (pathname === '/api/services' || pathname.startsWith('/api/services/')) {
    const operation = pathname.split('/').filter(Boolean).length === 5;
    return {
      service: 'd365',
      kind: 'custom-service',
      endpoint: operation && method === 'POST' ? 'customService' : 'other',
    };
  }
  if (pathname === '/data' || pathname.startsWith('/data/')) {
    const entitySet = /^\/data\/CustomersV3\/?$/.test(pathname);
    const endpoint: D365Endpoint = !entitySet
      ? 'other'
      : method === 'POST'
        ? 'odataCreate'
        : method === 'GET'
          ? 'odataQuery'
          : 'other';
    return { service: 'd365', kind: 'odata', endpoint };
  }
  const entra = matchEntraRoute(pathname);
  if (entra) return { service: 'token', entra };
  return { service: 'unknown' };
}

/** Raw TCP sockets by remote address, so a `reset` fault can send a TCP RST under the TLS layer. */
interface Connections {
  sockets: Set<Socket>;
  byRemote: Map<string, Socket>;
}

const remoteKey = (socket: Socket): string => `${socket.remoteAddress}|${socket.remotePort}`;

function resetConnection(connections: Connections, req: IncomingMessage): void {
  const raw = connections.byRemote.get(remoteKey(req.socket));
  if (raw && typeof raw.resetAndDestroy === 'function') raw.resetAndDestroy();
  else req.socket.destroy();
}

export interface EmulatorServer {
  server: Server;
  /** Closes the server and every connection (including hung requests). */
  close(): Promise<void>;
}

export function createEmulatorServer(
  state: EmulatorState,
  tls: { key: string; cert: string },
): EmulatorServer {
  const connections: Connections = { sockets: new Set(), byRemote: new Map() };
  const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    void handle(state, connections, req, res);
  });
  server.on('connection', (socket: Socket) => {
    const key = remoteKey(socket);
    connections.sockets.add(socket);
    connections.byRemote.set(key, socket);
    socket.once('close', () => {
      connections.sockets.delete(socket);
      if (connections.byRemote.get(key) === socket) connections.byRemote.delete(key);
    });
  });
  // A client that goes away mid-handshake must not crash anything.
  server.on('tlsClientError', () => undefined);
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of connections.sockets) socket.destroy();
      }),
  };
}

async function handle(
  state: EmulatorState,
  connections: Connections,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const method = req.method ?? 'GET';
  const host = req.headers.host ?? `127.0.0.1:${state.port}`;
  const url = new URL(req.url ?? '/', `https://${host}`);
  const log = state.options.log;
  if (log) {
    const path = loggablePath(url);
    const done = (): void => {
      const status = res.headersSent ? String(res.statusCode) : 'aborted';
      log(`${method} ${path} ${status} ${Math.round(performance.now() - started)}ms`);
    };
    res.once('close', done);
  }
  const ctx: RequestContext = { req, res, method, url, origin: `https://${host}`, body: Buffer.alloc(0) };
  try {
    ctx.body = await readBody(req);
    const target = route(method, url.pathname);
    if (target.service === 'control') {
      handleControl(state, ctx);
      return;
    }
    if (target.service === 'unknown') {
      sendJson(res, 404, { error: `Nothing is emulated at ${url.pathname}.` });
      return;
    }
    if (target.service === 'd365') increment(state.stats.d365.requests, target.endpoint);
    if (target.service === 'd365')
      res.once('finish', () => increment(state.stats.d365.statuses, String(res.statusCode)));
    res.once('finish', () => {
      if (res.statusCode === 429) state.stats.responses429 += 1;
    });

    if (await applyFault(state, connections, ctx, target.service)) return;

    switch (target.service) {
      case 'token':
        handleEntra(state, ctx, target.entra);
        return;
      case 'keyvault':
        handleKeyVault(state, ctx);
        return;
      case 'd365':
        await handleD365(state, ctx, target.kind);
        return;
    }
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      sendJson(res, 413, { error: 'The request body is too large.' });
    } else if (error instanceof URIError) {
      sendJson(res, 400, { error: 'The request URI is malformed.' });
    } else {
      state.options.log?.(
        `internal error on ${method} ${url.pathname}: ${error instanceof Error ? error.message : String(error)}`,
      );
      sendJson(res, 500, { error: 'The emulator failed to handle the request.' });
    }
  }
}

/** Applies the first matching fault rule; true when the request was answered (or left hanging / reset). */
async function applyFault(
  state: EmulatorState,
  connections: Connections,
  ctx: RequestContext,
  service: FaultService,
): Promise<boolean> {
  const rule = state.faults.pick(service, ctx.url.pathname, state.rng);
  if (!rule) return false;
  state.stats.faultsApplied += 1;
  if (rule.latencyMs) await delay(rule.latencyMs);
  if (rule.hang) return true; // never answer; the connection stays open until the client or stop() ends it
  if (rule.reset) {
    resetConnection(connections, ctx.req);
    return true;
  }
  if (rule.status !== undefined) {
    sendFaultAnswer(state, ctx, service, rule.status, rule.retryAfter);
    return true;
  }
  return !canAnswer(ctx.res);
}

async function handleD365(
  state: EmulatorState,
  ctx: RequestContext,
  kind: 'custom-service' | 'odata',
): Promise<void> {
  if (!authorizeD365(state, ctx)) return;
  const admission = state.throttle.admit();
  if (!admission.ok) {
    state.stats.throttled += 1;
    sendD365Throttled(ctx, admission.retryAfterSeconds);
    return;
  }
  state.stats.d365.maxConcurrent = Math.max(state.stats.d365.maxConcurrent, state.throttle.inFlight());
  ctx.res.once('close', admission.release);
  try {
    if (state.settings.latencyMs > 0) await delay(state.settings.latencyMs);
    if (!canAnswer(ctx.res)) return;
    if (kind === 'custom-service') handleCustomService(state, ctx);
    else handleOData(state, ctx);
  } finally {
    if (ctx.res.writableEnded || ctx.res.destroyed) admission.release();
  }
}
