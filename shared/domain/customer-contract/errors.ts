import { z } from 'zod';
import { propertyPointer, quotePropertyName, toJsonPointer } from '../json-body';
import { ADDRESS_FIELDS, CUSTOMER_FIELDS, MAX_REPORTED_ERRORS } from './limits';
import type { FieldError } from './types';

/** Field errors from zod's issues: one RFC 6901 pointer each, unknown properties with a hint, at most MAX_REPORTED_ERRORS. */
const ALLOWED_PROPERTIES: Record<'body' | 'Customer' | 'address', readonly string[]> = {
  body: ['Customer'],
  Customer: CUSTOMER_FIELDS,
  address: ADDRESS_FIELDS,
};

export function toFieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((token): token is string | number => typeof token !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors.push({
          pointer: propertyPointer(toJsonPointer(path), key),
          detail: unknownPropertyDetail(path, key),
        });
      }
    } else {
      errors.push({ pointer: toJsonPointer(path), detail: issue.message });
    }
  }
  if (errors.length <= MAX_REPORTED_ERRORS) return errors;
  const more: FieldError = {
    pointer: '',
    detail: `${errors.length - MAX_REPORTED_ERRORS} more errors were found and are not listed.`,
  };
  unlisted.set(more, errors.length - MAX_REPORTED_ERRORS);
  return [...errors.slice(0, MAX_REPORTED_ERRORS), more];
}

/** The "N more errors" entries `toFieldErrors` added, with their N. */
const unlisted = new WeakMap<FieldError, number>();

/** The same errors with `prefix` before each pointer (the contract sent inside an envelope, e.g. `/data`). */
export function prefixPointers(errors: readonly FieldError[], prefix: string): FieldError[] {
  return errors.map((error) => {
    const moved = { ...error, pointer: `${prefix}${error.pointer}` };
    const more = unlisted.get(error);
    if (more !== undefined) unlisted.set(moved, more);
    return moved;
  });
}

/** How many errors `errors` stands for: the listed ones plus those its last entry says were not listed. */
export function countFieldErrors(errors: readonly FieldError[]): number {
  const more = errors.length > 0 ? unlisted.get(errors[errors.length - 1]!) : undefined;
  return more === undefined ? errors.length : errors.length - 1 + more;
}

function unknownPropertyDetail(path: readonly (string | number)[], key: string): string {
  const where = path.length === 0 ? 'body' : path.length === 1 ? 'Customer' : 'address';
  const allowed = ALLOWED_PROPERTIES[where];
  const place =
    where === 'body'
      ? 'the request body'
      : where === 'Customer'
        ? 'Customer'
        : `an address of ${String(path[1])}`;
  const suggestion = allowed.find((name) => name.toLowerCase() === key.trim().toLowerCase());
  const hint = suggestion ? `did you mean "${suggestion}"?` : `allowed: ${allowed.join(', ')}.`;
  return `Unknown property ${quotePropertyName(key)} in ${place}; ${hint}`;
}
