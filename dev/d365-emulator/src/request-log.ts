import { BoundedLog, createBoundedLog } from './bounded-log';
import { FaultService } from './faults';

/**
 * The request log (`GET /_emulator/requests`): one entry per Entra ID, Key Vault, D365 and shop API request, in
 * arrival order, so tests can check timing (e.g. that no D365 call came earlier than a 429's
 * Retry-After allowed). Entries hold no bodies, tokens, query values or personal data.
 */
export const DEFAULT_REQUEST_LOG_LIMIT = 20_000;

export type LoggedService = FaultService;

export const REQUEST_ENDPOINTS: Record<LoggedService, readonly string[]> = {
  d365: ['customService', 'odataCreate', 'odataQuery', 'odataRead', 'odataUpdate', 'other'],
  token: ['tokenV1', 'tokenV2', 'openidV1', 'openidV2', 'keys'],
  keyvault: ['getSecret', 'listSecrets', 'listVersions', 'setSecret', 'other'],
  shopify: ['graphql', 'bulkDownload'],
  bigcommerce: ['customers', 'attributes', 'attributeValues', 'b2b'],
};

export interface RequestLogEntry {
  /** When the request arrived (its headers were read): ISO 8601 with milliseconds. */
  at: string;
  /**
   * The same instant in epoch milliseconds to 0.01 ms, on the clock `durationMs` is measured with:
   * calls one after the other within a millisecond stay in order (`at` alone cannot tell).
   */
  atMs: number;
  /** When the answer was sent (its last byte handed to the network); null while pending or if none was sent. */
  answeredAt: string | null;
  service: LoggedService;
  method: string;
  /** The path with query names but no query values (`/data/CustomersV3?cross-company&$filter`). */
  path: string;
  /** Which operation (see REQUEST_ENDPOINTS). */
  endpoint: string;
  /** The answer's status; null while pending, or when no answer was sent (hang, reset, client gone). */
  status: number | null;
  /** The answer's Retry-After in seconds (429s, faults with `retryAfter`); null without one. */
  retryAfter: number | null;
  /** The id of the fault rule applied to the request, if any (the `after` one when two applied). */
  fault: string | null;
  /** True when the D365 throttle model answered 429 (fault 429s are not "throttled"). */
  throttled: boolean;
  /**
   * From arrival until the answer was complete (the handler ended the response) or the connection
   * closed; null while neither happened.
   */
  durationMs: number | null;
}

export interface RequestLog {
  /** Records a request at its arrival; the entry is completed in place when it is answered. */
  /** `arrivedAtMs`: the arrival in epoch ms (high resolution); now when absent. */
  start(
    fields: Pick<RequestLogEntry, 'service' | 'method' | 'path' | 'endpoint'>,
    arrivedAtMs?: number,
  ): RequestLogEntry;
  entries(): RequestLogEntry[];
  dropped(): number;
  clear(): void;
}

export function createRequestLog(limit = DEFAULT_REQUEST_LOG_LIMIT): RequestLog {
  let log: BoundedLog<RequestLogEntry> = createBoundedLog(limit);
  return {
    start(fields, arrivedAtMs = performance.timeOrigin + performance.now()) {
      const entry: RequestLogEntry = {
        at: new Date().toISOString(),
        atMs: Math.round(arrivedAtMs * 100) / 100,
        answeredAt: null,
        ...fields,
        status: null,
        retryAfter: null,
        fault: null,
        throttled: false,
        durationMs: null,
      };
      log.push(entry);
      return entry;
    },
    entries: () => log.all().map((entry) => ({ ...entry })),
    dropped: () => log.dropped(),
    clear() {
      // A fresh log: entries of requests still in flight complete detached objects, not the new log.
      log = createBoundedLog(limit);
    },
  };
}
