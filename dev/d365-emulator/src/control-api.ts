import { createDataEventsState, handleDataEventsControl } from './data-events';
import { handleEventGridControl } from './event-grid';
import { UnknownFilterValueError } from './errors';
import { z } from 'zod';
import { customerView, handleCustomerControl } from './control-customers';
import { faultRuleSchema } from './faults';
import { isPlainObject, parseJson, RequestContext, sendEmpty, sendJson } from './http';
import { rotateD365Secret } from './identities';
import { createRng } from './random';
import { REQUEST_ENDPOINTS, RequestLogEntry } from './request-log';
import { applySettingsPatch, settingsPatchSchema } from './settings';
import { EmulatorState } from './state';
import { createShopsState, handleShopsControl } from './shops/shops-control';
import { createStats } from './stats';

/**
 * The control API under `/_emulator/` (no authentication; loopback callers only), for tests,
 * benchmarks and demos. It never returns a secret.
 */
const isLoopback = (address: string | undefined): boolean =>
  address !== undefined && (address === '::1' || /^(::ffff:)?127\./.test(address));

const describeIssues = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');

function jsonBody(ctx: RequestContext): { ok: true; value: unknown } | { ok: false } {
  if (ctx.body.length === 0) return { ok: true, value: {} };
  const parsed = parseJson(ctx.body);
  if (!parsed.ok) {
    sendJson(ctx.res, 400, { error: `The body is not valid JSON: ${parsed.error}` });
    return { ok: false };
  }
  return parsed;
}

export function publicSettings(state: EmulatorState): Record<string, unknown> {
  return { ...state.settings, throttle: { ...state.settings.throttle } };
}

/** Rotates the D365 app's client secret and stores it in Key Vault as a new version. */
export function rotateSecret(state: EmulatorState): { version: string } {
  const secret = rotateD365Secret(state.identities);
  const stored = state.secrets.set(state.options.secretName, secret);
  return { version: stored.version };
}

/**
 * Forgets customers, shops, faults, counters and the request log; keeps secrets, settings and the captured
 * telemetry (which only `DELETE /_emulator/telemetry` clears: envelopes arrive in batches, seconds late).
 */
export function resetState(state: EmulatorState): void {
  state.customers.clear();
  state.postalAddresses.clear();
  state.contactPersons.clear();
  state.faults.clear();
  state.shops = createShopsState();
  state.dataEvents = createDataEventsState();
  resetStats(state);
}

/** Zeroes the counters and forgets the request log. */
export function resetStats(state: EmulatorState): void {
  state.stats = createStats();
  state.throttle.reset();
  state.requestLog.clear();
}

