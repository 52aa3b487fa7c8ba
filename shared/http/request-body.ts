import type { HttpRequest } from '@azure/functions';
import { parseJsonBody } from '../domain/json-body';
import { Problem, problems } from './problem';

/** The largest request body the intake accepts (checked before the body is read). */
export const MAX_BODY_BYTES = 32 * 1024;

/**
 * `FUNCTIONS_REQUEST_BODY_SIZE_LIMIT` as deployed (infra/modules/function-app.bicep) and set on the
 * local stack: the host refuses a longer body before reading it, so no route, anonymous ones
 * included, can make it buffer more. Above every route's own limit, which answers 413 below it.
 */
export const HOST_BODY_SIZE_LIMIT_BYTES = 1024 * 1024;
/** A create's body: JSON. */
export const JSON_MEDIA_TYPES: readonly string[] = ['application/json'];
/**
 * A PATCH body: a JSON Merge Patch (RFC 7396), also taken as plain `application/json` (what most HTTP
 * clients send; the body is the same object). JSON Patch (RFC 6902) and any other type get 415.
 */
export const MERGE_PATCH_MEDIA_TYPES: readonly string[] = [
  'application/merge-patch+json',
  'application/json',
];

/**
 * The body's raw bytes, exactly as the sender sent them (signatures are over these), or undefined
 * when it is longer than `limit` (declared by Content-Length, or found while reading).
 */
export async function readBodyBytes(request: HttpRequest, limit: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return undefined;
  return readLimited(request, limit);
}

/**
 * A body sent without Content-Length (`Transfer-Encoding: chunked`: .NET's `ObjectContent`, Node's
 * `fetch` with a stream, many gateways). Azure's Functions host reads a body only when
 * `ContentLength > 0` (azure-functions-host `GrpcMessageConversionExtensions.ToRpcHttp`; issues
 * azure-functions-host#4926, azure-functions-nodejs-library#171), so the app gets no body at all:
 * without this check a valid customer would be answered "The request body is empty". HTTP streams
 * (`app.setup({ enableHttpStream: true })`) would deliver it, but are not used: see docs/api.md
 * "Request bodies" for why. The answer is 411 naming Content-Length.
 */
export function isChunkedWithoutLength(request: HttpRequest): boolean {
  return request.headers.has('transfer-encoding') && !request.headers.has('content-length');
}

/** The JSON value in `bytes` (strict UTF-8, the hostile-input rules of `parseJsonBody`), or a 400 problem. */
export function decodeJsonBytes(
  bytes: Buffer,
): { ok: true; value: unknown } | { ok: false; problem: Problem } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return {
      ok: false,
      problem: problems.invalidBody([{ pointer: '', detail: 'The body is not valid UTF-8.' }]),
    };
  }
  const parsed = parseJsonBody(text);
  if (!parsed.ok)
    return { ok: false, problem: problems.invalidBody([{ pointer: parsed.pointer, detail: parsed.detail }]) };
  return { ok: true, value: parsed.value };
}

/** Reads at most `limit` bytes of the body; resolves `undefined` as soon as it is longer. */
async function readLimited(request: HttpRequest, limit: number): Promise<Buffer | undefined> {
  if (!request.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a JSON request body safely: 415 unless the content type is one of `mediaTypes` (default
 * `application/json`, any parameters), 413 when larger than `limit` (from Content-Length before
 * reading, or while reading), 400 when it is not valid UTF-8 JSON or breaks the hostile-input rules
 * of `parseJsonBody`.
 */
export async function readJsonBody(
  request: HttpRequest,
  options: { limit?: number; mediaTypes?: readonly string[] } = {},
): Promise<{ ok: true; value: unknown } | { ok: false; problem: Problem }> {
  const { limit = MAX_BODY_BYTES, mediaTypes = JSON_MEDIA_TYPES } = options;
  const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (!mediaTypes.includes(mediaType.toLowerCase())) {
    return { ok: false, problem: problems.unsupportedMediaType(mediaType, mediaTypes) };
  }
  if (isChunkedWithoutLength(request)) return { ok: false, problem: problems.lengthRequired() };
  const bytes = await readBodyBytes(request, limit);
  if (!bytes) return { ok: false, problem: problems.tooLarge(limit) };
  return decodeJsonBytes(bytes);
}
