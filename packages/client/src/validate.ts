import { ADDRESS_FIELDS, CUSTOMER_FIELDS, FieldRule, MAX_ADDRESSES } from './contract.generated';
import type { FieldError, Problem } from './types';

/**
 * Checks a customer (or the members of a patch) with the API's own field rules before it is sent:
 * the OpenAPI request schema's patterns (`contract.generated.ts`, generated from it), so an invalid
 * e-mail address, country, currency, phone number or date never costs a round trip. The API checks
 * again, including what no pattern says (one primary address per list, a date not in the future).
 */

const compiled = new Map<string, RegExp>();
const regex = (pattern: string): RegExp => {
  let found = compiled.get(pattern);
  if (!found) compiled.set(pattern, (found = new RegExp(pattern, 'u')));
  return found;
};

const escape = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

function checkFields(
  object: Record<string, unknown>,
  fields: Readonly<Record<string, FieldRule>>,
  pointer: string,
  patch: boolean,
  errors: FieldError[],
): void {
  for (const [name, rule] of Object.entries(fields)) {
    const value = object[name];
    const at = `${pointer}/${escape(name)}`;
    if (value === undefined || value === null) {
      if (rule.required && (!patch || value === null))
        errors.push({ pointer: at, detail: `${name} is required.` });
      continue;
    }
    if (typeof value !== 'string') {
      errors.push({ pointer: at, detail: `${name} must be a string.` });
    } else if ([...value].length > rule.maxLength || !regex(rule.pattern).test(value)) {
      errors.push({ pointer: at, detail: `${name} is not valid: ${rule.help}` });
    }
  }
}

/** What is wrong with `Customer` (the create's, or a patch's members), as the API would point at it. */
export function customerFieldErrors(customer: unknown, options: { patch?: boolean } = {}): FieldError[] {
  const patch = options.patch ?? false;
  const errors: FieldError[] = [];
  if (typeof customer !== 'object' || customer === null || Array.isArray(customer)) {
    return [{ pointer: '/Customer', detail: 'Customer must be a JSON object.' }];
  }
  const object = customer as Record<string, unknown>;
  checkFields(object, CUSTOMER_FIELDS, '/Customer', patch, errors);
  // A customer needs an e-mail or a phone (issue 32): how the duplicate policy finds it.
  const blank = (value: unknown) =>
    value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
  const organisation =
    typeof object.PartyType === 'string' && object.PartyType.trim().toLowerCase() === 'organization';
  if (!patch && !organisation && blank(object.EmailAddress) && blank(object.ContactNumber))
    errors.push({
      pointer: '/Customer/EmailAddress',
      detail:
        'EmailAddress is required when there is no ContactNumber: a customer needs an e-mail address or a phone number (how duplicates are found).',
    });
  for (const list of ['BillingAddress', 'ShippingAddress'] as const) {
    const addresses = object[list];
    if (addresses === undefined || addresses === null) continue;
    if (!Array.isArray(addresses)) {
      errors.push({ pointer: `/Customer/${list}`, detail: `${list} must be an array of addresses.` });
      continue;
    }
    if (addresses.length > MAX_ADDRESSES) {
      errors.push({
        pointer: `/Customer/${list}`,
        detail: `${list} may hold at most ${MAX_ADDRESSES} addresses.`,
      });
    }
    addresses.forEach((address: unknown, index) => {
      const at = `/Customer/${list}/${index}`;
      if (typeof address !== 'object' || address === null || Array.isArray(address)) {
        errors.push({ pointer: at, detail: `Each item of ${list} must be a JSON object.` });
      } else {
        checkFields(address as Record<string, unknown>, ADDRESS_FIELDS[list], at, false, errors);
      }
    });
  }
  return errors;
}

/** The problem the API would answer for these errors (`invalid-request`), marked as found before sending. */
export function localProblem(errors: FieldError[]): Problem {
  return {
    type: 'urn:d365-customer-sync:problem:invalid-request',
    title: 'The request is not a valid customer',
    status: 400,
    detail: `${errors.length} field${errors.length === 1 ? '' : 's'} must be corrected (checked before sending): see errors.`,
    errors,
  };
}
