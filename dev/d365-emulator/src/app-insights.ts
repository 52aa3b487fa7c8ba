import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { BoundedLog, createBoundedLog } from './bounded-log';
import { isPlainObject, RequestContext, sendEmpty, sendJson } from './http';
import { EmulatorState } from './state';

/**
 * Application Insights ingestion ("Breeze") and Live Metrics (QuickPulse), enough for the real
 * `applicationinsights` SDK (v3, `@azure/monitor-opentelemetry-exporter`) to export into the emulator:
 * `POST /v2.1/track` and `/v2/track` take a JSON array of envelopes (also one envelope, or newline-
 * delimited JSON; `Content-Encoding: gzip` or `deflate`) and answer as Breeze does; the envelopes are
 * kept (the newest `limit`) for `GET /_emulator/telemetry`. Live Metrics is answered "nobody is
 * watching" (`x-ms-qps-subscribed: false`), so the SDK keeps pinging quietly and never posts.
 */
export const DEFAULT_TELEMETRY_LIMIT = 10_000;
/** Largest track body accepted (compressed as sent) and after decompression. */
export const MAX_TRACK_BYTES = 16 * 1024 * 1024;
export const MAX_TRACK_INFLATED_BYTES = 64 * 1024 * 1024;

export type TelemetryRoute = 'track' | 'quickpulse';

export function matchTelemetryRoute(pathname: string): TelemetryRoute | undefined {
  if (/^\/v2(\.1)?\/track\/?$/.test(pathname)) return 'track';
  if (/^\/QuickPulseService\.svc\/(ping|post)\/?$/i.test(pathname)) return 'quickpulse';
  return undefined;
}

export function createTelemetryStore(limit = DEFAULT_TELEMETRY_LIMIT): BoundedLog<unknown> {
  return createBoundedLog(limit);
}

export interface BreezeError {
  index: number;
  statusCode: number;
  message: string;
}

export interface BreezeResponse {
  itemsReceived: number;
  itemsAccepted: number;
  errors: BreezeError[];
}

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class PayloadError extends Error {
  override readonly name = 'PayloadError';

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function decode(ctx: RequestContext): Promise<string> {
  const encoding = String(ctx.req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  const options = { maxOutputLength: MAX_TRACK_INFLATED_BYTES };
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip')
      return (await gunzipAsync(ctx.body, options)).toString('utf8');
    if (encoding === 'deflate') return (await inflateAsync(ctx.body, options)).toString('utf8');
  } catch (error) {
    throw new PayloadError(
      400,
      `The ${encoding} body could not be decompressed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (encoding === 'identity' || encoding === '') return ctx.body.toString('utf8');
  throw new PayloadError(415, `Unsupported Content-Encoding '${encoding}'.`);
}

/** The items of a body: a JSON array, one JSON object, or newline-delimited JSON (one item per line). */
function parseItems(text: string): { items: unknown[]; unparsable: Set<number> } {
  const trimmed = text.trim();
  if (trimmed === '') throw new PayloadError(400, 'The request body is empty.');
  try {
    const value = JSON.parse(trimmed) as unknown;
    return { items: Array.isArray(value) ? value : [value], unparsable: new Set() };
  } catch (error) {
    if (trimmed.startsWith('[')) {
      throw new PayloadError(400, `Invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const items: unknown[] = [];
  const unparsable = new Set<number>();
  for (const line of trimmed.split(/\r?\n/).filter((l) => l.trim() !== '')) {
    try {
      items.push(JSON.parse(line) as unknown);
    } catch {
      unparsable.add(items.length);
      items.push(undefined);
    }
  }
  return { items, unparsable };
}

/** Breeze's checks of one envelope (a subset): the required fields and their types. */
function envelopeProblem(item: unknown): string | undefined {
  if (!isPlainObject(item)) return 'The item is not a JSON object.';
  const missing = (field: string): string =>
    `Field '${field}' on type 'Envelope' is required but missing or empty.`;
  if (typeof item.name !== 'string' || item.name === '') return missing('name');
  if (typeof item.time !== 'string' || item.time === '') return missing('time');
  if (Number.isNaN(Date.parse(item.time))) return `Field 'time' on type 'Envelope' is not a valid date.`;
  const iKey = item.iKey ?? item.ikey;
  if (typeof iKey !== 'string' || iKey === '') return missing('iKey');
  if (!GUID.test(iKey)) return 'Invalid instrumentation key';
  if (!isPlainObject(item.data)) return missing('data');
  if (typeof item.data.baseType !== 'string' || item.data.baseType === '') {
    return `Field 'baseType' on type 'Data' is required but missing or empty.`;
  }
  return undefined;
}

/**
 * `POST /v2.1/track`: 200 `{itemsReceived, itemsAccepted, errors: []}` when every item is an envelope;
 * 206 with one error per rejected item when some are; 400 when none is (or the body is not JSON).
 * Every item that parsed as JSON is kept, accepted or not: the capture shows what left the app.
 */
export async function handleTrack(state: EmulatorState, ctx: RequestContext): Promise<void> {
  const counters = state.stats.appInsights;
  if (ctx.method !== 'POST') {
    sendJson(ctx.res, 405, { error: 'Use POST.' }, { Allow: 'POST' });
    return;
  }
  counters.trackRequests += 1;
  let parsed: { items: unknown[]; unparsable: Set<number> };
  try {
    parsed = parseItems(await decode(ctx));
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error;
    const answer: BreezeResponse = {
      itemsReceived: 0,
      itemsAccepted: 0,
      errors: [{ index: 0, statusCode: error.status, message: error.message }],
    };
    sendJson(ctx.res, error.status, answer);
    return;
  }
  const errors: BreezeError[] = [];
  parsed.items.forEach((item, index) => {
    if (parsed.unparsable.has(index)) {
      errors.push({ index, statusCode: 400, message: 'The line is not valid JSON.' });
      return;
    }
    state.telemetry.push(item);
    const problem = envelopeProblem(item);
    if (problem) errors.push({ index, statusCode: 400, message: problem });
  });
  const answer: BreezeResponse = {
    itemsReceived: parsed.items.length,
    itemsAccepted: parsed.items.length - errors.length,
    errors,
  };
  counters.itemsReceived += answer.itemsReceived;
  counters.itemsAccepted += answer.itemsAccepted;
  const status = errors.length === 0 ? 200 : answer.itemsAccepted > 0 ? 206 : 400;
  sendJson(ctx.res, status, answer);
}

/** Live Metrics ping / post: "not subscribed", empty body (the SDK pings again every few seconds). */
export function handleQuickPulse(state: EmulatorState, ctx: RequestContext): void {
  if (ctx.method !== 'POST') {
    sendJson(ctx.res, 405, { error: 'Use POST.' }, { Allow: 'POST' });
    return;
  }
  state.stats.appInsights.liveMetrics += 1;
  sendEmpty(ctx.res, 200, { 'x-ms-qps-subscribed': 'false' });
}
