import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The three ways a webhook sender proves who it is. Every comparison is constant-time, and every
 * check runs over the body's raw bytes: a body parsed and serialised again (other spacing, key
 * order or escapes) no longer matches.
 */

export type Verification = { ok: true } | { ok: false; reason: 'signature' | 'stale' | 'malformed' };

const equalBytes = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/**
 * Shopify: `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of the raw body with the app's client
 * secret (https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook).
 * Any of `secrets` (the current one and, while rotating, the previous one) may have signed it.
 */
export function verifyShopifyHmac(
  header: string | null,
  body: Buffer,
  secrets: readonly string[],
): Verification {
  if (!header || !/^[A-Za-z0-9+/]{43}=$/.test(header.trim())) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(header.trim(), 'base64');
  const match = secrets.some((secret) =>
    equalBytes(createHmac('sha256', secret).update(body).digest(), given),
  );
  return match ? { ok: true } : { ok: false, reason: 'signature' };
}

/** The spec's tolerance for `webhook-timestamp`, either way. */
export const STANDARD_WEBHOOKS_TOLERANCE_SECONDS = 5 * 60;

/** A `whsec_`-prefixed (or bare) base64 secret as the key bytes, or undefined when it is not base64. */
function standardSecretKey(secret: string): Buffer | undefined {
  const base64 = secret.trim().replace(/^whsec_/, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined;
  const key = Buffer.from(base64, 'base64');
  return key.length >= 1 ? key : undefined;
}

/**
 * Standard Webhooks (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
 * `webhook-signature` holds space-delimited `v1,<base64>` entries, each an HMAC-SHA256 of
 * `{webhook-id}.{webhook-timestamp}.{body}` with the base64-decoded secret; the timestamp (seconds)
 * must be within five minutes of now. Several entries (and several secrets) allow rotation.
 */
export function verifyStandardWebhook(
  headers: { get(name: string): string | null },
  body: Buffer,
  secrets: readonly string[],
  nowSeconds: number,
): Verification {
  const id = headers.get('webhook-id')?.trim();
  const timestamp = headers.get('webhook-timestamp')?.trim();
  const signatures = headers.get('webhook-signature')?.trim();
  if (!id || id.length > 256 || !timestamp || !/^\d{1,12}$/.test(timestamp) || !signatures) {
    return { ok: false, reason: 'malformed' };
  }
  if (Math.abs(nowSeconds - Number(timestamp)) > STANDARD_WEBHOOKS_TOLERANCE_SECONDS) {
    return { ok: false, reason: 'stale' };
  }
  const given = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .slice(0, 10)
    .map((entry) => Buffer.from(entry.slice(3), 'base64'));
  if (given.length === 0) return { ok: false, reason: 'malformed' };
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), body]);
  for (const secret of secrets) {
    const key = standardSecretKey(secret);
    if (!key) continue;
    const expected = createHmac('sha256', key).update(signed).digest();
    if (given.some((signature) => equalBytes(expected, signature))) return { ok: true };
  }
  return { ok: false, reason: 'signature' };
}

/**
 * BigCommerce: the hook's own `headers` (set when it is created) come back on every callback
 * (https://developer.bigcommerce.com/docs/integrations/webhooks#creating-a-webhook); we expect the
 * secret in {@link BIGCOMMERCE_SECRET_HEADER}. Compared as SHA-256 digests, so the comparison takes
 * the same time whatever the lengths.
 */
export const BIGCOMMERCE_SECRET_HEADER = 'x-webhook-secret';

export function verifySharedSecret(header: string | null, secrets: readonly string[]): Verification {
  if (!header) return { ok: false, reason: 'malformed' };
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  const given = digest(header.trim());
  return secrets.some((secret) => equalBytes(digest(secret), given))
    ? { ok: true }
    : { ok: false, reason: 'signature' };
}
