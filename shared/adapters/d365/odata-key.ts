import { hasLoneSurrogate } from '../../domain/json-body';
import { odataString } from './odata-filter';

/**
 * Safe OData key paths for F&O: the only way this app puts a customer account into a URL path.
 *
 * `CustomersV3(dataAreaId='usrt',CustomerAccount='US-000001')`:
 * - every field of the entity key is given (Microsoft Learn, "Open Data Protocol (OData)": "all fields
 *   in the entity key must be provided"); string key literals are single-quoted with a quote inside
 *   doubled (OData v4.0 Part 2, URL conventions §4.3 and ABNF `SQUOTE-in-string`), the same quoting as
 *   the `$filter` literals in odata-filter.ts;
 * - each literal is then percent-encoded with `encodeURIComponent` (a space becomes `%20`; the quotes
 *   stay as they are, which the ABNF allows);
 * - values the AOS's web stack would refuse or misread after decoding the path are refused here with
 *   `UnsafeODataKeyError` rather than sent: ASP.NET's default `requestPathInvalidCharacters`
 *   (`< > * % & : \ ?`, a 400 "potentially dangerous Request.Path value"), `/` (a path separator once
 *   decoded), `+` (IIS request filtering refuses it with allowDoubleEscaping off), `#`, control
 *   characters, unpaired surrogates and blank values. F&O's own number sequences (`US-000001`) pass.
 */

/** Thrown when a value cannot be put into a key path. Its message names the rule, never the value. */
export class UnsafeODataKeyError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`Cannot address ${field} by this value: ${reason}.`);
    this.name = 'UnsafeODataKeyError';
  }
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

const REFUSED: readonly { pattern: RegExp; reason: string }[] = [
  { pattern: /[<>*%&:\\?]/, reason: 'it contains a character ASP.NET refuses in a request path' },
  { pattern: /\//, reason: 'it contains "/", a path separator once the URL is decoded' },
  { pattern: /\+/, reason: 'it contains "+", which IIS request filtering refuses in a path' },
  { pattern: /#/, reason: 'it contains "#"' },
  { pattern: CONTROL, reason: 'it contains a control character' },
];

/** Why `value` cannot be a key literal, or undefined when it can. */
export function unsafeODataKeyReason(value: string): string | undefined {
  if (typeof value !== 'string') return 'it is not a string';
  if (value.trim() === '') return 'it is empty';
  if (hasLoneSurrogate(value)) return 'it contains an unpaired UTF-16 surrogate';
  return REFUSED.find(({ pattern }) => pattern.test(value))?.reason;
}

/** One key literal, quoted and percent-encoded. */
function keyLiteral(field: string, value: string): string {
  const reason = unsafeODataKeyReason(value);
  if (reason !== undefined) throw new UnsafeODataKeyError(field, reason);
  return encodeURIComponent(odataString(value));
}

/**
 * The path (after `/data/`) of one customer:
 * `CustomersV3(dataAreaId='usrt',CustomerAccount='US-000001')`. The legal entity must be 1 to 4
 * letters or digits (RangeError otherwise) and is written in lower case, as F&O returns dataAreaId
 * (keys compare without regard to case). Throws `UnsafeODataKeyError` for an account that cannot be
 * addressed exactly.
 */
export function customerKeyPath(legalEntity: string, customerAccount: string): string {
  if (typeof legalEntity !== 'string' || !/^[A-Za-z0-9]{1,4}$/.test(legalEntity)) {
    throw new RangeError('legalEntity must be 1 to 4 letters or digits');
  }
  return `CustomersV3(dataAreaId=${keyLiteral('dataAreaId', legalEntity.toLowerCase())},CustomerAccount=${keyLiteral('CustomerAccount', customerAccount)})`;
}
