import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';

/** What the routes take as a correlation ID: a UUID (RFC 9562) in any case; records use it lower-case. */
const correlationIdSchema = z.uuid();

/** The correlation ID in `value`, lower-cased, or undefined when it is not a UUID. */
export function parseCorrelationId(value: string | undefined): string | undefined {
  const id = (value ?? '').trim().toLowerCase();
  return correlationIdSchema.safeParse(id).success ? id : undefined;
}

/** What an Idempotency-Key (or a webhook's event key) is scoped to: who sent it, on which route. */
export interface KeyScope {
  caller: string;
  route: string;
  key: string;
}

/**
 * The fleet-wide correlation-ID key (issue 24): the oldest enabled version of the Key Vault secret
 * `CORRELATION_KEY_SECRET_NAME`, and when that version was created (legacy IDs are looked up for
 * `RECORD_RETENTION_DAYS` after it).
 */
export interface CorrelationKey {
  secret: Buffer;
  createdAt: Date;
}

/** Fewer characters than this cannot be the 256 bits a deployment writes (two GUIDs, or 32 random bytes in base64). */
export const MIN_CORRELATION_KEY_LENGTH = 32;

/** Separates this use of the key from any other HMAC under it. */
const LABEL = 'd365-customer-sync correlation id v1';

/** A UUID version 8 (RFC 9562, "custom") from the first 16 bytes of a digest. */
function uuidV8(digest: Buffer): string {
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The correlation ID a key stands for: HMAC-SHA256 of the caller, the route and the key under the
 * fleet's secret, as a UUID version 8. The status record itself is the key's claim; without the
 * secret nobody can compute another caller's ID from a key they know or guess.
 */
export function keyedCorrelationId(secret: Buffer, scope: KeyScope): string {
  // A JSON array keeps the three apart whatever they hold (no two scopes share an input).
  const digest = createHmac('sha256', secret)
    .update(JSON.stringify([LABEL, scope.caller, scope.route, scope.key]), 'utf8')
    .digest();
  return uuidV8(digest);
}

/**
 * The ID the same key stood for before issue 24 (an unkeyed SHA-256 of the three): only looked up,
 * so a retry of a key accepted before the change finds its request. Never used for a new record.
 */
export function legacyCorrelationId(scope: KeyScope): string {
  return uuidV8(createHash('sha256').update(`${scope.caller}\n${scope.route}\n${scope.key}`).digest());
}

/**
 * Whether a record under a legacy ID may still exist at `now`: the last one was written before the
 * key was created, and retention deletes records `retentionDays` after their creation.
 */
export function mayHaveLegacyRecord(
  key: Pick<CorrelationKey, 'createdAt'>,
  retentionDays: number,
  now: Date,
): boolean {
  return now.getTime() < key.createdAt.getTime() + retentionDays * 86_400_000;
}
