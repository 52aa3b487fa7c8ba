import { hasLoneSurrogate } from '../../domain/json-body';

/**
 * Safe OData `$filter` building for F&O. The only way this app puts a caller's value into a query.
 *
 * F&O's rules (see docs/customer-contract.md for the sources):
 * - A string literal is wrapped in single quotes and a quote inside it is doubled (`O'Neil` becomes
 *   `'O''Neil'`); a backslash is not an escape character.
 * - F&O implements `contains` by treating `*` inside an `eq` value as a wildcard (documented), so
 *   `eq '*'` matches every row, and there is no escape for it. That is X++ query-range syntax showing
 *   through, where `?` is a one-character wildcard, `..`, `!`, `<`, `>` and `,` are range operators and
 *   an empty range means "no restriction". Microsoft does not document whether those reach OData too,
 *   so as a precaution values holding any of them, a double quote, backslash, parenthesis, control
 *   character or unpaired surrogate, or nothing but spaces, are refused with `UnsafeODataValueError`
 *   rather than escaped: a lookup that cannot be expressed exactly must not run at all. Every email
 *   address the customer contract accepts passes.
 * - After quoting, the whole filter is percent-encoded with `encodeURIComponent` (`+` becomes `%2B`,
 *   which a query string would otherwise turn into a space).
 */

/** Thrown when a value cannot be used in an F&O filter. Its message names the rule, never the value. */
export class UnsafeODataValueError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`Cannot filter ${field} by this value: ${reason}.`);
    this.name = 'UnsafeODataValueError';
  }
}

