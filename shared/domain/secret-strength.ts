import { isStandardSecret } from './standard-webhook-signature';

/**
 * How strong a signing secret must be before the app uses it: an HMAC key an attacker could guess
 * makes every signature check worthless. Standard Webhooks secrets (a sender's, and the one that
 * signs our result callbacks) must have the spec's form, `whsec_` + base64 of at least 24 random
 * bytes (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md,
 * "Signature scheme"); Shopify's app client secret (32 hex digits, `shpss_` in front for newer apps)
 * and the BigCommerce header secret (ours to choose) must have at least 32 characters: 128 bits
 * when they are random hex.
 */
export type SigningSecretKind = 'standard' | 'shopify' | 'bigcommerce';

export const MIN_SHARED_SECRET_LENGTH = 32;

/** Why `secret` is too weak to sign or verify with, or undefined when it is strong enough. */
export function secretWeakness(kind: SigningSecretKind, secret: string): string | undefined {
  if (kind === 'standard') {
    return isStandardSecret(secret)
      ? undefined
      : 'a Standard Webhooks secret must be "whsec_" followed by the base64 of at least 24 random bytes';
  }
  const length = secret.trim().replace(/^shpss_/, '').length;
  return length >= MIN_SHARED_SECRET_LENGTH
    ? undefined
    : `a ${kind === 'shopify' ? 'Shopify' : 'BigCommerce'} webhook secret must have at least ${MIN_SHARED_SECRET_LENGTH} characters (it has ${length})`;
}
