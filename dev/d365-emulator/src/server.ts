import { IncomingMessage, ServerResponse } from 'node:http';
import { handleTopicPublish } from './event-grid';
import { createServer, Server } from 'node:https';
import { Socket } from 'node:net';
import { handleQuickPulse, handleTrack, MAX_TRACK_BYTES } from './app-insights';
import { handleBigCommerceApi } from './shops/bigcommerce-api';
import { B2B_API_PATH, handleBigCommerceB2b } from './shops/bigcommerce-b2b';
import { handleShopifyAdmin } from './shops/shopify-admin';
import { handleBulkDownload } from './shops/shopify-bulk';
import { handleControl } from './control-api';
import { authorizeD365 } from './d365-auth';
import { handleCustomService } from './d365-custom-service';
import { handleOData } from './d365-odata';
import { handleEntra } from './entra';
import { isScripted, sendD365Throttled, sendFaultAnswer, sendScriptedAnswer } from './fault-answers';
import { FaultService } from './faults';
import {
  BodyTooLargeError,
  canAnswer,
  delay,
  loggablePath,
  MAX_BODY_BYTES,
  readBody,
  RequestContext,
  sendJson,
} from './http';
import { handleKeyVault } from './key-vault';
import { LoggedService, RequestLogEntry } from './request-log';
import { route } from './routes';
import { EmulatorState } from './state';
import { increment } from './stats';

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
    const target = route(method, url.pathname);
    const entry =
      target.service === 'd365' ||
      target.service === 'token' ||
      target.service === 'keyvault' ||
      target.service === 'shopify' ||
      target.service === 'bigcommerce'
        ? recordRequest(state, target.service, target.endpoint, ctx, started)
        : undefined;
    ctx.body = await readBody(req, target.service === 'telemetry' ? MAX_TRACK_BYTES : MAX_BODY_BYTES);
    if (target.service === 'control') {
      handleControl(state, ctx);
      return;
    }
    if (target.service === 'eventgrid') {
      handleTopicPublish(state.dataEvents.topic, ctx);
      return;
    }
    if (target.service === 'telemetry') {
      if (target.kind === 'track') await handleTrack(state, ctx);
      else handleQuickPulse(state, ctx);
      return;
    }
    if (target.service === 'unknown' || !entry) {
      sendJson(res, 404, { error: `Nothing is emulated at ${url.pathname}.` });
      return;
    }
    if (target.service === 'd365') increment(state.stats.d365.requests, target.endpoint);
    if (target.service === 'd365')
      res.once('finish', () => increment(state.stats.d365.statuses, String(res.statusCode)));
    res.once('finish', () => {
      if (res.statusCode === 429) state.stats.responses429 += 1;
    });

    if (await applyFault(state, connections, ctx, target.service, entry)) return;

    switch (target.service) {
      case 'shopify':
        if (target.endpoint === 'bulkDownload')
          handleBulkDownload(ctx, state.shops.shopify.get(target.shop), target.number);
        else handleShopifyAdmin(ctx, state.shops.shopify.get(target.shop), target.version);
        return;
      case 'bigcommerce':
        if (target.endpoint === 'b2b')
          handleBigCommerceB2b(ctx, state.shops.bigcommerce, B2B_API_PATH.exec(url.pathname)!);
        else handleBigCommerceApi(ctx, state.shops.bigcommerce.get(target.store), target.resource);
        return;
      case 'token':
        await handleEntra(state, ctx, target.entra);
        return;
      case 'keyvault':
        await handleKeyVault(state, ctx);
        return;
      case 'd365':
        await handleD365(state, connections, ctx, target.kind, entry);
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

/** Adds the request to the request log at its arrival and completes the entry when it is answered. */
function recordRequest(
  state: EmulatorState,
  service: LoggedService,
  endpoint: string,
  ctx: RequestContext,
  started: number,
): RequestLogEntry {
  const entry = state.requestLog.start(
    { service, method: ctx.method, path: loggablePath(ctx.url), endpoint },
    performance.timeOrigin + started,
  );
  // The answer is complete when the handler ends the response, before its bytes are flushed: the
  // 'finish' event can come after the next request on another connection has been read, so an
  // immediate next call would look concurrent with this one (issue 16's hand-offs).
  let ended: number | undefined;
  const end = ctx.res.end.bind(ctx.res) as (...args: unknown[]) => ServerResponse;
  (ctx.res as { end: (...args: unknown[]) => ServerResponse }).end = (...args) => {
    ended ??= performance.now();
    return end(...args);
  };
  const elapsed = (): number => Math.round(((ended ?? performance.now()) - started) * 10) / 10;
  ctx.res.once('finish', () => {
    entry.answeredAt = new Date().toISOString();
    entry.status = ctx.res.statusCode;
    const retryAfter = Number(ctx.res.getHeader('retry-after') ?? Number.NaN);
    entry.retryAfter = Number.isFinite(retryAfter) ? retryAfter : null;
    entry.durationMs = elapsed();
  });
  ctx.res.once('close', () => {
    entry.durationMs ??= elapsed();
  });
  return entry;
}

/** Applies the first matching fault rule; true when the request was answered (or left hanging / reset). */
async function applyFault(
  state: EmulatorState,
  connections: Connections,
  ctx: RequestContext,
  service: FaultService,
  entry: RequestLogEntry,
): Promise<boolean> {
  const rule = state.faults.pick(service, ctx.url.pathname, state.rng, 'before', ctx.method);
  if (!rule) return false;
  state.stats.faultsApplied += 1;
  entry.fault = rule.id;
  if (rule.latencyMs) await delay(rule.latencyMs);
  if (rule.hang) return true; // never answer; the connection stays open until the client or stop() ends it
  if (rule.reset) {
    resetConnection(connections, ctx.req);
    return true;
  }
  if (rule.status !== undefined) {
    if (isScripted(rule)) sendScriptedAnswer(ctx, rule);
    else sendFaultAnswer(state, ctx, service, rule.status, rule.retryAfter);
    return true;
  }
  return !canAnswer(ctx.res);
}

/**
 * Answers a D365 request that created a customer: normally with `answer`; an `after` fault rule replaces
 * the answer (hang, reset, a status) or delays it, as a gateway failing after D365 committed. D365's own
 * work is done by then, so the request stops counting towards the throttle's concurrency.
 */
async function answerAfterCommit(
  state: EmulatorState,
  connections: Connections,
  ctx: RequestContext,
  entry: RequestLogEntry,
  release: () => void,
  answer: () => void,
  commit: () => void,
): Promise<void> {
  const rule = state.faults.pick('d365', ctx.url.pathname, state.rng, 'after', ctx.method);
  if (!rule) {
    commit();
    answer();
    return;
  }
  state.stats.faultsApplied += 1;
  entry.fault = rule.id;
  if (rule.commitDelayMs !== undefined) setTimeout(commit, rule.commitDelayMs).unref();
  else commit();
  release();
  if (rule.latencyMs) await delay(rule.latencyMs);
  if (rule.hang) return;
  if (rule.reset) {
    resetConnection(connections, ctx.req);
    return;
  }
  if (!canAnswer(ctx.res)) return;
  if (rule.status !== undefined) {
    if (isScripted(rule)) sendScriptedAnswer(ctx, rule);
    else sendFaultAnswer(state, ctx, 'd365', rule.status, rule.retryAfter);
  } else answer();
}

/** Per client: until when it was told to wait, and when it was last told (epoch ms). */
const blockedUntil = new WeakMap<EmulatorState, Map<string, { until: number; toldAt: number }>>();

/** Requests this soon after a 429 were already on their way: they do not lengthen the wait. */
const IN_FLIGHT_GRACE_MS = 500;

/**
 * The Retry-After of a throttled request. A client that calls again before its previous Retry-After
 * has passed (and not merely in the same burst) is told to wait what was left plus a new period (at
 * most 300 s): F&O's service
 * protection (Microsoft Learn, "Service protection API limits" and "Service protection retry
 * operations") counts requests sent while throttled against the client, so retrying early lengthens
 * the wait. Setting `lengthenRetryAfter: false` turns it off.
 */
function throttledRetryAfter(state: EmulatorState, clientId: string, computed: number): number {
  let clients = blockedUntil.get(state);
  if (!clients) blockedUntil.set(state, (clients = new Map()));
  const now = Date.now();
  const last = clients.get(clientId) ?? { until: 0, toldAt: 0 };
  const early =
    state.settings.lengthenRetryAfter && last.until > now && now - last.toldAt > IN_FLIGHT_GRACE_MS;
  const seconds = early ? Math.min(300, Math.ceil((last.until - now) / 1000) + computed) : computed;
  clients.set(clientId, {
    until: Math.max(last.until, now + seconds * 1000),
    toldAt: early || last.until <= now ? now : last.toldAt,
  });
  return seconds;
}

async function handleD365(
  state: EmulatorState,
  connections: Connections,
  ctx: RequestContext,
  kind: 'custom-service' | 'odata',
  entry: RequestLogEntry,
): Promise<void> {
  const caller = await authorizeD365(state, ctx);
  if (!caller) return;
  const admission = state.throttle.admit();
  if (!admission.ok) {
    state.stats.throttled += 1;
    entry.throttled = true;
    sendD365Throttled(ctx, throttledRetryAfter(state, caller.clientId, admission.retryAfterSeconds));
    return;
  }
  state.stats.d365.maxConcurrent = Math.max(state.stats.d365.maxConcurrent, state.throttle.inFlight());
  ctx.res.once('close', admission.release);
  ctx.afterCommit = (answer, commit) =>
    void answerAfterCommit(state, connections, ctx, entry, admission.release, answer, commit).catch(
      (error: unknown) => {
        state.options.log?.(
          `internal error after a commit: ${error instanceof Error ? error.message : String(error)}`,
        );
        ctx.res.destroy();
      },
    );
  try {
    if (state.settings.latencyMs > 0) await delay(state.settings.latencyMs);
    if (!canAnswer(ctx.res)) return;
    if (kind === 'custom-service') handleCustomService(state, ctx);
    else handleOData(state, ctx);
  } finally {
    if (ctx.res.writableEnded || ctx.res.destroyed) admission.release();
  }
}
