/**
 * The redaction layer: text that may contain what a caller or D365 wrote (D365's Infolog
 * messages, error texts) passes through `scrub` before it is logged, stored in a status record,
 * answered or sent as telemetry.
 */

import { createHash } from 'node:crypto';

const REDACTED = '[redacted]';

const PATTERNS: RegExp[] = [
  // e-mail addresses
  /[^\s@'"<>(),;:]+@[^\s@'"<>(),;:]+\.[^\s@'"<>(),;:]+/gu,
  // bearer tokens and JWTs
  /\bBearer\s+[\w.~+/-]+=*/giu,
  /\beyJ[\w-]+\.[\w-]+\.[\w-]*/gu,
  // phone numbers: a + or digits with separators, 7 digits or more
  /\+?\d[\d\s().-]{6,}\d/gu,
  // dates
  /\b\d{1,4}[/-]\d{1,2}[/-]\d{1,4}\b/gu,
];

/** Collects the personal string values of a request (anything that is not a short code). */
export function personalValues(value: unknown, codeFields: ReadonlySet<string> = CODE_FIELDS): string[] {
  const found: string[] = [];
  const walk = (node: unknown, key?: string): void => {
    if (typeof node === 'string') {
      if (!(key && codeFields.has(key)) && node.trim().length >= 3) found.push(node.trim());
    } else if (Array.isArray(node)) {
      node.forEach((item) => walk(item, key));
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) walk(v, k);
    }
  };
  walk(value);
  return found.sort((a, b) => b.length - a.length);
}

/** Contract fields that hold codes, not personal data. */
const CODE_FIELDS: ReadonlySet<string> = new Set([
  'LegalEntity',
  'CurrencyCode',
  'Gender',
  'CustomerGroup',
  'Addresstype',
  'PrimaryAddress',
  'CountryCode',
  'Country',
]);

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces personal values (those given, and anything shaped like an e-mail, phone, date or token). */
export function scrub(text: string, values: readonly string[] = []): string {
  let result = text;
  for (const value of values) {
    // Whole words only: a first name "Cust" must not eat the "Cust" of "Customer group".
    result = result.replace(
      new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(value)}(?![\\p{L}\\p{N}])`, 'giu'),
      REDACTED,
    );
  }
  for (const pattern of PATTERNS) result = result.replace(pattern, REDACTED);
  return result;
}

/** Shortens a message for a status record or a log line. */
export function truncate(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A quoted segment of a D365 message: 'x', "x", ‘x’ or “x”. */
const QUOTED = /'[^'\n]*'|"[^"\n]*"|‘[^’\n]*’|“[^”\n]*”/gu;
/** Quoted segments right after these words are labels ("in field 'Customer group'", "table 'Customer groups'"). */
const LABEL_BEFORE = /\b(?:field|table)\s$/i;

/** Replaces each quoted value by `by`, keeping quoted field and table names. */
const replaceQuotedValues = (text: string, by: string): string =>
  text.replace(QUOTED, (quoted: string, offset: number) =>
    LABEL_BEFORE.test(text.slice(Math.max(0, offset - 7), offset)) ? quoted : by,
  );

/**
 * F&O's duplicate-key sentence lists the key's field values after the table: "Cannot create a
 * record in Global address book (DirPartyTable). Name: Jane Smith, Party: 000123." (the values
 * are whatever the key holds, a name included).
 */
const KEY_VALUES = /(\(\w+\)\.\s*)((?:[\p{L}][\p{L} ]{0,40}: [^,.\n]+(?:,\s*|(?=[.\n]|$)))+)/gu;

/**
 * D365's error text as the app keeps it (status records, answers, logs, telemetry): a scrubbed
 * summary plus a code. Its Infolog can name other people (a duplicate's name, a key's values),
 * which `scrub` alone cannot know, so every quoted value and every value of a listed key goes too,
 * besides the request's own values and anything shaped like an e-mail, phone, date or token. The
 * code (`d365:` + 8 hex digits) is a digest of the summary with its numbers taken out (the
 * message's template), so operators can group the same D365 error across requests and find it in D365's
 * own logs by time, without the app holding the text.
 */
export function d365ErrorSummary(text: string, personal: readonly string[] = []): string {
  const summary = scrub(
    replaceQuotedValues(text, REDACTED).replace(
      KEY_VALUES,
      (_all, head: string, pairs: string) => head + pairs.replace(/(: )[^,.\n]+/gu, `$1${REDACTED}`),
    ),
    personal,
  );
  const template = summary.replace(/\d+/g, '0').replace(/\s+/g, ' ').trim();
  const code = createHash('sha256').update(template).digest('hex').slice(0, 8);
  return `${truncate(summary, 280)} (D365 message d365:${code})`;
}
