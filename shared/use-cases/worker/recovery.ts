import type { CustomerRequest } from '../../domain/customer-contract';
import { ProcessingError } from '../../domain/failure';
import { decideRecoveryMatch, NameAndPhoneMatch, RecoveryMatch } from '../../domain/recovery-match';
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
  const { LegalEntity, EmailAddress, ContactNumber } = request.Customer;
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
