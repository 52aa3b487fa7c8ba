import { createHash } from 'node:crypto';
import { emailForMatch, identityKeyOf } from './customer-match';

/**
 * The key of a customer's identity for the duplicate policy: legal entity + normalised e-mail (the
 * lookup's match), hashed so that no e-mail address is stored in a key.
 */
export function customerIdentityKey(legalEntity: string, email: string): string {
  return identityKeyOf(legalEntity, { kind: 'email', email: emailForMatch(email) });
}

/**
 * The e-mail key (issue 27): SHA-256 of the normalised e-mail, in any legal entity. Status records
 * and links keep it (never the address) so that a privacy request naming an e-mail finds everything
 * held for it, also after the request itself was dropped.
 */
export function emailKeyOf(email: string): string {
  return createHash('sha256').update(`email\n${email.trim().toLowerCase()}`).digest('hex');
}

/** `{ emailKey }` for a customer with an e-mail, `{}` for one known by its phone only (issue 32). */
export function emailKeyField(email: string | undefined): { emailKey?: string } {
  return email === undefined ? {} : { emailKey: emailKeyOf(email) };
}

/** The e-mail key of a stored request (a create's contract), when it has an e-mail. */
export function emailKeyOfRequest(request: unknown): string | undefined {
  const email = (request as { Customer?: { EmailAddress?: unknown } } | null)?.Customer?.EmailAddress;
  return typeof email === 'string' && email.trim() !== '' ? emailKeyOf(email) : undefined;
}
