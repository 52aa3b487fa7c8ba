/**
 * The ownership policy (issue 24, SECURITY.md "Who may do what"): which caller may create, read,
 * update, link, replay and erase which customer. Pure; the use-cases ask it, the HTTP edge only
 * turns its answers into 401/403/404. Every rule of the table is here and nowhere else.
 *
 * - A caller is one principal (an Entra object ID, a named function key, a webhook source) with
 *   its own namespace of customer references (`source`) and the permissions its roles grant.
 * - A shop or integrator changes only customers it created, or linked to through a verified
 *   identity: a `linked` create (DUPLICATE_POLICY=link found the e-mail in D365) by a caller that
 *   did not verify the shopper's identity makes a link that is *pending*: it grants no writes and
 *   its answers never name the account (nor who else has it).
 * - Verified identities: a staff caller (POS: the shopper stands at the till), Shopify's
 *   `verified_email`, an operator's decision (`POST /api/customers/links/verify`).
 * - Updating by D365 account is a role of its own (POS, back office): without it the answer is the
 *   same 403 for every account, linked or not, valid patch or not (no existence oracle).
 * - Requests (status, callbacks) are read by the caller that sent them and by operators; any other
 *   caller gets 404, as for an ID that does not exist.
 */

/**
 * What a caller may do. Entra app roles (CALLER_ROLE_*), a named key's `roles` (CALLER_KEYS) and a
 * webhook source's `roles` map onto these.
 */
export const PERMISSIONS = ['create', 'read', 'accounts', 'staff', 'operator'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface Caller {
  /**
   * The stable principal its requests are recorded under (status reads, Idempotency-Key scope,
   * rate limit, callback secret, fair share): an Entra object ID, `key:<name>`, `webhook:<source>`,
   * or `anonymous` for the one shared function key.
   */
  id: string;
  /** The namespace of its `Customer-Reference`s (a link's `source`): `api` for the shared key. */
  source: string;
  permissions: readonly Permission[];
}

/**
 * The caller of the one shared function key (CALLER_AUTH=keys without CALLER_KEYS): whoever holds
 * the key is every caller at once, operator included, as before callers were told apart. Name the
 * keys (CALLER_KEYS) or use Entra ID as soon as more than one system calls.
 */
export const SHARED_KEY_CALLER: Caller = {
  id: 'anonymous',
  source: 'api',
  permissions: ['create', 'read', 'accounts', 'staff', 'operator'],
};

/** The permissions an operator holds: all of them. */
export function holds(caller: Caller, permission: Permission): boolean {
  return caller.permissions.includes(permission) || caller.permissions.includes('operator');
}

/** Reading (or being told about) a request: its own caller's, or any for an operator. Else 404. */
export function mayReadRequest(caller: Caller, owner: string | undefined): boolean {
  return holds(caller, 'operator') || (owner ?? SHARED_KEY_CALLER.id) === caller.id;
}

/** Replaying a failed request: operators only (the route is also admin-level). */
export const mayReplay = (caller: Caller): boolean => holds(caller, 'operator');

/** Updating by D365 account: asked before the account is looked up, so the answer says nothing of it. */
export const mayUpdateByAccount = (caller: Caller): boolean => holds(caller, 'accounts');

/**
 * Whether a create's caller vouches for the shopper's identity: a staff caller always, a shop
 * when its own signed payload says the e-mail is verified (Shopify's `verified_email`).
 */
export function identityOf(caller: Caller, verifiedBySource = false): Identity {
  return holds(caller, 'staff') || verifiedBySource ? 'verified' : 'unverified';
}
export type Identity = 'verified' | 'unverified';

/** A link's standing: `pending` grants no writes and reveals no account; absent or `verified` does. */
export type LinkVerification = 'pending' | 'verified';

/**
 * The link a successful create makes: a customer it created is its own; one it found in D365
 * (`linked`) is its own only when its identity was verified. A record without `identity` was
 * accepted before the policy existed and keeps the old rule (its own).
 */
export function linkVerificationFor(
  outcome: string,
  identity: Identity | undefined,
): LinkVerification | undefined {
  return outcome === 'linked' && identity === 'unverified' ? 'pending' : undefined;
}

/**
 * The link an operator's review decision makes (issue 32, `POST /api/ops/requests/{id}/link`): the
 * operator looked at the candidates and confirmed which customer the request is, which is what
 * verifying a pending link does (`POST /api/customers/links/verify`); so a link that would be
 * `pending` for an unverified caller is `verified`, and a caller's own stays its own.
 */
export function linkVerificationByOperator(identity: Identity | undefined): LinkVerification | undefined {
  return linkVerificationFor('linked', identity) === 'pending' ? 'verified' : undefined;
}

/**
 * The identity a create's link stands on once the lookup said how it matched (issue 32): a shop's
 * verification is of an e-mail (Shopify's `verified_email`), which proves nothing about a phone, so a
 * shop's customer linked by name and phone is unverified (its link pending) until an operator verifies
 * it. A staff caller (the shopper at the till, an API caller) keeps its identity.
 */
export function identityAfterMatch(
  identity: Identity | undefined,
  match: { matchedOn?: string | undefined; bySource: boolean },
): Identity | undefined {
  return match.matchedOn === 'name_and_phone' && match.bySource && identity === 'verified'
    ? 'unverified'
    : identity;
}

export type WriteAccess = 'allowed' | 'unverified' | 'confirm';

/**
 * A change through a link the caller found in its own namespace (update by reference): allowed
 * unless the link is pending. A pending link whose own source now vouches for the identity (a
 * Shopify update with `verified_email`) is confirmed first (`confirm`); otherwise an operator
 * verifies it (`POST /api/customers/links/verify`).
 */
export function writeThroughLink(
  caller: Caller,
  link: { source: string; verification?: LinkVerification | undefined },
  verifiedBySource = false,
): WriteAccess {
  if (link.verification !== 'pending') return 'allowed';
  return verifiedBySource && link.source === caller.source ? 'confirm' : 'unverified';
}

/**
 * Whether an answer about a link may name the caller it belongs to (its `source` and reference):
 * only to that caller itself. A POS updating a shop's customer by account learns nothing of the shop.
 */
export const mayNameLinkOwner = (caller: Caller, link: { source: string }): boolean =>
  link.source === caller.source;

/** Marking a pending link verified: operators only (or a verified signal from the link's own source). */
export const mayVerifyLink = (caller: Caller): boolean => holds(caller, 'operator');

/**
 * Erasing a customer's data held here (issue 27 will call it): an operator, or the caller whose
 * own (not pending) link it is.
 */
export function mayErase(
  caller: Caller,
  link: { source: string; verification?: LinkVerification | undefined },
): boolean {
  return holds(caller, 'operator') || (link.source === caller.source && link.verification !== 'pending');
}

/**
 * Whether a create's answer (status, callback, `Prefer: wait`) may name D365 accounts: not when
 * the caller's unverified identity matched someone else's customer, whether it was linked
 * (pending) or refused as a duplicate (DUPLICATE_POLICY=reject).
 */
export function mayRevealAccounts(record: {
  identity?: Identity | undefined;
  outcome?: string | undefined;
  errorCode?: string | undefined;
}): boolean {
  if (record.identity !== 'unverified') return true;
  return record.outcome !== 'linked' && record.errorCode !== 'duplicate';
}
