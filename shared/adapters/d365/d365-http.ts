import { asProcessingError, permanent } from '../../domain/failure';
import { FAILURE_CODES } from '../../domain/status';
import type { CallOptions, TokenSource } from '../../ports';
import { callSignal } from '../call-options';

/** What one HTTPS call to D365 answered: what classification and the adapters read. */
export interface D365Response {
  status: number;
  retryAfter: string | null;
  contentType: string;
  body: string;
  /** `Location` (or `OData-EntityId`) of a created entity. */
  location: string | null;
  etag: string | null;
}

export interface D365RequestOptions {
  body?: unknown;
  /** The OData protocol headers (`OData-Version`, `OData-MaxVersion`: 4.0), for the data entities. */
  odata?: boolean;
  ifMatch?: string;
  /** D365_TIMEOUT_MS: the call's timeout unless `call` names another. */
  timeoutMs: number;
  /** The caller's options bag (abortSignal, timeoutMs). */
  call?: CallOptions;
}

/**
 * One call to D365 (the custom service or an OData entity) with a bearer token. A network failure
 * or a timeout becomes the transient `ProcessingError` of `asProcessingError`; any answer is returned.
 */
export async function sendToD365(
  method: string,
  url: string,
  token: string,
  options: D365RequestOptions,
): Promise<D365Response> {
  try {
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(options.odata && { 'odata-version': '4.0', 'odata-maxversion': '4.0' }),
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
        ...(options.ifMatch !== undefined && { 'if-match': options.ifMatch }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: callSignal(options.call, options.timeoutMs),
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      contentType: response.headers.get('content-type') ?? '',
      location: response.headers.get('location') ?? response.headers.get('odata-entityid'),
      etag: response.headers.get('etag'),
      body: await response.text(),
    };
  } catch (error) {
    throw asProcessingError(error, 'D365');
  }
}

/**
 * Runs `attempt` with the cached token and, when it reports D365's 401 (`'unauthorized'`), once more
 * with a freshly issued one. F&O answers 401 (often with a JSON `Message` body) to a valid token of
 * an Entra application that is not registered in "Microsoft Entra ID applications", and to a token
 * for another URL: a 401 to a fresh token is the permanent `not_registered`.
 */
export async function withFreshTokenOn401<T>(
  tokens: TokenSource,
  attempt: (token: string) => Promise<{ value: T } | 'unauthorized'>,
  options: CallOptions = {},
): Promise<T> {
  for (const fresh of [false, true]) {
    // The token's own timeout is Entra ID's and Key Vault's (their settings); the caller's signal aborts it too.
    const abortSignal = options.abortSignal;
    const result = await attempt(await tokens.getToken({ fresh, ...(abortSignal && { abortSignal }) }));
    if (result !== 'unauthorized') return result.value;
  }
  throw permanent(
    'not_registered',
    `D365 answered 401 to a freshly issued token. ${FAILURE_CODES.not_registered}`,
  );
}
