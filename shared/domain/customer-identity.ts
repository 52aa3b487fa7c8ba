import { createHash } from 'node:crypto';

/**
 * The key of a customer's identity for the duplicate policy: legal entity + normalised e-mail (the
 * lookup's match), hashed so that no e-mail address is stored in a key.
 */
export function customerIdentityKey(legalEntity: string, email: string): string {
  const normalised = `${legalEntity.trim().toUpperCase()}\n${email.trim().toLowerCase()}`;
  return createHash('sha256').update(normalised).digest('hex');
}
