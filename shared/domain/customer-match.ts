import { createHash } from 'node:crypto';
import type { NormalisedCustomer } from './customer-contract/types';
import { storedPhoneAsE164 } from './phone-number';

/**
 * The duplicate policy's match (issue 32, README "Duplicate policy"): which customer a request is,
 * decided on the customers' own fields only, so it is an equivalence: the order customers arrive in
 * cannot change which of them are one customer, and no two people are joined through a third.
 *
 * - A customer with an e-mail is the customer with that e-mail (whole address, without regard to
 *   case, as F&O compares it). Nothing else: a name and phone never join a customer who has an e-mail.
 * - A customer without an e-mail is the customer with the same first name, last name (none = none)
 *   and E.164 phone who has no e-mail either. A family sharing a phone stays several customers (their
 *   names differ); two people of one name and phone are one customer.
 *
 * D365's lookups are searches: every row they return is checked against the key here again, exactly
 * (microsoft/BCApps#6459 matched a different customer through a tokenised e-mail search; #10256
 * matched an unrelated customer through a formatted phone), and a row that is not the key's is no match.
 */

export type MatchKey =
  | { kind: 'email'; email: string }
  | { kind: 'name_and_phone'; firstName: string; lastName: string; phone: string }
  /** An organisation with a tax number: that number (never a contact's e-mail). */
  | { kind: 'tax_number'; taxNumber: string }
  /** An organisation without one: its name in its country, among organisations without a tax number. */
  | { kind: 'name_and_country'; name: string; country: string };

type Matchable = Pick<
  NormalisedCustomer,
  | 'EmailAddress'
  | 'FirstName'
  | 'LastName'
  | 'ContactNumber'
  | 'PartyType'
  | 'OrganizationName'
  | 'TaxNumber'
  | 'BillingAddress'
  | 'ShippingAddress'
>;

/** The customer's country: its primary billing address's, else its first address's. */
export function homeCountryOf(
  customer: Pick<NormalisedCustomer, 'BillingAddress' | 'ShippingAddress'>,
): string | undefined {
  const addresses = [...(customer.BillingAddress ?? []), ...(customer.ShippingAddress ?? [])];
  return (addresses.find((a) => a.PrimaryAddress === 'Yes' && a.Addresstype === 'Billing') ?? addresses[0])
    ?.CountryCode;
}

/** A tax number as matched: letters and digits only, upper case. */
export const taxNumberForMatch = (text: string): string => text.replace(/[^A-Za-z0-9]/g, '').toUpperCase();

/** A name as matched: NFC, trimmed, inner white space as one space, lower case (F&O's collation ignores case). */
export function nameForMatch(text: string | undefined): string {
  return (text ?? '').normalize('NFC').trim().replace(/\s+/gu, ' ').toLowerCase();
}

/** An e-mail as matched: trimmed, lower case (F&O compares it without regard to case). */
export const emailForMatch = (text: string): string => text.trim().toLowerCase();

/** The key a customer is matched on (the contract guarantees an e-mail or a phone). */
export function matchKeyOf(customer: Partial<Matchable> & Pick<Matchable, 'FirstName'>): MatchKey {
  if (customer.PartyType === 'Organization') {
    if (customer.TaxNumber !== undefined)
      return { kind: 'tax_number', taxNumber: taxNumberForMatch(customer.TaxNumber) };
    const country = homeCountryOf(customer);
    if (customer.OrganizationName === undefined || country === undefined)
      throw new RangeError('an organisation needs a tax number, or a name and an address');
    return { kind: 'name_and_country', name: nameForMatch(customer.OrganizationName), country };
  }
  if (customer.EmailAddress !== undefined)
    return { kind: 'email', email: emailForMatch(customer.EmailAddress) };
  if (customer.ContactNumber === undefined) throw new RangeError('a customer needs an e-mail or a phone');
  return nameAndPhoneKey({
    firstName: customer.FirstName,
    ...(customer.LastName !== undefined && { lastName: customer.LastName }),
    phone: customer.ContactNumber,
  });
}

/** The name-and-phone key of a person (the recovery lookup's too, whether or not the request has an e-mail). */
export function nameAndPhoneKey(person: { firstName: string; lastName?: string; phone: string }): MatchKey {
  return {
    kind: 'name_and_phone',
    firstName: nameForMatch(person.firstName),
    lastName: nameForMatch(person.lastName),
    phone: person.phone,
  };
}

/**
 * The key of a customer's identity claim (fleet-wide: one request at a time looks a customer up and
 * creates it): the legal entity and the match key, hashed so that no e-mail, name or phone is stored.
 * The e-mail form is the one the claims had before issue 32 (`customerIdentityKey`).
 */
