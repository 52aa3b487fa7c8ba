import { permanent, ProcessingError, transient } from '../../domain/failure';
import type { ContactIdentity } from '../../domain/contact-person';
import { CallOptions, D365ContactPersons, TokenSource } from '../../ports';
import { classifyD365Answer, D365Answer, odataClassifyOptions } from './d365-client';
import { buildEqFilter, UnsafeODataValueError } from './odata-filter';
import { sendToD365, withFreshTokenOn401 } from './d365-http';

/**
 * An organisation customer's contact persons through F&O's `CDSContactPersonsV2` entity
 * (docs/customer-contract.md, "The contact person"; what the emulator does with each request:
 * dev/d365-emulator/README.md, "Contact persons"). Its key, from F&O's `$metadata`: `dataAreaId`,
 * `ContactPersonPartyNumber`, `AssociatedContactType`, `AssociatedContactNumber`; the link to the
 * customer is `AssociatedContactType` `Customer` + `AssociatedContactNumber` (the customer account).
 *
 * - GET `?cross-company=true&$filter=dataAreaId eq '…' and AssociatedContactNumber eq '…'` with the
 *   names, e-mail and type selected: 200 with a `value` list → the customer's contacts (rows of
 *   another associated type, a vendor with the same number, are left out), following
 *   `@odata.nextLink` on D365's own host (at most `MAX_PAGES`).
 * - POST: 201 (or 204 with `Prefer: return=minimal`) → added. `ContactPersonPartyNumber` is not
 *   sent: the party number sequence gives it.
 * - Everything else as the create (d365-client.ts, classifyD365Answer): 401 → one retry with a fresh
 *   token, then `not_registered`; 429 → transient and `throttled`; an Infolog 400/500 → permanent
 *   `business_error`; 502/504, a 500 without an Infolog, timeouts → transient and `uncertain` (the
 *   contact may have been added: the caller lists the contacts again before it posts again).
 *
 * It takes no gate itself: the use-case runs each call in a `GateSlot`.
 */
export interface D365ContactPersonsOptions {
  url: string;
  timeoutMs: number;
}

const ENTITY_SET = 'CDSContactPersonsV2';
const SELECTED = 'FirstName,LastName,PrimaryEmailAddress,AssociatedContactType';
/** The associated type of a customer's contact (enum SmmContactPersonCdsAssociatedContactType). */
export const CUSTOMER_CONTACT_TYPE = 'Customer';
export const MAX_PAGES = 10;

const tryParse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

export function createD365ContactPersons(
  tokens: TokenSource,
  options: D365ContactPersonsOptions,
): D365ContactPersons {
  const classifyOptions = odataClassifyOptions(options.url, options.timeoutMs);

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
        const answer = await sendToD365(method, `${options.url}${path}`, token, {
          body: request.body,
          odata: true,
          timeoutMs: options.timeoutMs,
          call: request.call,
        });
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
    async listContactPersons(legalEntity, customerAccount, callOptions) {
      let filter: string;
      try {
        filter = buildEqFilter({
          dataAreaId: legalEntity.toLowerCase(),
          AssociatedContactNumber: customerAccount,
        });
      } catch (error) {
        if (error instanceof UnsafeODataValueError) throw permanent('business_error', error.message);
        throw error;
      }
      let path: string | undefined =
        `/data/${ENTITY_SET}?cross-company=true&$filter=${encodeURIComponent(filter)}&$select=${SELECTED}`;
      const contacts: ContactIdentity[] = [];
      for (let page = 0; path !== undefined && page < MAX_PAGES; page += 1) {
        const read: { rows: ContactIdentity[]; next?: string } = await call(
          'GET',
          path,
          (answer) => {
            const body =
              answer.status === 200
                ? (tryParse(answer.body) as Record<string, unknown> | undefined)
                : undefined;
            if (!body || !Array.isArray(body.value))
              return transient(
                `D365 answered the contact person list with ${answer.status} and no value list`,
              );
            const rows = (body.value as Record<string, unknown>[])
              .filter((row) => row.AssociatedContactType === CUSTOMER_CONTACT_TYPE)
              .map((row) => ({
                firstName: text(row.FirstName) ?? '',
                ...(text(row.LastName) !== undefined && { lastName: text(row.LastName) }),
                ...(text(row.PrimaryEmailAddress) !== undefined && { email: text(row.PrimaryEmailAddress) }),
              }));
            return { value: { rows, next: samePath(body['@odata.nextLink']) } };
          },
          [],
          { call: callOptions },
        );
        contacts.push(...read.rows);
        path = read.next;
      }
      return contacts;
    },

    async addContactPerson(legalEntity, customerAccount, contact, callOptions) {
      const body = {
        dataAreaId: legalEntity.toLowerCase(),
        AssociatedContactType: CUSTOMER_CONTACT_TYPE,
        AssociatedContactNumber: customerAccount,
        FirstName: contact.firstName,
        ...(contact.middleName !== undefined && { MiddleName: contact.middleName }),
        ...(contact.lastName !== undefined && { LastName: contact.lastName }),
        ...(contact.email !== undefined && { PrimaryEmailAddress: contact.email }),
        ...(contact.phone !== undefined && { PrimaryPhoneNumber: contact.phone }),
      };
      const personal = [
        contact.firstName,
        contact.middleName,
        contact.lastName,
        contact.email,
        contact.phone,
      ].filter((value): value is string => value !== undefined && value !== '');
      await call(
        'POST',
        `/data/${ENTITY_SET}`,
        (answer) =>
          answer.status === 201 || answer.status === 204 || answer.status === 200
            ? { value: undefined }
            : transient(`D365 answered ${answer.status} to the contact person`),
        personal,
        { body, call: callOptions },
      );
    },
  };
}
