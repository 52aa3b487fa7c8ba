import type { CustomerRequest } from '../../domain/customer-contract';
import { permanent, ProcessingError } from '../../domain/failure';
import { homeCountryOf } from '../../domain/customer-match';
import {
  decideRecoveryMatch,
  MatchedOn,
  NameAndPhoneMatch,
  RecoveryMatch,
} from '../../domain/recovery-match';
import type { D365Client, GateSlot } from '../../ports';

/**
 * The recovery lookup: after a create that may have reached D365, which customer is the request's?
 * By e-mail, then (nobody has the e-mail, the request has a contact number, and the caller asks:
 * `byNameAndPhone`, where a miss would decide something) by name and phone;
 * the rule is `decideRecoveryMatch` (shared/domain/recovery-match.ts). A lookup is a read: a D365
 * "business" answer to it is retried, never final.
 */
export async function recoveryLookup(
  slot: GateSlot,
  d365: D365Client,
  request: CustomerRequest,
  options: { byNameAndPhone: boolean },
): Promise<RecoveryMatch> {
  const { LegalEntity, EmailAddress, ContactNumber, PartyType } = request.Customer;
  if (PartyType === 'Organization') {
    const found = await read(slot, () => findOrganisation(d365, request));
    const matchedOn: MatchedOn = request.Customer.TaxNumber !== undefined ? 'tax_number' : 'name_and_country';
    const [first] = found ?? [];
    return found?.length === 1 && first !== undefined
      ? { kind: 'found', account: first, matchedOn }
      : { kind: 'none' };
  }
  // A customer without an e-mail (issue 32) is found by name and phone only.
  const byEmail =
    EmailAddress === undefined
      ? []
      : await read(slot, () => d365.findCustomersByEmail(LegalEntity, EmailAddress));
  if (
    byEmail.length > 0 ||
    ContactNumber === undefined ||
    (!options.byNameAndPhone && EmailAddress !== undefined)
  )
    return decideRecoveryMatch(byEmail, undefined);
  return decideRecoveryMatch(byEmail, await lookUpByNameAndPhone(slot, d365, request));
}

/**
 * An organisation's accounts (issue 32): by tax number, else by name in the home country
 * (customer-match.ts); `undefined` when it cannot be looked up exactly. A D365 client without
 * organisation lookups fails the request rather than create one blindly.
 */
export async function findOrganisation(
  d365: D365Client,
  request: CustomerRequest,
): Promise<string[] | undefined> {
  const { LegalEntity, TaxNumber, OrganizationName } = request.Customer;
  if (!d365.findOrganizations)
    throw permanent('configuration', 'This D365 client cannot look organisations up.');
  const country = homeCountryOf(request.Customer);
  if (TaxNumber !== undefined) return d365.findOrganizations(LegalEntity, { taxNumber: TaxNumber });
  if (OrganizationName === undefined || country === undefined) return undefined;
  return d365.findOrganizations(LegalEntity, { name: OrganizationName, country });
}

/** The name-and-phone half of the recovery lookup (undefined without a contact number, or for a name it cannot filter on). */
export async function lookUpByNameAndPhone(
  slot: GateSlot,
  d365: D365Client,
  request: CustomerRequest,
): Promise<NameAndPhoneMatch[] | undefined> {
  const { LegalEntity, FirstName, LastName, ContactNumber } = request.Customer;
  if (ContactNumber === undefined) return undefined;
  return read(slot, () =>
    d365.findCustomersByNameAndPhone(LegalEntity, {
      firstName: FirstName,
      ...(LastName !== undefined && { lastName: LastName }),
      phone: ContactNumber,
    }),
  );
}

/**
 * A lookup is a read: whatever it answers, other than "not allowed", says nothing final about the
 * request, so a D365 "business" answer to it is transient (tried again), never a failure.
 */
export async function lookupRead<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (
      error instanceof ProcessingError &&
      error.failure.kind === 'permanent' &&
      error.failure.code === 'business_error'
    )
      throw new ProcessingError({
        kind: 'transient',
        reason: `D365 lookup failed: ${error.failure.message}`,
      });
    throw error;
  }
}

const read = <T>(slot: GateSlot, call: () => Promise<T>): Promise<T> => lookupRead(() => slot.run(call));