export function identityKeyOf(legalEntity: string, key: MatchKey): string {
  const entity = legalEntity.trim().toUpperCase();
  const text =
    key.kind === 'email'
      ? `${entity}\n${key.email}`
      : key.kind === 'name_and_phone'
        ? `${entity}\nname_and_phone\n${key.firstName}\n${key.lastName}\n${key.phone}`
        : key.kind === 'tax_number'
          ? `${entity}\ntax_number\n${key.taxNumber}`
          : `${entity}\nname_and_country\n${key.name}\n${key.country}`;
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The key of the fleet-wide claim a create takes (shared/use-cases/worker/create.ts): the identity
 * key, except for a customer without an e-mail who has a last name: legal entity + last name +
 * phone (a household), hashed. So the creates of one household's phone run one at a time on any
 * instance, and whichever comes second sees the first: "J. Smith" beside "John Smith" is a possible
 * duplicate whatever instances the two arrive on at once (issue 32), not two customers.
 */
export function claimKeyOf(legalEntity: string, key: MatchKey): string {
  if (key.kind !== 'name_and_phone' || key.lastName === '') return identityKeyOf(legalEntity, key);
  const entity = legalEntity.trim().toUpperCase();
  return createHash('sha256').update(`${entity}\nhousehold\n${key.lastName}\n${key.phone}`).digest('hex');
}

/** A customer row as a lookup returns it (CustomersV3 field names). */
export interface LookupRow {
  CustomerAccount?: unknown;
  PartyType?: unknown;
  OrganizationName?: unknown;
  TaxExemptNumber?: unknown;
  AddressCountryRegionId?: unknown;
  PrimaryContactEmail?: unknown;
  PersonFirstName?: unknown;
  PersonLastName?: unknown;
  PrimaryContactPhone?: unknown;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Whether D365's row holds a primary e-mail. */
export const rowHasEmail = (row: LookupRow): boolean => text(row.PrimaryContactEmail).trim() !== '';

/**
 * Whether a row a lookup returned is the key's customer, checked exactly: the same e-mail; or no
 * e-mail, the same names and the same number (D365's phone read as E.164: `+1 425 555 0100` is
 * `+14255550100`, a national or unreadable number is no match).
 */
export function rowMatchesKey(row: LookupRow, key: MatchKey): boolean {
  const organisation = text(row.PartyType) === 'Organization';
  if (key.kind === 'tax_number')
    return organisation && taxNumberForMatch(text(row.TaxExemptNumber)) === key.taxNumber;
  if (key.kind === 'name_and_country')
    return (
      organisation &&
      taxNumberForMatch(text(row.TaxExemptNumber)) === '' &&
      nameForMatch(text(row.OrganizationName)) === key.name &&
      text(row.AddressCountryRegionId).trim().toUpperCase() === key.country
    );
  // A person is never an organisation's row (an organisation's contact e-mail is not the person's).
  if (organisation) return false;
  if (key.kind === 'email')
    return rowHasEmail(row) && emailForMatch(text(row.PrimaryContactEmail)) === key.email;
  return (
    !rowHasEmail(row) &&
    nameForMatch(text(row.PersonFirstName)) === key.firstName &&
    nameForMatch(text(row.PersonLastName)) === key.lastName &&
    storedPhoneAsE164(row.PrimaryContactPhone) === key.phone
  );
}

/** A first name (as matched) that is an initial: one letter, with or without a full stop (`j.`, `j`). */
const initialOf = (name: string): string | undefined => /^(\p{L})\.?$/u.exec(name)?.[1];

/**
 * Whether two first names (as matched) differ but may be one person's: one is an initial of the
 * other (`j.` and `john`), or both are initials of one letter (`j.` and `j`). Never a match: two
 * people of one household share a phone and a last name (Jane and John Smith), so "J. Smith" may be
 * either; only an operator can tell (a possible duplicate, issue 32).
 */
export function firstNamesByInitial(a: string, b: string): boolean {
  if (a === b) return false;
  const [initialA, initialB] = [initialOf(a), initialOf(b)];
  if (initialA === undefined && initialB === undefined) return false;
  return (initialA ?? [...a][0]) === (initialB ?? [...b][0]);
}

/**
 * Whether a row a lookup returned is a **possible duplicate** of a customer without an e-mail
 * (issue 32): a person without an e-mail, the same last name (not none) and the same E.164 phone,
 * and a first name that one of the two writes as an initial of the other's. Never linked: the
 * request goes to an operator (`needs_review`, `possible_duplicate`).
 */
export function rowIsPossibleDuplicate(row: LookupRow, key: MatchKey): boolean {
  if (key.kind !== 'name_and_phone' || key.lastName === '') return false;
  return (
    text(row.PartyType) !== 'Organization' &&
    !rowHasEmail(row) &&
    nameForMatch(text(row.PersonLastName)) === key.lastName &&
    storedPhoneAsE164(row.PrimaryContactPhone) === key.phone &&
    firstNamesByInitial(nameForMatch(text(row.PersonFirstName)), key.firstName)
  );
}

/** Whether two customers are one by the policy (the same key). Symmetric, reflexive and transitive. */
export function sameCustomer(
  a: Parameters<typeof matchKeyOf>[0],
  b: Parameters<typeof matchKeyOf>[0],
): boolean {
  return JSON.stringify(matchKeyOf(a)) === JSON.stringify(matchKeyOf(b));
}
