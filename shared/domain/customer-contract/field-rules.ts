import { domainToASCII } from 'node:url';
import { ALPHA2_TO_ALPHA3, isCountryAlpha3, isCurrencyCode } from '../reference-data';
import { CORE, exactly } from './field-patterns';
import { EARLIEST_DATE_OF_BIRTH, FIELD_LIMITS } from './limits';
import { toE164 } from '../phone-number';

// Field rules. Messages name the field and the rule, never the value.

export type Check<T> = { value: T } | { error: string };

// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
/**
 * Letters, marks and digits of any script, punctuation and spaces; also the zero-width (non-)joiners
 * U+200C and U+200D that Persian and Indic names need, which `disallowedCharacter` lets through.
 */
export const NAME_DISALLOWED = /[^\p{L}\p{M}\p{N}\p{P}\p{Zs}]/u;
/** As names, plus the symbols addresses use: `+`, `°`, `№`. */
export const ADDRESS_DISALLOWED = /[^\p{L}\p{M}\p{N}\p{P}\p{Zs}+°№]/u;
export const STATE_DISALLOWED = /[^\p{L}\p{M}\p{N}\p{Zs}.-]/u;

export const JOINERS = /\u200C|\u200D/g;

/** Raw input longer than this many times a field's limit is refused before normalisation costs anything. */
export const RAW_LENGTH_FACTOR = 4;

export function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

export function disallowedCharacter(
  name: string,
  text: string,
  disallowed: RegExp,
  allowed: string,
): string | undefined {
  const match = disallowed.exec(text.replace(JOINERS, ''));
  return match
    ? `${name} contains a character that is not allowed (${codePoint(match[0])}); ${allowed}.`
    : undefined;
}

export function freeText(name: string, max: number, disallowed: RegExp, allowed: string) {
  return (text: string): Check<string> => {
    if (text.length > max) {
      return {
        error: `${name} must be at most ${max} characters long (the size of the D365 field); it has ${text.length}.`,
      };
    }
    const bad = disallowedCharacter(name, text, disallowed, allowed);
    return bad ? { error: bad } : { value: text };
  };
}

export const nameText = (name: string, max: number) =>
  freeText(name, max, NAME_DISALLOWED, 'use letters, marks, digits, punctuation and spaces of any script');
export const addressText = (name: string, max: number) =>
  freeText(
    name,
    max,
    ADDRESS_DISALLOWED,
    'use letters, marks, digits, punctuation and spaces of any script (no emoji or other symbols)',
  );

const LEGAL_ENTITY = exactly(CORE.LegalEntity);
const CUSTOMER_GROUP = exactly(CORE.CustomerGroup);
const POSTAL_CODE = exactly(CORE.PostalCode);
/** Codes are ASCII: checked before case mapping, which turns some other letters into ASCII (`ı` into `I`). */
const ASCII = /^[^\u0080-\uFFFF]*$/;

export function legalEntity(text: string): Check<string> {
  return LEGAL_ENTITY.test(text)
    ? { value: text.toUpperCase() }
    : {
        error:
          'LegalEntity must be the D365 legal entity (company) ID: 1 to 4 letters or digits, such as USRT.',
      };
}

export function customerGroup(text: string): Check<string> {
  return CUSTOMER_GROUP.test(text)
    ? { value: text }
    : {
        error:
          'CustomerGroup must be a D365 customer group ID: 1 to 10 letters, digits, spaces, "-", "_" or "." (for example 30).',
      };
}

/**
 * A phone number (issue 32): digits, an optional international prefix (`+`, or `00` read as `+`) and
 * the separators people write, which are dropped. An international number is read and checked here
 * (`toE164`, libphonenumber): its E.164 form. A national one (no prefix) is read in the address
 * country, with the whole customer in view (schema.ts): until then it is its digits.
 */
export function contactNumber(text: string): Check<string> {
  const compact = text.replace(/[\s.()/-]/gu, '');
  if (!/^\+?[0-9]{3,19}$/.test(compact)) {
    return {
      error:
        'ContactNumber must be a phone number: digits, an optional leading "+" with the country code, and spaces, dashes, dots, slashes or parentheses, such as +14255550100 or (425) 555-0100 (read in the address country).',
    };
  }
  return isNationalNumber(compact) ? { value: compact } : toE164(compact);
}

/** A number without an international prefix (read in the address country). */
export const isNationalNumber = (compact: string): boolean =>
  !compact.startsWith('+') && !compact.startsWith('00');

/**
 * A tax or VAT registration number (issue 32): letters and digits, with the spaces, dots, dashes and
 * slashes people write dropped, upper case (`de 123.456.789` is `DE123456789`); at most 20 (F&O's VATNum).
 */
export function taxNumber(text: string): Check<string> {
  const compact = text.replace(/[\s./-]/gu, '').toUpperCase();
  return /^[A-Z0-9]{2,20}$/.test(compact)
    ? { value: compact }
    : {
        error:
          'TaxNumber must be a tax or VAT registration number: 2 to 20 letters and digits (spaces, dots, dashes and slashes are dropped), such as DE123456789.',
      };
}

