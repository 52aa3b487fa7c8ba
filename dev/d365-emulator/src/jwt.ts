import { createHash, generateKeyPair, KeyObject, randomUUID, sign, verify } from 'node:crypto';
import { promisify } from 'node:util';

/** The RSA key pair the emulated Entra ID signs access tokens with (generated at start). */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as published on the JWKS endpoint. */
  jwk: Record<string, unknown>;
}

export type JwtClaims = Record<string, unknown>;

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: JwtClaims;
}

export type JwtVerification =
  | { ok: true; payload: JwtClaims }
  | { ok: false; reason: 'malformed' | 'signature' | 'expired' | 'not-yet-valid' };

const generateKeyPairAsync = promisify(generateKeyPair);

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = createHash('sha256').update(String(jwk.n)).digest('base64url').slice(0, 27);
  return {
    kid,
    privateKey,
    publicKey,
    jwk: { kty: 'RSA', use: 'sig', alg: 'RS256', kid, x5t: kid, n: jwk.n, e: jwk.e },
  };
}

/** Signs the claims as an RS256 JWT. */
export function signJwt(key: SigningKey, claims: JwtClaims): string {
  const header = { typ: 'JWT', alg: 'RS256', kid: key.kid, x5t: key.kid };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(signingInput), key.privateKey);
  return `${signingInput}.${base64url(signature)}`;
}

/** Decodes a JWT without checking it. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(payload)) return undefined;
    return { header, payload };
  } catch {
    return undefined;
  }
}

/** Checks the signature, `nbf` and `exp` (no clock skew allowed). Audience and issuer are the caller's job. */
export function verifyJwt(key: SigningKey, token: string, nowSeconds = Date.now() / 1000): JwtVerification {
  const decoded = decodeJwt(token);
  if (!decoded || decoded.header.alg !== 'RS256') return { ok: false, reason: 'malformed' };
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const valid = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    key.publicKey,
    Buffer.from(signature, 'base64url'),
  );
  if (!valid) return { ok: false, reason: 'signature' };
  const { exp, nbf } = decoded.payload;
  if (typeof exp !== 'number' || nowSeconds >= exp) return { ok: false, reason: 'expired' };
  if (typeof nbf === 'number' && nowSeconds < nbf) return { ok: false, reason: 'not-yet-valid' };
  return { ok: true, payload: decoded.payload };
}

/** A stable GUID-shaped id derived from a string (the service principal's object id for a client id). */
export function stableGuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const newGuid = (): string => randomUUID();

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
