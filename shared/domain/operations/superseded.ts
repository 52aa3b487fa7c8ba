import { emailForMatch, identityKeyOf, matchKeyOf } from '../customer-match';
import type { NormalisedCustomer } from '../customer-contract/types';
import type { StatusRecord } from '../status';
import { attentionEntryOf } from './attention';

/**
 * Automatic resolution (issue 31): a `failed` or `needs_review` create is moot once a later request
 * for the same customer succeeded. "The same customer" is the duplicate policy's identity: legal
 * entity + normalised e-mail (or, without one, name and phone: issue 32), hashed (`identityKeyOf`), so
 * the index that connects them holds no e-mail address, name or phone. Updates are not resolved this way: a later update of the customer need not
 * carry the failed one's changes.
 */

/** The hashed identity of a create's customer, from its stored request; undefined for an update or without one. */
export function customerKeyOf(record: Pick<StatusRecord, 'kind' | 'payload'>): string | undefined {
  if (record.kind === 'update' || record.payload === undefined) return undefined;
  let request: unknown;
  try {
    request = JSON.parse(record.payload);
  } catch {
    return undefined;
  }
  const customer = (request as { Customer?: Partial<NormalisedCustomer> } | null)?.Customer;
  const { LegalEntity: legalEntity, EmailAddress: email, ContactNumber: phone, FirstName } = customer ?? {};
  if (typeof legalEntity !== 'string') return undefined;
  if (typeof email === 'string' && email.trim() !== '')
    return identityKeyOf(legalEntity, { kind: 'email', email: emailForMatch(email) });
  // A customer without an e-mail (issue 32): its name and phone.
  return typeof phone === 'string' && typeof FirstName === 'string'
    ? identityKeyOf(legalEntity, matchKeyOf({ ...customer, FirstName, EmailAddress: undefined }))
    : undefined;
}

/** The customer key under which an open failure is listed (failed / needs_review, unresolved), else undefined. */
export function openFailureKeyOf(record: StatusRecord): string | undefined {
  const view = attentionEntryOf(record)?.view;
  return view === 'failed' || view === 'needs_review' ? customerKeyOf(record) : undefined;
}

/** At most this many open failures are resolved by one success (the rest by the next). */
export const MAX_SUPERSEDED = 20;

/** The note on a request resolved because `correlationId` succeeded. */
export const supersededNote = (correlationId: string): string => `superseded by ${correlationId}`;
