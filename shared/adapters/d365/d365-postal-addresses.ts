import { permanent, ProcessingError, transient } from '../../domain/failure';
import type { AddressPlace } from '../../domain/further-addresses';
import { CallOptions, D365PostalAddresses, TokenSource } from '../../ports';
import { classifyD365Answer, D365Answer, odataClassifyOptions } from './d365-client';
import { buildEqFilter, UnsafeODataValueError } from './odata-filter';
import { sendToD365, withFreshTokenOn401 } from './d365-http';

/**
 * A customer's postal addresses through F&O's standard `CustomerPostalAddresses` entity (CDM
 * `CustomerPostalAddressEntity`; what F&O does with each request: dev/d365-emulator/README.md,
 * "Customer postal addresses"). How this adapter reads the answers:
 *
 * - GET `?cross-company=true&$filter=CustomerLegalEntityId eq '…' and CustomerAccountNumber eq '…'`
 *   with the place fields selected: 200 with a `value` list → the places, following `@odata.nextLink`
 *   on D365's own host (at most `MAX_PAGES`).
 * - POST: 201 (or 204 with `Prefer: return=minimal`) → added.
 * - Everything else as the create (d365-client.ts, classifyD365Answer): 401 → one retry with a fresh
 *   token, then `not_registered`; 429 → transient and `throttled`; an Infolog 400/500 → permanent
 *   `business_error` (an unknown state, ZIP or customer), rolled-back deadlocks → transient; 502/504,
 *   a 500 without an Infolog, timeouts → transient and `uncertain` (the address may have been added:
 *   the caller lists the addresses again before it posts again).
 *
 * Like the create client it takes no gate itself: the use-case runs each call in a `GateSlot`.
 */
export interface D365PostalAddressesOptions {
  url: string;
  timeoutMs: number;
}

const ENTITY_SET = 'CustomerPostalAddresses';
const PLACE_FIELDS = 'AddressStreet,AddressCity,AddressState,AddressZipCode,AddressCountryRegionId';
export const MAX_PAGES = 10;

const tryParse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function createD365PostalAddresses(
  tokens: TokenSource,
  options: D365PostalAddressesOptions,
): D365PostalAddresses {
  const classifyOptions = odataClassifyOptions(options.url, options.timeoutMs);

  const send = (
    method: 'GET' | 'POST',
    path: string,
    token: string,
    body: unknown,
    call: CallOptions | undefined,
  ): Promise<D365Answer> =>
    sendToD365(method, `${options.url}${path}`, token, {
      body,
      odata: true,
      timeoutMs: options.timeoutMs,
      call,
    });

  /** Sends with a cached token, and once more with a fresh one if D365 answers 401. */
  const call = <T>(
    method: 'GET' | 'POST',
    path: string,
    handle: (answer: D365Answer) => { value: T } | ProcessingError,
    personal: string[],
    request: { body?: unknown; call?: CallOptions },
  ): Promise<T> =>
    withFreshTokenOn401(
      tokens,
      async (token) => {
        const answer = await send(method, path, token, request.body, request.call);
        if (answer.status === 401) return 'unauthorized';
        if (answer.status === 404)
          throw permanent('configuration', `D365 answered 404 for ${ENTITY_SET}: check D365_URL.`);
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

  return {
    async listPostalAddresses(legalEntity, customerAccount, callOptions) {
      let filter: string;
      try {
        filter = buildEqFilter({
          CustomerLegalEntityId: legalEntity.toLowerCase(),
          CustomerAccountNumber: customerAccount,
        });
      } catch (error) {
        if (error instanceof UnsafeODataValueError) throw permanent('business_error', error.message);
        throw error;
      }
      let path: string | undefined =
        `/data/${ENTITY_SET}?cross-company=true&$filter=${encodeURIComponent(filter)}&$select=${PLACE_FIELDS}`;
      const places: AddressPlace[] = [];
      for (let page = 0; path !== undefined && page < MAX_PAGES; page += 1) {
        const read: { rows: AddressPlace[]; next?: string } = await call(
          'GET',
          path,
          (answer) => {
            const body =
              answer.status === 200
                ? (tryParse(answer.body) as Record<string, unknown> | undefined)
                : undefined;
            if (!body || !Array.isArray(body.value))
              return transient(
                `D365 answered the postal address list with ${answer.status} and no value list`,
              );
            const rows = (body.value as Record<string, unknown>[]).map((row) => ({
              street: text(row.AddressStreet),
              city: text(row.AddressCity),
              state: text(row.AddressState),
              zipCode: text(row.AddressZipCode),
              countryRegionId: text(row.AddressCountryRegionId),
            }));
            return { value: { rows, next: samePath(body['@odata.nextLink']) } };
          },
          [],
          { call: callOptions },
        );
        places.push(...read.rows);
        path = read.next;
      }
      return places;
    },

    async addPostalAddress(legalEntity, customerAccount, address, callOptions) {
      const le = legalEntity.toLowerCase();
      const body = {
        dataAreaId: le,
        CustomerLegalEntityId: le,
        CustomerAccountNumber: customerAccount,
        ...(address.description !== undefined && { AddressDescription: address.description }),
        ...(address.street !== undefined && { AddressStreet: address.street }),
        ...(address.city !== undefined && { AddressCity: address.city }),
        ...(address.state !== undefined && { AddressState: address.state }),
        ...(address.zipCode !== undefined && { AddressZipCode: address.zipCode }),
        ...(address.countryRegionId !== undefined && { AddressCountryRegionId: address.countryRegionId }),
        AddressLocationRoles: address.role,
        IsPrimary: 'No',
      };
      const personal = [address.description, address.street, address.city, address.zipCode].filter(
        (value): value is string => value !== undefined && value !== '',
      );
      await call(
        'POST',
        `/data/${ENTITY_SET}`,
        (answer) =>
          answer.status === 201 || answer.status === 204 || answer.status === 200
            ? { value: undefined }
            : transient(`D365 answered ${answer.status} to the postal address`),
        personal,
        { body, call: callOptions },
      );
    },
  };
}
