import type { CustomerRequest } from './customer-contract';

/**
 * An organisation's contact person (issue 32): the request's `FirstName`, `MiddleName`, `LastName`,
 * `EmailAddress` and `ContactNumber`. On the CustomersV3 target it lands after the organisation
 * exists, as a D365 contact person linked to the organisation customer (land-contact-person.ts); the
 * custom service receives the same fields in its one call. Pure values; no D365 field names here.
 */
export interface ContactPerson {
  firstName: string;
  middleName?: string;
  lastName?: string;
  /** As normalised by the contract (domain lower case). */
  email?: string;
  /** E.164. */
  phone?: string;
}

/** What D365 holds of a contact person, as far as telling one from another goes. */
export type ContactIdentity = Pick<ContactPerson, 'firstName' | 'lastName' | 'email'>;

/** What became of a create's contact person (status record and answer; never the values). */
export const CONTACT_PERSON_OUTCOMES = ['created', 'found', 'failed'] as const;
export type ContactPersonOutcome = (typeof CONTACT_PERSON_OUTCOMES)[number];

/** The contact person of an organisation's request; none for a person (a person is its own contact). */
export function contactPersonOf(request: CustomerRequest): ContactPerson | undefined {
  const c = request.Customer;
  if (c.PartyType !== 'Organization') return undefined;
  return {
    firstName: c.FirstName,
    ...(c.MiddleName !== undefined && c.MiddleName !== '' && { middleName: c.MiddleName }),
    ...(c.LastName !== undefined && c.LastName !== '' && { lastName: c.LastName }),
    ...(c.EmailAddress !== undefined && { email: c.EmailAddress }),
    ...(c.ContactNumber !== undefined && { phone: c.ContactNumber }),
  };
}

/** As SQL Server's default collation compares text: case-insensitive, trailing spaces ignored. */
const collated = (value: string | undefined): string => (value ?? '').toLowerCase().replace(/ +$/, '');

/**
 * Whether `existing` (a contact person of the organisation in D365) is the request's contact person:
 * the same e-mail when both have one, else the same first and last name. Two contacts with one name
 * and different e-mails are two people; a contact without an e-mail is found by name only.
 */
export function isSameContact(wanted: ContactIdentity, existing: ContactIdentity): boolean {
  if (wanted.email !== undefined && collated(existing.email) !== '')
    return collated(wanted.email) === collated(existing.email);
  return (
    collated(wanted.firstName) === collated(existing.firstName) &&
    collated(wanted.lastName) === collated(existing.lastName)
  );
}
