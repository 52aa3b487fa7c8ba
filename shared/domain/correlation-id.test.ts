import { createHash } from 'node:crypto';
import {
  keyedCorrelationId,
  legacyCorrelationId,
  mayHaveLegacyRecord,
  parseCorrelationId,
} from './correlation-id';

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const secret = Buffer.from('one fleet secret of at least 32 chars', 'utf8');
const scope = { caller: 'pos-1', route: 'POST /api/customers', key: 'k' };

describe('keyed correlation IDs (issue 24)', () => {
  it('derives a stable RFC 9562 version-8 UUID scoped to caller, route and key', () => {
    const id = keyedCorrelationId(secret, scope);
    expect(id).toMatch(UUID_V8);
    expect(parseCorrelationId(id)).toBe(id);
    expect(keyedCorrelationId(Buffer.from(secret), { ...scope })).toBe(id);
    expect(keyedCorrelationId(secret, { ...scope, caller: 'pos-2' })).not.toBe(id);
    expect(keyedCorrelationId(secret, { ...scope, route: 'POST /api/other' })).not.toBe(id);
    expect(keyedCorrelationId(secret, { ...scope, key: 'k2' })).not.toBe(id);
  });

  it('cannot be computed from the key without the secret', () => {
    const id = keyedCorrelationId(secret, scope);
    // What an outsider can compute: the unkeyed hash, or an HMAC under any other secret.
    expect(legacyCorrelationId(scope)).not.toBe(id);
    expect(keyedCorrelationId(Buffer.from('another secret of at least 32 chars'), scope)).not.toBe(id);
    expect(keyedCorrelationId(Buffer.alloc(0), scope)).not.toBe(id);
  });

  it('keeps the fields apart: what one holds cannot make another scope', () => {
    const joined = keyedCorrelationId(secret, { caller: 'a\nb', route: 'r', key: 'k' });
    expect(keyedCorrelationId(secret, { caller: 'a', route: 'b\nr', key: 'k' })).not.toBe(joined);
    expect(keyedCorrelationId(secret, { caller: 'a","b', route: 'r', key: 'k' })).not.toBe(
      keyedCorrelationId(secret, { caller: 'a', route: 'b","r', key: 'k' }),
    );
  });

  it('keeps the legacy ID as it was before (the SHA-256 of caller, route and key)', () => {
    const bytes = createHash('sha256').update('pos-1\nPOST /api/customers\nk').digest().subarray(0, 16);
    bytes[6] = (bytes[6]! & 0x0f) | 0x80;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    expect(legacyCorrelationId(scope).replace(/-/g, '')).toBe(bytes.toString('hex'));
  });

  it('looks for legacy records during RECORD_RETENTION_DAYS after the key was created, not after', () => {
    const key = { createdAt: new Date('2026-12-01T00:00:00.000Z') };
    expect(mayHaveLegacyRecord(key, 30, new Date('2026-12-30T23:59:59.999Z'))).toBe(true);
    expect(mayHaveLegacyRecord(key, 30, new Date('2026-12-31T00:00:00.000Z'))).toBe(false);
    expect(mayHaveLegacyRecord(key, 1, new Date('2026-12-01T12:00:00.000Z'))).toBe(true);
  });
});
