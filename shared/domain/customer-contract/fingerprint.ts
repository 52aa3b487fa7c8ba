import { createHash } from 'node:crypto';
import type { CustomerRequest } from './types';

// Fingerprint

/**
 * SHA-256 (hex) of the canonical JSON of a normalised request: object keys sorted, arrays in order, no
 * whitespace. Two bodies that differ only in key order, whitespace, surrounding spaces, Unicode
 * normalisation form, the case of codes (LegalEntity, CurrencyCode, CountryCode, Gender, ...), the
 * case of the email's domain, or `""`/`null` versus an absent optional field get the same fingerprint.
 */
export function customerFingerprint(request: CustomerRequest): string {
  return createHash('sha256').update(canonicalJson(request), 'utf8').digest('hex');
}

/** JSON with object keys sorted by UTF-16 code unit order; `undefined` members are left out. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
