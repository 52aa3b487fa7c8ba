import { createHash, randomBytes } from 'node:crypto';

/**
 * What the link keeps of the customer as we last sent it to D365 (issue 27, "hold less"): not the
 * values, but a salted digest of each D365 entity field, enough to tell whether a value is the one
 * we sent (the update's diff, and whether D365 changed a field behind our back), plus which address
 * of each list played its role and whether it was marked primary (the shape: no personal data).
 * The salt is random per link, so equal values of two customers have unequal digests.
 */
export interface SentDigests {
  salt: string;
  /** Entity field name → digest of the value last sent (an absent or empty value has one too). */
  fields: Record<string, string>;
  /** Per address list: the `PrimaryAddress` of the address that played the list's role, or absent when the list was empty. */
  shape?: AddressShape;
}

export type AddressShape = Partial<Record<'BillingAddress' | 'ShippingAddress', 'Yes' | 'No'>>;

/** An absent field and an empty one are the same to D365 (its string fields are not nullable). */
const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

const digest = (salt: string, field: string, value: unknown): string =>
  createHash('sha256')
    .update(`${salt}\n${field}\n${text(value)}`)
    .digest('base64url')
    .slice(0, 22);

/** Digests of `fields` with a new salt (or `salt`). */
export function digestFields(
  fields: Record<string, unknown>,
  shape: AddressShape | undefined,
  salt: string = randomBytes(12).toString('base64url'),
): SentDigests {
  const out: Record<string, string> = {};
  for (const [field, value] of Object.entries(fields)) out[field] = digest(salt, field, value);
  return { salt, fields: out, ...(shape && { shape }) };
}

/** The digests after `changes` were sent (the others stay as they were). */
export function withSent(
  digests: SentDigests,
  changes: Record<string, unknown>,
  shape?: AddressShape,
): SentDigests {
  const fields = { ...digests.fields };
  for (const [field, value] of Object.entries(changes)) fields[field] = digest(digests.salt, field, value);
  return { salt: digests.salt, fields, ...((shape ?? digests.shape) && { shape: shape ?? digests.shape }) };
}

/**
 * Whether `value` is what we last sent for `field`. A field we never sent counts as sent empty, as
 * the create's mapping leaves out the fields a customer does not set.
 */
export function isAsSent(digests: SentDigests, field: string, value: unknown): boolean {
  return (digests.fields[field] ?? digest(digests.salt, field, '')) === digest(digests.salt, field, value);
}

export const serialiseDigests = (digests: SentDigests): string => JSON.stringify(digests);

/** The digests a link holds, or undefined (a link written before issue 27, or not ours). */
export function parseDigests(json: string | undefined): SentDigests | undefined {
  if (json === undefined) return undefined;
  try {
    const value = JSON.parse(json) as Partial<SentDigests> | null;
    if (typeof value?.salt !== 'string' || typeof value.fields !== 'object' || value.fields === null)
      return undefined;
    return value as SentDigests;
  } catch {
    return undefined;
  }
}
