/**
 * Which customer a recovery lookup found: the lookups after a create that may have reached D365 (an
 * uncertain create, a 2xx without an account, the settle-time look-again). Pure rules; the lookups
 * themselves are in shared/use-cases/worker/recovery.ts and lookup.ts.
 *
 * The rule (README, "Recovery lookups"):
 * 1. By e-mail first (`PrimaryContactEmail` in the legal entity): any match is the customer (the
 *    oldest first, as before; several are listed in `existingAccounts`).
 * 2. Only when no customer has the e-mail and the request has a contact number: by name AND phone
 *    (`PersonFirstName`, `PersonLastName` when the request has one, and `PrimaryContactPhone`, all
 *    equal). A row that holds a primary e-mail is another customer (ours would have been found by
 *    it), so only rows without one count. Exactly one such row is the customer; more than one is
 *    ambiguous: an operator decides (`needs_review`), never a guess.
 */

/** Which fields of D365's customer matched the request's (never the values themselves). */
export const MATCHED_ON = [
  'email',
  'name_and_phone',
  'tax_number',
  'name_and_country',
  /** A possible duplicate (issue 32): last name, phone, and a first name one writes as an initial. */
  'name_initial_and_phone',
] as const;
export type MatchedOn = (typeof MATCHED_ON)[number];

/** A customer a name-and-phone lookup found. */
export interface NameAndPhoneMatch {
  account: string;
  /** Whether D365 holds a primary e-mail for it (the value itself is not kept). */
  hasEmail: boolean;
}

export type RecoveryMatch =
  /** Nothing matched: the customer is not (yet) visible in D365. */
  | { kind: 'none' }
  | { kind: 'found'; account: string; matchedOn: MatchedOn; existingAccounts?: string }
  /** Several customers without an e-mail have the request's name and phone: for an operator. */
  | { kind: 'ambiguous'; matchedOn: 'name_and_phone'; accounts: string[] };

/**
 * What the two lookups found, by the rule above. `byNameAndPhone` is undefined when that lookup did
 * not run (a customer was found by e-mail, or the request has no contact number).
 */
export function decideRecoveryMatch(
  byEmail: readonly string[],
  byNameAndPhone: readonly NameAndPhoneMatch[] | undefined,
): RecoveryMatch {
  const [first] = byEmail;
  if (first !== undefined)
    return {
      kind: 'found',
      account: first,
      matchedOn: 'email',
      ...(byEmail.length > 1 && { existingAccounts: byEmail.join(',') }),
    };
  const candidates = (byNameAndPhone ?? []).filter((row) => !row.hasEmail).map((row) => row.account);
  const [only] = candidates;
  if (only === undefined) return { kind: 'none' };
  if (candidates.length === 1) return { kind: 'found', account: only, matchedOn: 'name_and_phone' };
  return { kind: 'ambiguous', matchedOn: 'name_and_phone', accounts: candidates };
}
