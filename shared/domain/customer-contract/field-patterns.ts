import { COUNTRY_ALPHA3_CODES, CURRENCY_CODES } from '../reference-data';
import { FIELD_LIMITS } from './limits';
import { GENDERS } from './types';

/**
 * The field rules as regular expressions (ECMA-262 with the `u` flag, the dialect of JSON Schema's
 * `pattern`): the rules in `field-rules.ts` test these very patterns, and the OpenAPI document's
 * request schema carries them (`fieldJsonSchema`), so a client, a form builder or a validating proxy
 * refuses what the app refuses, from one source.
 *
 * Each `CORE` matches a value as the rule sees it: trimmed (`String.prototype.trim`, whose white
 * space is exactly ECMAScript's `\s`) and NFC-normalised. `fieldPattern` adds the surrounding white
 * space the app trims, so the schema accepts every body the app accepts (test/api checks it with
 * generated values); what a pattern cannot say is in `FIELD_NOTES`.
 */

/** `[Uu][Ss][Aa]`-style alternation of `values` in any case, sharing common prefixes. */
export function anyCase(values: readonly string[]): string {
  const letter = (c: string): string =>
    c.toLowerCase() === c.toUpperCase()
      ? c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
      : `[${c.toUpperCase()}${c.toLowerCase()}]`;
  const build = (words: string[]): string => {
    const groups = new Map<string, string[]>();
    let empty = false;
    for (const word of words) {
      if (word === '') empty = true;
      else groups.set(word[0]!.toUpperCase(), [...(groups.get(word[0]!.toUpperCase()) ?? []), word.slice(1)]);
    }
    const branches = [...groups.entries()].map(([first, rests]) => {
      const rest = build(rests);
      return `${letter(first)}${rest}`;
    });
    if (branches.length === 0) return '';
    const alternation = branches.length === 1 ? branches[0]! : `(?:${branches.join('|')})`;
    return empty ? `(?:${alternation})?` : alternation;
  };
  return build([...new Set(values)].sort());
}

/** Free text of at most `max` characters (after trimming) from `characters` and inner spaces (`\p{Zs}`). */
function freeTextCore(characters: string, max: number): string {
  const one = `[${characters}]`;
  return `${one}(?:[${characters}\\p{Zs}]{0,${max - 2}}${one})?`;
}

/** Letters, marks, digits and punctuation of any script, and the joiners U+200C and U+200D. */
const NAME_CHARACTERS = '\\p{L}\\p{M}\\p{N}\\p{P}\\u200C\\u200D';
/** As names, plus the symbols addresses use. */
const ADDRESS_CHARACTERS = `${NAME_CHARACTERS}+°№`;
const STATE_CHARACTERS = '\\p{L}\\p{M}\\p{N}.\\-\\u200C\\u200D';

const EMAIL_LOCAL = "[A-Za-z0-9_'+-]+(?:\\.[A-Za-z0-9_'+-]+)*";
const DOMAIN_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const TOP_LEVEL_DOMAIN = '(?:[A-Za-z]{2,63}|[Xx][Nn]--[A-Za-z0-9-]{1,59})';
/** A domain with a non-ASCII character: checked after conversion to its ASCII (xn--) form, which no pattern can do. */
const INTERNATIONAL_DOMAIN = '(?=[^@]*[^\\x00-\\x7F])(?:[A-Za-z0-9.-]|[^\\x00-\\x7F\\s])+';
/** Phone separators the app drops: spaces, dots, dashes, slashes, parentheses. */
const PHONE_SEPARATOR = '[\\p{Zs}\\u2028\\u2029\\uFEFF.()/\\-]';
const MONTH = '(?:0?[1-9]|1[0-2])';
const DAY = '(?:0?[1-9]|[12][0-9]|3[01])';
const YEAR = '(?:19[0-9]{2}|2[0-9]{3})';

export const CORE = {
  LegalEntity: '[A-Za-z0-9]{1,4}',
  Name: (max: number) => freeTextCore(NAME_CHARACTERS, max),
  Address: (max: number) => freeTextCore(ADDRESS_CHARACTERS, max),
  State: freeTextCore(STATE_CHARACTERS, FIELD_LIMITS.State),
  ContactNumber: `${PHONE_SEPARATOR}*\\+?${PHONE_SEPARATOR}*[0-9](?:${PHONE_SEPARATOR}*[0-9]){2,18}${PHONE_SEPARATOR}*`,
  TaxNumber: `[\\p{Zs}./-]*[A-Za-z0-9](?:[\\p{Zs}./-]*[A-Za-z0-9]){1,19}[\\p{Zs}./-]*`,
  PartyType: anyCase(['Person', 'Organization']),
  CurrencyCode: anyCase([...CURRENCY_CODES]),
  EmailAddress: `(?=[^@]{1,64}@)${EMAIL_LOCAL}@(?:(?:${DOMAIN_LABEL}\\.)+${TOP_LEVEL_DOMAIN}|${INTERNATIONAL_DOMAIN})`,
  DateOfBirth: `(?:${MONTH}/${DAY}/${YEAR}|${YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01]))`,
  Gender: anyCase(GENDERS),
  CustomerGroup: '[A-Za-z0-9](?:[A-Za-z0-9 _.-]{0,8}[A-Za-z0-9_.-])?',
  Addresstype: (type: 'Billing' | 'Shipping') => anyCase([type]),
  PrimaryAddress: anyCase(['Yes', 'No']),
  PostalCode: `[A-Za-z0-9](?:[A-Za-z0-9 -]{0,${FIELD_LIMITS.PostalCode - 2}}[A-Za-z0-9])?`,
  CountryCode: anyCase([...COUNTRY_ALPHA3_CODES]),
} as const;

/** The whole-value test of a core (what a rule uses). */
export const exactly = (core: string): RegExp => new RegExp(`^(?:${core})$`, 'u');

/** The value as sent: the core with the white space the app trims; optional values may be blank. */
export function fieldPattern(core: string, required: boolean): string {
  return required ? `^\\s*(?:${core})\\s*$` : `^\\s*(?:${core})?\\s*$`;
}
