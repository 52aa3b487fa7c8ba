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
  return [
    ...errors.slice(0, MAX_REPORTED_ERRORS),
    {
      pointer: '',
      detail: `${errors.length - MAX_REPORTED_ERRORS} more errors were found and are not listed.`,
    },
  ];
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
