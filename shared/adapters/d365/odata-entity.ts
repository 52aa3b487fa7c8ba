import { permanent, ProcessingError, transient } from '../../domain/failure';
import type { CallOptions, TokenSource } from '../../ports';
import { classifyD365Answer, D365Answer, odataClassifyOptions } from './d365-client';
import { buildEqFilter, UnsafeODataValueError } from './odata-filter';
import { sendToD365, withFreshTokenOn401 } from './d365-http';

/**
 * One F&O OData entity set that a customer's further records live in (postal addresses, contact
 * persons): a filtered list read page by page and a POST, answered as the create is answered
 * (d365-client.ts, `classifyD365Answer`): 401 → one retry with a fresh token, then
 * `not_registered`; 404 → `configuration` (D365_URL); 429 → transient and `throttled`; an Infolog
 * 400/500 → permanent `business_error`; 502/504, a 500 without an Infolog, timeouts → transient and
 * `uncertain` (the record may have been added: the caller lists again before it posts again).
 * It takes no gate itself: the use-cases run each call in a `GateSlot`.
 */
export interface ODataEntityOptions {
  url: string;
  timeoutMs: number;
}

/** How many pages of one list are followed at most (`@odata.nextLink`). */
export const MAX_PAGES = 10;

export interface ODataEntity {
  /**
   * Every row the `filter` (equalities) selects across companies, the `select`ed fields mapped by
   * `toRow` (undefined leaves a row out), following next links on D365's own host only.
   */
  list<R>(
    filter: Record<string, string>,
    select: string,
    toRow: (row: Record<string, unknown>) => R | undefined,
    call?: CallOptions,
  ): Promise<R[]>;
  /** Adds one record; `personal` are the values no error message may quote. */
  add(body: Record<string, unknown>, personal: (string | undefined)[], call?: CallOptions): Promise<void>;
}

const tryParse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** `what` names the records in error messages ("postal address", "contact person"). */
export function odataEntity(
  tokens: TokenSource,
  entitySet: string,
  what: string,
  options: ODataEntityOptions,
): ODataEntity {
  const classifyOptions = odataClassifyOptions(options.url, options.timeoutMs);

  /** Sends with a cached token, and once more with a fresh one if D365 answers 401. */
  const send = <T>(
    method: 'GET' | 'POST',
    path: string,
    handle: (answer: D365Answer) => { value: T } | ProcessingError,
    personal: string[],
    request: { body?: unknown; call?: CallOptions },
  ): Promise<T> =>
    withFreshTokenOn401(
      tokens,
      async (token) => {
        const answer = await sendToD365(method, `${options.url}${path}`, token, {
          body: request.body,
          odata: true,
          timeoutMs: options.timeoutMs,
          call: request.call,
        });
        if (answer.status === 401) return 'unauthorized';
        if (answer.status === 404)
          throw permanent('configuration', `D365 answered 404 for ${entitySet}: check D365_URL.`);
        const handled = handle(answer);
        if (!(handled instanceof ProcessingError)) return handled;
        if (answer.status >= 200 && answer.status < 300) throw handled;
        const classified = classifyD365Answer(answer, classifyOptions, personal);
        if (classified instanceof ProcessingError) throw classified;
        throw handled;
      },
      request.call,
    );

  /** A next link on D365's own host, as a path; anything else is not followed. */
  const samePath = (next: unknown): string | undefined => {
    if (typeof next !== 'string' || next === '') return undefined;
    try {
      const root = new URL(options.url);
      const url = new URL(next, `${root.origin}/data/`);
      return url.origin === root.origin ? `${url.pathname}${url.search}` : undefined;
    } catch {
      return undefined;
    }
  };

  const filterOf = (equalities: Record<string, string>): string => {
    try {
      return buildEqFilter(equalities);
    } catch (error) {
      if (error instanceof UnsafeODataValueError) throw permanent('business_error', error.message);
      throw error;
    }
  };

  return {
    async list(equalities, select, toRow, call) {
      const filter = encodeURIComponent(filterOf(equalities));
      let path: string | undefined =
        `/data/${entitySet}?cross-company=true&$filter=${filter}&$select=${select}`;
      const rows: NonNullable<ReturnType<typeof toRow>>[] = [];
      for (let page = 0; path !== undefined && page < MAX_PAGES; page += 1) {
        const read: { rows: typeof rows; next?: string } = await send(
          'GET',
          path,
          (answer) => {
            const body =
              answer.status === 200
                ? (tryParse(answer.body) as Record<string, unknown> | undefined)
                : undefined;
            if (!body || !Array.isArray(body.value))
              return transient(`D365 answered the ${what} list with ${answer.status} and no value list`);
            const mapped = (body.value as Record<string, unknown>[]).map(toRow);
            return {
              value: {
                rows: mapped.filter((row): row is NonNullable<typeof row> => row !== undefined),
                next: samePath(body['@odata.nextLink']),
              },
            };
          },
          [],
          { call },
        );
        rows.push(...read.rows);
        path = read.next;
      }
      return rows;
    },

    async add(body, personal, call) {
      await send(
        'POST',
        `/data/${entitySet}`,
        (answer) =>
          answer.status === 201 || answer.status === 204 || answer.status === 200
            ? { value: undefined }
            : transient(`D365 answered ${answer.status} to the ${what}`),
        personal.filter((value): value is string => value !== undefined && value !== ''),
        { body, call },
      );
    },
  };
}
