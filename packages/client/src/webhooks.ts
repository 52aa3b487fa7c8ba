import type { WriteBack } from './types';
/**
 * Verifies a result callback as the Standard Webhooks specification defines it
 * (https://www.standardwebhooks.com): `webhook-signature` holds `v1,<base64 HMAC-SHA256>` of
 * `{webhook-id}.{webhook-timestamp}.{body}` under the `whsec_` secret. Web Crypto only, so it runs
 * wherever the client does. Pass the body exactly as received (the raw text, not re-serialised JSON).
 */

/** What the app posts when a request ends. No personal data. */
export interface CustomerResultEvent {
  /**
   * The request's ending; for a shop's customer also the write-back's ending, an event of its own
   * after `customer.succeeded` (`customer.write_back.written` / `.failed`, with `data.writeBack`).
   */
  type:
    'customer.succeeded' | 'customer.failed' | 'customer.write_back.written' | 'customer.write_back.failed';
  timestamp: string;
  data: {
    correlationId: string;
    status: 'succeeded' | 'failed';
    legalEntity: string;
    customerAccount?: string;
    outcome?: 'created' | 'linked';
    /** `pending`: linked to an existing customer by an unverified identity; no account (see `StatusAnswer`). */
    verification?: 'pending';
    error?: { code: string; message: string };
    /** A shop's customer: the write-back of its D365 account to the shop (see `StatusAnswer.writeBack`). */
    writeBack?: WriteBack;
  };
}

export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
}

export interface VerifyOptions {
  /** Seconds a timestamp may differ from now (replay protection). Default 300, as the spec suggests. */
  toleranceSeconds?: number;
  /** The current time; default the clock. */
  now?: Date;
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Checks the signature and the timestamp; resolves with the parsed event, throws WebhookVerificationError otherwise. */
export async function verifyWebhook(
  body: string,
  headers: HeaderSource,
  secret: string,
  options: VerifyOptions = {},
): Promise<CustomerResultEvent> {
  const id = headerValue(headers, 'webhook-id');
  const timestamp = headerValue(headers, 'webhook-timestamp');
  const signatures = headerValue(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures)
    throw new WebhookVerificationError('Missing webhook-id, -timestamp or -signature.');
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError('Malformed webhook-timestamp.');
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(now - Number(timestamp)) > tolerance) {
    throw new WebhookVerificationError(
      'The webhook-timestamp is outside the tolerance (a replay or a wrong clock).',
    );
  }
  let keyBytes: Uint8Array<ArrayBuffer>;
  try {
    keyBytes = base64ToBytes(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
  } catch {
    throw new WebhookVerificationError('The secret is not a whsec_ base64 secret.');
  }
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'verify',
  ]);
  const signed = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  for (const entry of signatures.split(' ')) {
    const [version, value] = entry.split(',');
    if (version !== 'v1' || !value) continue;
    let signature: Uint8Array<ArrayBuffer>;
    try {
      signature = base64ToBytes(value);
    } catch {
      continue;
    }
    // crypto.subtle.verify compares in constant time.
    if (await crypto.subtle.verify('HMAC', key, signature, signed)) {
      try {
        return JSON.parse(body) as CustomerResultEvent;
      } catch {
        throw new WebhookVerificationError('The body is not JSON.');
      }
    }
  }
  throw new WebhookVerificationError('No matching signature.');
}
