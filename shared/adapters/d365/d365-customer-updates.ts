import { permanent, ProcessingError, transient } from '../../domain/failure';
import { personalValues } from '../../domain/redaction';
import {
  CallOptions,
  D365CustomerSnapshot,
  D365CustomerUpdates,
  D365PatchResult,
  TokenSource,
} from '../../ports';
import { classifyD365Answer, D365Answer, odataClassifyOptions } from './d365-client';
import { customerKeyPath, UnsafeODataKeyError } from './odata-key';
import { D365Response, sendToD365, withFreshTokenOn401 } from './d365-http';

/**
 * Reads and updates existing customers through F&O's standard CustomersV3 entity, by key and across
 * companies (both D365 targets: the custom service only creates). What F&O does with each request is
 * in dev/d365-emulator/README.md, "Updates"; how this adapter reads the answers:
 *
 * - GET by key: 200 → the entity's `@odata.etag` (else the `ETag` header) and its fields; 404 with an
 *   OData error body → no such customer (undefined).
 * - PATCH by key with `If-Match`: 204 (or 200) → applied, with the new ETag only if D365 sent one (F&O's
 *   204 has none: read again before the next PATCH); 412 → conflict (the customer changed since its
 *   ETag was read); 404 with an OData error body → not_found.
 * - A 404 without an OData error body is not a customer answer: nothing at that URL (D365_URL wrong),
 *   permanent `configuration`, as for the create.
 * - Everything else as the create (d365-client.ts, classifyD365Answer): 401 → one retry with a fresh
 *   token, a second 401 → `not_registered`; 403 → `not_registered`; 429 → transient and `throttled`
 *   with Retry-After, so the D365 gate slot the caller runs this in pauses the fleet; X++ business
 *   errors (an update's Infolog) → permanent `business_error`, rolled-back deadlocks and update
 *   conflicts → transient; 502/504, a 500 without an Infolog, timeouts and resets → transient and
 *   `uncertain` (the PATCH may have been applied: compare the customer before sending it again).
 *
 * Like the create client it takes no gate itself: the use-case runs each call in its `GateSlot`.
 */
export interface D365CustomerUpdatesOptions {
  /** D365's base URL (D365_URL), without a trailing slash. */
  url: string;
  timeoutMs: number;
}

const tryParse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** An entity tag as If-Match takes it: `*`, or one quoted (weak or strong) tag. */
const ENTITY_TAG = /^(?:\*|(?:W\/)?"[^"\r\n]*")$/;
const KEY_FIELDS = new Set(['dataAreaId', 'CustomerAccount']);

/** A 404 that D365's OData layer answered for a key it does not have (an OData error body). */
const isODataNotFound = (answer: D365Answer): boolean => {
  if (!answer.contentType.includes('json')) return false;
  const error = (tryParse(answer.body) as { error?: unknown } | undefined)?.error;
  return typeof error === 'object' && error !== null;
};

type Handled<T> = { value: T } | 'unauthorized';

export function createD365CustomerUpdates(
  tokens: TokenSource,
  options: D365CustomerUpdatesOptions,
): D365CustomerUpdates {
  const classifyOptions = odataClassifyOptions(options.url, options.timeoutMs);

  /** Anything but the answers a handler knows: the create client's classification (always an error). */
  const failure = (answer: D365Answer, personal: string[]): ProcessingError | 'unauthorized' => {
    if (answer.status === 404)
      return permanent(
        'configuration',
        'D365 answered 404 without an OData error for CustomersV3: check D365_URL.',
      );
    const classified = classifyD365Answer(answer, classifyOptions, personal);
    if (classified instanceof ProcessingError) return classified;
    if (classified.kind === 'unauthorized') return 'unauthorized';
    return transient(`D365 answered ${answer.status} where it was not expected`);
  };

  const send = (
    method: 'GET' | 'PATCH',
    path: string,
    token: string,
    extra: { body?: unknown; ifMatch?: string; call?: CallOptions } = {},
  ): Promise<D365Response> =>
    sendToD365(method, `${options.url}/data/${path}?cross-company=true`, token, {
      ...extra,
      odata: true,
      timeoutMs: options.timeoutMs,
    });

  /** Sends with a cached token, and once more with a fresh one if D365 answers 401. */
  const call = <T>(
    method: 'GET' | 'PATCH',
    path: string,
    handle: (answer: D365Response) => Handled<T> | ProcessingError,
    extra: { body?: unknown; ifMatch?: string; call?: CallOptions } = {},
  ): Promise<T> =>
    withFreshTokenOn401(
      tokens,
      async (token) => {
        const result = handle(await send(method, path, token, extra));
        if (result instanceof ProcessingError) throw result;
        return result;
      },
      extra.call,
    );

  const keyPath = (legalEntity: string, customerAccount: string): string => {
    try {
      return customerKeyPath(legalEntity, customerAccount);
    } catch (error) {
      if (error instanceof UnsafeODataKeyError) throw permanent('business_error', error.message);
      throw error;
    }
  };

  return {
    async getCustomer(legalEntity, customerAccount, callOptions) {
      return call<D365CustomerSnapshot | undefined>(
        'GET',
        keyPath(legalEntity, customerAccount),
        (answer) => {
          if (answer.status === 404 && isODataNotFound(answer)) return { value: undefined };
          if (answer.status !== 200) return failure(answer, []);
          const entity = tryParse(answer.body) as Record<string, unknown> | undefined;
          if (typeof entity !== 'object' || entity === null || Array.isArray(entity))
            return transient('D365 answered the customer read without an entity');
          const etag = entity['@odata.etag'] ?? answer.etag;
          if (typeof etag !== 'string' || etag === '')
            return transient('D365 answered the customer read without an ETag');
          const fields = Object.fromEntries(Object.entries(entity).filter(([name]) => !name.includes('@')));
          return { value: { etag, fields } };
        },
        { call: callOptions },
      );
    },

    async patchCustomer(legalEntity, customerAccount, changes, { etag, ...callOptions }) {
      if (typeof etag !== 'string' || !ENTITY_TAG.test(etag))
        throw new RangeError('etag must be "*" or an entity tag as D365 answered it (W/"...")');
      const names = Object.keys(changes ?? {});
      if (names.length === 0) throw new RangeError('patchCustomer needs at least one changed field');
      if (names.some((name) => KEY_FIELDS.has(name) || name.includes('@')))
        throw new RangeError('patchCustomer cannot change the key fields or send annotations');
      const personal = personalValues(changes);
      return call<D365PatchResult>(
        'PATCH',
        keyPath(legalEntity, customerAccount),
        (answer) => {
          if (answer.status === 204 || answer.status === 200) {
            const body =
              answer.status === 200
                ? (tryParse(answer.body) as Record<string, unknown> | undefined)
                : undefined;
            const next = answer.etag ?? body?.['@odata.etag'];
            return {
              value:
                typeof next === 'string' && next !== ''
                  ? { kind: 'applied', etag: next }
                  : { kind: 'applied' },
            };
          }
          if (answer.status === 412) return { value: { kind: 'conflict' } };
          if (answer.status === 404 && isODataNotFound(answer)) return { value: { kind: 'not_found' } };
          return failure(answer, personal);
        },
        { body: changes, ifMatch: etag, call: callOptions },
      );
    },
  };
}
