/**
 * The redaction layer: text that may contain what a caller or D365 wrote (D365's Infolog
 * messages, error texts) passes through `scrub` before it is logged, stored in a status record,
 * answered or sent as telemetry.
 */

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