const listParam = (url: URL, name: string): string[] | undefined => {
  const values = url.searchParams
    .getAll(name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
  return values.length > 0 ? values : undefined;
};

/** `GET /_emulator/requests[?service=d365,token][&endpoint=customService]`; an error for an unknown filter value. */
export function requestLogAnswer(
  state: EmulatorState,
  url: URL,
): { ok: true; value: RequestLogEntry[]; dropped: number } | { ok: false; error: UnknownFilterValueError } {
  const services = listParam(url, 'service');
  const endpoints = listParam(url, 'endpoint');
  const known = Object.keys(REQUEST_ENDPOINTS);
  const unknown = services?.find((service) => !known.includes(service));
  if (unknown !== undefined) {
    return { ok: false, error: new UnknownFilterValueError('service', unknown, known) };
  }
  const knownEndpoints = [...new Set(Object.values(REQUEST_ENDPOINTS).flat())];
  const unknownEndpoint = endpoints?.find((endpoint) => !knownEndpoints.includes(endpoint));
  if (unknownEndpoint !== undefined) {
    return { ok: false, error: new UnknownFilterValueError('endpoint', unknownEndpoint, knownEndpoints) };
  }
  const value = state.requestLog
    .entries()
    .filter(
      (entry) =>
        (!services || services.includes(entry.service)) && (!endpoints || endpoints.includes(entry.endpoint)),
    );
  return { ok: true, value, dropped: state.requestLog.dropped() };
}

/** `GET /_emulator/telemetry[?baseType=EventData,MessageData]`: the envelopes received, oldest first. */
export function telemetryAnswer(state: EmulatorState, url: URL): { value: unknown[]; dropped: number } {
  const baseTypes = listParam(url, 'baseType');
  const value = state.telemetry
    .all()
    .filter(
      (item) =>
        !baseTypes ||
        (isPlainObject(item) && isPlainObject(item.data) && baseTypes.includes(String(item.data.baseType))),
    );
  return { value, dropped: state.telemetry.dropped() };
}

export function statsSnapshot(state: EmulatorState): Record<string, unknown> {
  state.stats.d365.maxConcurrent = Math.max(state.stats.d365.maxConcurrent, state.throttle.maxInFlight());
  return { ...state.stats, d365: { ...state.stats.d365, inFlight: state.throttle.inFlight() } };
}

export function handleControl(state: EmulatorState, ctx: RequestContext): void {
  const { res, method } = ctx;
  if (!isLoopback(ctx.req.socket.remoteAddress)) {
    sendJson(res, 403, { error: 'The control API answers loopback callers only.' });
    return;
  }
  if (handleShopsControl(state.shops, ctx)) return;
  const route = ctx.url.pathname.replace(/^\/_emulator/, '').replace(/\/+$/, '') || '/';
  const notAllowed = (allow: string): void =>
    sendJson(res, 405, { error: `Use ${allow}.` }, { Allow: allow });

  switch (route) {
    case '/customers':
      if (method !== 'GET') return notAllowed('GET');
      sendJson(res, 200, { value: state.customers.all().map(customerView) });
      return;
    case '/faults': {
      if (method === 'GET') {
        sendJson(res, 200, { value: state.faults.list() });
        return;
      }
      if (method === 'DELETE') {
        state.faults.clear();
        sendEmpty(res, 204);
        return;
      }
      if (method !== 'POST') return notAllowed('GET, POST, DELETE');
      const body = jsonBody(ctx);
      if (!body.ok) return;
      const parsed = faultRuleSchema.safeParse(body.value);
      if (!parsed.success) {
        sendJson(res, 400, { error: `Invalid fault rule: ${describeIssues(parsed.error)}` });
        return;
      }
      sendJson(res, 201, state.faults.add(parsed.data));
      return;
    }
    case '/rotate-secret':
      if (method !== 'POST') return notAllowed('POST');
      sendJson(res, 200, rotateSecret(state));
      return;
    case '/reset':
      if (method !== 'POST') return notAllowed('POST');
      resetState(state);
      sendEmpty(res, 204);
      return;
    case '/stats':
      if (method !== 'GET') return notAllowed('GET');
      sendJson(res, 200, statsSnapshot(state));
      return;
    case '/stats/reset':
      if (method !== 'POST') return notAllowed('POST');
      resetStats(state);
      sendEmpty(res, 204);
      return;
    case '/requests': {
      if (method === 'DELETE') {
        state.requestLog.clear();
        sendEmpty(res, 204);
        return;
      }
      if (method !== 'GET') return notAllowed('GET, DELETE');
      const answer = requestLogAnswer(state, ctx.url);
      if (!answer.ok) sendJson(res, 400, { error: answer.error.message });
      else sendJson(res, 200, { value: answer.value, dropped: answer.dropped });
      return;
    }
    case '/telemetry':
      if (method === 'DELETE') {
        state.telemetry.clear();
        sendEmpty(res, 204);
        return;
      }
      if (method !== 'GET') return notAllowed('GET, DELETE');
      sendJson(res, 200, telemetryAnswer(state, ctx.url));
      return;
    case '/settings': {
      if (method === 'GET') {
        sendJson(res, 200, publicSettings(state));
        return;
      }
      if (method !== 'PATCH') return notAllowed('GET, PATCH');
      const body = jsonBody(ctx);
      if (!body.ok) return;
      const parsed = settingsPatchSchema.safeParse(isPlainObject(body.value) ? body.value : undefined);
      if (!parsed.success) {
        sendJson(res, 400, { error: `Invalid settings: ${describeIssues(parsed.error)}` });
        return;
      }
      state.settings = applySettingsPatch(state.settings, parsed.data);
      if (parsed.data.throttle) state.throttle.configure(state.settings.throttle);
      if (parsed.data.randomSeed !== undefined) state.rng = createRng(parsed.data.randomSeed);
      sendJson(res, 200, publicSettings(state));
      return;
    }
    default:
      if (handleCustomerControl(state, ctx, route)) return;
      if (handleDataEventsControl(state.dataEvents, ctx, route)) return;
      if (route === '/event-grid') {
        handleEventGridControl(state.dataEvents.topic, ctx).catch(() =>
          sendJson(res, 500, { error: 'The Event Grid control failed.' }),
        );
        return;
      }
      if (route.startsWith('/faults/') && method === 'DELETE') {
        const removed = state.faults.remove(decodeURIComponent(route.slice('/faults/'.length)));
        if (removed) sendEmpty(res, 204);
        else sendJson(res, 404, { error: 'No such fault rule.' });
        return;
      }
      sendJson(res, 404, {
        error: 'Unknown control endpoint.',
        endpoints: [
          'GET /_emulator/customers',
          'GET|PATCH /_emulator/customers/{legalEntity}/{account}',
          'GET /_emulator/customers/{legalEntity}/{account}/postal-addresses',
          'GET /_emulator/postal-addresses',
          'GET /_emulator/customers/{legalEntity}/{account}/contact-persons',
          'GET /_emulator/contact-persons',
          'GET|PUT /_emulator/data-events',
          'GET|PUT /_emulator/event-grid',
          'GET|POST|DELETE /_emulator/faults',
          'DELETE /_emulator/faults/{id}',
          'POST /_emulator/rotate-secret',
          'POST /_emulator/reset',
          'GET /_emulator/stats',
          'POST /_emulator/stats/reset',
          'GET|PATCH /_emulator/settings',
          'GET|DELETE /_emulator/requests',
          'GET|DELETE /_emulator/telemetry',
          'PUT|GET /_emulator/shopify/shops/{domain}',
          'POST /_emulator/shopify/shops/{domain}/customers',
          'PATCH|DELETE /_emulator/shopify/shops/{domain}/customers/{id}',
          'POST /_emulator/shopify/shops/{domain}/revoke',
          'PUT|GET /_emulator/bigcommerce/stores/{hash}',
          'POST /_emulator/bigcommerce/stores/{hash}/customers',
          'DELETE /_emulator/bigcommerce/stores/{hash}/customers/{id}',
          'POST /_emulator/bigcommerce/stores/{hash}/revoke',
        ],
      });
  }
}