const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/** The characters and sequences refused in filter values, with the reason given. */
const REFUSED: readonly { pattern: RegExp; reason: string }[] = [
  { pattern: /\*/, reason: 'it contains "*", which F&O treats as a wildcard' },
  { pattern: /\?/, reason: 'it contains "?", which F&O query ranges treat as a wildcard' },
  { pattern: /\.\./, reason: 'it contains "..", which F&O query ranges treat as a range' },
  {
    pattern: /[!<>,]/,
    reason: 'it contains "!", "<", ">" or ",", which F&O query ranges treat as operators',
  },
  { pattern: /["\\()]/, reason: 'it contains a double quote, backslash or parenthesis' },
  { pattern: CONTROL, reason: 'it contains a control character' },
];

/** Why `value` cannot be used in an F&O `eq` filter, or `undefined` when it can. */
export function unsafeODataValueReason(value: string): string | undefined {
  if (typeof value !== 'string') return 'it is not a string';
  if (value.trim() === '') return 'it is empty, and F&O treats an empty value as no restriction';
  if (hasLoneSurrogate(value)) return 'it contains an unpaired UTF-16 surrogate';
  return REFUSED.find(({ pattern }) => pattern.test(value))?.reason;
}

/** True when `value` can be used in an F&O `eq` filter. */
export function isSafeODataValue(value: string): boolean {
  return unsafeODataValueReason(value) === undefined;
}

/** An OData string literal: `O'Neil` becomes `'O''Neil'`. Quoting only; see `buildEqFilter` for the checks. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * `Name eq 'value'` clauses joined by ` and `, in the order given. Property names must be plain
 * identifiers; values must pass `isSafeODataValue` (else `UnsafeODataValueError`). Not encoded: pass
 * the result through `encodeURIComponent` when it goes into a URL.
 */
export function buildEqFilter(clauses: Readonly<Record<string, string>>): string {
  const entries = Object.entries(clauses);
  if (entries.length === 0) throw new RangeError('buildEqFilter needs at least one clause');
  return entries
    .map(([name, value]) => {
      if (!PROPERTY_NAME.test(name))
        throw new RangeError('buildEqFilter: property names must be identifiers');
      const reason = unsafeODataValueReason(value);
      if (reason !== undefined) throw new UnsafeODataValueError(name, reason);
      return `${name} eq ${odataString(value)}`;
    })
    .join(' and ');
}

/** How many matching accounts a lookup reads (and the status answer lists) at most. */
export const CUSTOMER_LOOKUP_TOP = 10;

/** The `$select` of a customer lookup. */
export const CUSTOMER_LOOKUP_SELECT = 'dataAreaId,CustomerAccount,PrimaryContactEmail,PartyType';

/**
 * The query string (without `?`) that looks a customer up by email in one legal entity through
 * CustomersV3:
 * `cross-company=true&$filter=dataAreaId%20eq%20'usrt'%20and%20PrimaryContactEmail%20eq%20'...'&$select=dataAreaId,CustomerAccount,PrimaryContactEmail,PartyType&$top=10`.
 * `$top=10` tells "none", "one" and "several" apart and names the accounts an operator has to merge. F&O compares strings without regard
 * to case, so the email matches whatever case it was stored in. Throws `UnsafeODataValueError` when the
 * email cannot be looked up exactly, and a RangeError for a malformed legal entity.
 */
export function buildCustomerLookupQuery(legalEntity: string, email: string): string {
  return lookupQuery(legalEntity, { PrimaryContactEmail: email });
}

/**
 * The query string of a lookup by name and phone (the recovery lookup, shared/domain/recovery-match.ts,
 * and the duplicate policy for a customer without an e-mail, shared/domain/customer-match.ts):
 * `dataAreaId`, `PersonFirstName` and `PersonLastName` (each only when given: F&O treats an empty
 * value as no restriction, so an absent name is not filtered on; the re-check compares it) and
 * `PrimaryContactPhone`, all `eq`; `$select` adds the names and the phone, which every returned row
 * is re-checked against; `$top` as the e-mail lookup. Throws `UnsafeODataValueError` naming the
 * field when a value cannot be looked up exactly (e.g. a name with a comma).
 */
export function buildNameAndPhoneLookupQuery(
  legalEntity: string,
  person: { firstName?: string; lastName?: string; phone: string },
): string {
  const clauses = {
    ...(person.firstName !== undefined && { PersonFirstName: person.firstName }),
    ...(person.lastName !== undefined && { PersonLastName: person.lastName }),
    PrimaryContactPhone: person.phone,
  };
  return lookupQuery(legalEntity, clauses, NAME_AND_PHONE_LOOKUP_SELECT);
}

/**
 * The query string of an organisation lookup (issue 32, shared/domain/customer-match.ts): by
 * `TaxExemptNumber` (the VAT number, CustTable.VATNum), or by `OrganizationName` and
 * `AddressCountryRegionId`; every returned row is re-checked (party type, tax number, name, country).
 */
export function buildOrganizationLookupQuery(
  legalEntity: string,
  key: { taxNumber: string } | { name: string; country: string },
): string {
  const clauses: Record<string, string> =
    'taxNumber' in key
      ? { TaxExemptNumber: key.taxNumber }
      : { OrganizationName: key.name, AddressCountryRegionId: key.country };
  return lookupQuery(legalEntity, clauses, ORGANIZATION_LOOKUP_SELECT);
}

/** The `$select` of an organisation lookup: what its re-check reads. */
export const ORGANIZATION_LOOKUP_SELECT =
  'dataAreaId,CustomerAccount,PartyType,OrganizationName,TaxExemptNumber,AddressCountryRegionId';

/** The `$select` of a name-and-phone lookup: what the exact re-check reads (shared/domain/customer-match.ts). */
export const NAME_AND_PHONE_LOOKUP_SELECT =
  'dataAreaId,CustomerAccount,PrimaryContactEmail,PartyType,PersonFirstName,PersonLastName,PrimaryContactPhone';

function lookupQuery(
  legalEntity: string,
  clauses: Record<string, string>,
  select: string = CUSTOMER_LOOKUP_SELECT,
): string {
  if (typeof legalEntity !== 'string' || !/^[A-Za-z0-9]{1,4}$/.test(legalEntity)) {
    throw new RangeError('legalEntity must be 1 to 4 letters or digits');
  }
  const filter = buildEqFilter({ dataAreaId: legalEntity.toLowerCase(), ...clauses });
  return `cross-company=true&$filter=${encodeURIComponent(filter)}&$select=${select}&$top=${CUSTOMER_LOOKUP_TOP}`;
}

/**
 * IIS's default `requestLimits maxQueryString` is 2,048 bytes and ASP.NET's `maxQueryStringLength`
 * 2,048 characters (Microsoft Learn: "requestLimits Element for requestFiltering", and
 * `HttpRuntimeSection.MaxQueryStringLength`); F&O's AOS runs behind both and Microsoft does not
 * document raising them, so a batched lookup keeps its query string (after `?`) within this.
 */
export const MAX_LOOKUP_QUERY_LENGTH = 2_048;

/**
 * The query string (without `?`) that looks several e-mails up in one CustomersV3 request:
 * `dataAreaId eq 'usrt' and (PrimaryContactEmail eq 'a' or PrimaryContactEmail eq 'b' …)`,
 * cross-company, `$top` = `CUSTOMER_LOOKUP_TOP` per e-mail. Every value goes through the same checks
 * and quoting as `buildCustomerLookupQuery` (`UnsafeODataValueError` for any e-mail that fails them).
 * The caller must attribute the rows to its e-mails itself (F&O matches without regard to case) and
 * treat a full page as possibly incomplete.
 */
export function buildCustomerBatchLookupQuery(legalEntity: string, emails: readonly string[]): string {
  if (typeof legalEntity !== 'string' || !/^[A-Za-z0-9]{1,4}$/.test(legalEntity)) {
    throw new RangeError('legalEntity must be 1 to 4 letters or digits');
  }
  if (emails.length === 0) throw new RangeError('buildCustomerBatchLookupQuery needs at least one e-mail');
  const entity = buildEqFilter({ dataAreaId: legalEntity.toLowerCase() });
  const any = emails.map((email) => buildEqFilter({ PrimaryContactEmail: email })).join(' or ');
  const filter = emails.length === 1 ? `${entity} and ${any}` : `${entity} and (${any})`;
  return `cross-company=true&$filter=${encodeURIComponent(filter)}&$select=${CUSTOMER_LOOKUP_SELECT}&$top=${CUSTOMER_LOOKUP_TOP * emails.length}`;
}
