import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { ALPHA2_TO_ALPHA3 } from './reference-data';

/**
 * Phone numbers as an identity (issue 32): read with `libphonenumber-js` (the JavaScript port of
 * Google's libphonenumber, its full "max" metadata: validity by each country's number plan, not only
 * by length), written as E.164 (`+` country code and national number, digits only). A number
 * without an international prefix is read as a national number of `country`, the customer's own
 * address country; without one it cannot be read. Numbers no plan assigns are refused, never guessed.
 * Messages name the field and the rule, never the value.
 */

export type PhoneCheck = { value: string } | { error: string };

const ALPHA3_TO_ALPHA2: ReadonlyMap<string, string> = new Map(
  [...ALPHA2_TO_ALPHA3].map(([alpha2, alpha3]) => [alpha3, alpha2]),
);

/** Separators people write in numbers: white space, dots, dashes, slashes and parentheses. */
const SEPARATORS = /[\s.()/-]/gu;

/**
 * `text` as E.164, read as a national number of `countryAlpha3` (ISO 3166-1 alpha-3, e.g. `USA`)
 * when it has no international prefix (`+`, or `00`, read as `+`).
 */
export function toE164(text: string, countryAlpha3?: string): PhoneCheck {
  const compact = text.replace(SEPARATORS, '');
  if (!/^\+?[0-9]{3,19}$/.test(compact)) {
    return {
      error: `${NAME} must hold digits, an optional leading "+" and the separators space, ".", "-", "/" and parentheses only.`,
    };
  }
  const international = compact.startsWith('+') || compact.startsWith('00');
  const country = countryAlpha3 === undefined ? undefined : ALPHA3_TO_ALPHA2.get(countryAlpha3);
  if (!international && country === undefined) {
    return {
      error: `${NAME} without an international prefix ("+" and the country code) is read in the country of the customer's address; this customer has no address with a CountryCode. Send it as +<country code><number>, such as +14255550100.`,
    };
  }
  const number = international
    ? parsePhoneNumberFromString(compact.startsWith('00') ? `+${compact.slice(2)}` : compact)
    : parsePhoneNumberFromString(compact, country as CountryCode);
  if (number === undefined || !number.isValid()) {
    return {
      error: `${NAME} is not a valid phone number${international ? '' : ` of the address country (${countryAlpha3})`} by the country's numbering plan (libphonenumber); send it as +<country code><number>, such as +14255550100.`,
    };
  }
  return { value: number.number };
}

const NAME = 'ContactNumber';

/** Whether `text` is already a valid E.164 number exactly as written (what the contract stores). */
export function isE164(text: string): boolean {
  if (!/^\+[1-9][0-9]{6,14}$/.test(text)) return false;
  const checked = toE164(text);
  return 'value' in checked && checked.value === text;
}

/**
 * A phone as D365 may hold it (typed by hand, formatted, national): its E.164 form when it reads as
 * exactly one valid number (in `countryAlpha3` when it has no prefix), else undefined. A lookup's
 * re-check compares these, so `+1 425 555 0100` in D365 is the same number as `+14255550100`, while
 * a number that is merely similar (microsoft/BCApps#10256) is not.
 */
export function storedPhoneAsE164(text: unknown, countryAlpha3?: string): string | undefined {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  const checked = toE164(text.trim(), countryAlpha3);
  return 'value' in checked ? checked.value : undefined;
}
