import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createSigningKey, signJwt, SigningKey, verifyJwt } from './jwt';

const NOW = 1_700_000_000;
const at = (seconds: number): Date => new Date(seconds * 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  aud: 'a',
  iat: NOW,
  nbf: NOW,
  exp: NOW + 60,
  ...extra,
});

let key: SigningKey;
let otherKey: SigningKey;

beforeAll(async () => {
  [key, otherKey] = await Promise.all([createSigningKey(), createSigningKey()]);
});

describe('signJwt', () => {
  it('writes the header of a v1 access token: typ, RS256, kid and x5t equal to the published key id', async () => {
    const token = await signJwt(key, claims());
    expect(decodeProtectedHeader(token)).toEqual({ typ: 'JWT', alg: 'RS256', kid: key.kid, x5t: key.kid });
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{27}$/);
    expect(key.jwk).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', kid: key.kid, x5t: key.kid });
  });

  it('signs so that a client holding only the JWKS verifies it and picks the key by kid', async () => {
    const token = await signJwt(key, claims());
    const jwks = createLocalJWKSet({ keys: [otherKey.jwk, key.jwk] });
    const { payload } = await jwtVerify(token, jwks, { currentDate: at(NOW) });
    expect(payload).toEqual(claims());
  });
});

describe('verifyJwt', () => {
  it('accepts its own token within its lifetime and returns the claims', async () => {
    const token = await signJwt(key, claims());
    await expect(verifyJwt(key, token, { now: at(NOW) })).resolves.toEqual({ ok: true, payload: claims() });
    await expect(verifyJwt(key, token, { now: at(NOW + 59) })).resolves.toMatchObject({ ok: true });
  });

  it('rejects a token signed with another key, or with a changed payload, as a bad signature', async () => {
    const foreign = await signJwt(otherKey, claims());
    await expect(verifyJwt(key, foreign, { now: at(NOW) })).resolves.toEqual({
      ok: false,
      reason: 'signature',
    });

    const [header, , signature] = (await signJwt(key, claims())).split('.');
    const payload = Buffer.from(JSON.stringify(claims({ aud: 'b' }))).toString('base64url');
    await expect(verifyJwt(key, `${header}.${payload}.${signature}`, { now: at(NOW) })).resolves.toEqual({
      ok: false,
      reason: 'signature',
    });
  });

  it('rejects a token from its exp on, without clock skew, and one with no exp at all', async () => {
    const token = await signJwt(key, claims());
    await expect(verifyJwt(key, token, { now: at(NOW + 60) })).resolves.toEqual({
      ok: false,
      reason: 'expired',
    });
    const noExp = await signJwt(key, { aud: 'a', nbf: NOW });
    await expect(verifyJwt(key, noExp, { now: at(NOW) })).resolves.toEqual({ ok: false, reason: 'expired' });
  });

  it('rejects a token before its nbf', async () => {
    const token = await signJwt(key, claims());
    await expect(verifyJwt(key, token, { now: at(NOW - 1) })).resolves.toEqual({
      ok: false,
      reason: 'not-yet-valid',
    });
  });

  it.each([
    ['not a JWT', 'abc'],
    ['two parts', 'eyJhbGciOiJSUzI1NiJ9.e30'],
    ['a header that is not JSON', `${Buffer.from('{').toString('base64url')}.e30.c2ln`],
    [
      'alg none',
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.`,
    ],
  ])('rejects %s as malformed', async (_what, token) => {
    await expect(verifyJwt(key, token, { now: at(NOW) })).resolves.toEqual({
      ok: false,
      reason: 'malformed',
    });
  });
});
