import type { FieldError } from '../domain/customer-contract';

/**
 * The caller's own ID for a customer (`Customer-Reference` on the create, the path of an update by
 * reference), and the version of an update (`Customer-Version`). Not personal data by contract: a
 * POS or shop customer number, never an e-mail or a phone number.
 */
export const CUSTOMER_REFERENCE_HEADER = 'Customer-Reference';
export const CUSTOMER_VERSION_HEADER = 'Customer-Version';

const REFERENCE = /^[A-Za-z0-9._:-]{1,64}$/;

export function parseCustomerReference(
  value: string | null | undefined,
): { ok: true; reference?: string } | { ok: false; error: FieldError } {
  if (value === null || value === undefined) return { ok: true };
  const trimmed = value.trim();
  if (REFERENCE.test(trimmed)) return { ok: true, reference: trimmed };
  return {
    ok: false,
    error: {
      pointer: '',
      detail:
        'A customer reference is 1 to 64 letters, digits, `.`, `_`, `:` or `-` (your own customer number, never personal data).',
    },
  };
}

/** `Customer-Version`: a whole number that grows with every change the caller makes (a row version, epoch ms). */
export function parseCustomerVersion(
  value: string | null,
): { ok: true; version?: number } | { ok: false; error: FieldError } {
  if (value === null) return { ok: true };
  const trimmed = value.trim();
  const version = Number(trimmed);
  if (/^\d{1,16}$/.test(trimmed) && Number.isSafeInteger(version)) return { ok: true, version };
  return {
    ok: false,
    error: {
      pointer: '',
      detail: 'Customer-Version must be a whole number (0 to 2^53 - 1) that grows with each change.',
    },
  };
}

/** `legalEntity` and `customerAccount` from an update's path: what D365 allows in a key. */
export function parseAccountPath(
  legalEntity: string | undefined,
  customerAccount: string | undefined,
): { ok: true; legalEntity: string; customerAccount: string } | { ok: false; error: FieldError } {
  if (
    legalEntity &&
    /^[A-Za-z0-9]{1,4}$/.test(legalEntity) &&
    customerAccount &&
    /^[A-Za-z0-9._-]{1,20}$/.test(customerAccount)
  )
    return { ok: true, legalEntity: legalEntity.toUpperCase(), customerAccount };
  return {
    ok: false,
    error: {
      pointer: '',
      detail:
        'The path is /api/customers/accounts/{legalEntity}/{customerAccount}: a legal entity of 1 to 4 letters or digits and a D365 account of 1 to 20 letters, digits, `.`, `_` or `-`.',
    },
  };
}