export function currencyCode(text: string): Check<string> {
  const code = text.toUpperCase();
  if (!/^[A-Za-z]{3}$/.test(text)) {
    return { error: 'CurrencyCode must be a 3-letter ISO 4217 currency code such as USD.' };
  }
  return isCurrencyCode(code)
    ? { value: code }
    : {
        error:
          'CurrencyCode must be an ISO 4217 code of a currency in use, such as USD, EUR or GBP; this code is not one.',
      };
}

export const EMAIL_LOCAL = /^[A-Za-z0-9_'+-]+(?:\.[A-Za-z0-9_'+-]+)*$/;
export const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const TOP_LEVEL_DOMAIN = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
export const EMAIL_HELP = 'EmailAddress must be a valid email address such as name@example.com';

export function emailAddress(text: string): Check<string> {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return { error: `${EMAIL_HELP}.` };
  const local = text.slice(0, at);
  if (!EMAIL_LOCAL.test(local)) {
    return {
      error: `${EMAIL_HELP}; the part before the @ may hold ASCII letters, digits, ".", "_", "-", "+" and "'".`,
    };
  }
  if (local.length > 64)
    return { error: `${EMAIL_HELP}; the part before the @ may be at most 64 characters long.` };
  // Internationalised domains are stored in their ASCII (xn--) form; domainToASCII also lower-cases.
  // Its URL host parser would also decode `%41` and the like, which no address holds: refused first.
  const given = text.slice(at + 1);
  const domain = /[^A-Za-z0-9.\-\u0080-\uFFFF]/.test(given) ? '' : domainToASCII(given);
  const labels = domain.split('.');
  const tld = labels[labels.length - 1] ?? '';
  if (
    domain === '' ||
    labels.length < 2 ||
    !labels.every((label) => DOMAIN_LABEL.test(label)) ||
    !TOP_LEVEL_DOMAIN.test(tld)
  ) {
    return { error: `${EMAIL_HELP}; the part after the @ is not a valid domain name.` };
  }
  const email = `${local}@${domain}`;
  if (email.length > FIELD_LIMITS.EmailAddress) {
    return { error: `EmailAddress must be at most ${FIELD_LIMITS.EmailAddress} characters long.` };
  }
  return { value: email };
}

export const DATE_HELP = 'DateOfBirth must be a real date in the past, as MM/DD/YYYY or YYYY-MM-DD';

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function dateOfBirth(now: () => Date) {
  return (text: string): Check<string> => {
    const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
    const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    const [year, month, day] = us
      ? [Number(us[3]), Number(us[1]), Number(us[2])]
      : iso
        ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
        : [NaN, NaN, NaN];
    if (!(month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month))) {
      return { error: `${DATE_HELP}.` };
    }
    const isoText = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
    const today = now().toISOString().slice(0, 10);
    if (isoText > today) return { error: `${DATE_HELP}; it is in the future.` };
    if (isoText < EARLIEST_DATE_OF_BIRTH) return { error: `${DATE_HELP}; it must not be before 01/01/1900.` };
    return { value: `${pad(month, 2)}/${pad(day, 2)}/${pad(year, 4)}` };
  };
}

/** Converts a normalised `MM/DD/YYYY` date of birth to ISO `YYYY-MM-DD`. */
export function dateOfBirthToIso(mmddyyyy: string): string {
  const match = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(mmddyyyy);
  if (!match) throw new RangeError('expected a normalised date of birth (MM/DD/YYYY)');
  return `${match[3]}-${match[1]}-${match[2]}`;
}

export function oneOf<T extends string>(name: string, values: readonly T[]) {
  const byLowerCase = new Map(values.map((value) => [value.toLowerCase(), value]));
  return (text: string): Check<T> => {
    const value = ASCII.test(text) ? byLowerCase.get(text.toLowerCase()) : undefined;
    return value ? { value } : { error: `${name} must be one of ${values.join(', ')}.` };
  };
}

export function postalCode(text: string): Check<string> {
  const code = text.toUpperCase();
  if (!POSTAL_CODE.test(text)) {
    return {
      error: `PostalCode must be at most ${FIELD_LIMITS.PostalCode} letters, digits, spaces or hyphens (the size of the D365 ZIP/postal code field).`,
    };
  }
  return { value: code };
}

export function countryCode(text: string): Check<string> {
  const code = text.toUpperCase();
  const help = 'CountryCode must be an ISO 3166-1 alpha-3 code such as USA';
  if (/^[A-Za-z]{3}$/.test(text)) {
    return isCountryAlpha3(code) ? { value: code } : { error: `${help}; this code is not assigned.` };
  }
  if (/^[A-Za-z]{2}$/.test(text)) {
    const alpha3 = ALPHA2_TO_ALPHA3.get(code);
    return { error: `${help}; got a 2-letter code${alpha3 ? ` (use ${alpha3} for ${code})` : ''}.` };
  }
  if (/^\d{3}$/.test(code)) return { error: `${help}; got a numeric code.` };
  return { error: `${help}.` };
}
