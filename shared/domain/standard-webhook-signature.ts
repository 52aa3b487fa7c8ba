import { createHmac } from 'node:crypto';

/**
 * Signs an outgoing event per Standard Webhooks
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
 * `v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` with the secret's bytes
 * (the base64 after `whsec_`). Several secrets (a rotation) give several space-separated
 * signatures, newest first; the receiver accepts the event when any one matches.
 */
export function standardWebhookSignature(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.trim().replace(/^whsec_/, ''), 'base64');
      const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
      return `v1,${mac}`;
    })
    .join(' ');
}

/** Whether a secret has the `whsec_` + base64 form the spec recommends (at least 24 bytes). */
export function isStandardSecret(secret: string): boolean {
  const base64 = secret.trim().replace(/^whsec_/, '');
  return /^[A-Za-z0-9+/]+={0,2}$/.test(base64) && Buffer.from(base64, 'base64').length >= 24;
}
