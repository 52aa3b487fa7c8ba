// JWTs through `jose` 5, not 6: jose 6 ships only ESM, which jest's CommonJS runtime cannot load
// (panva/jose#798, jestjs/jest#15716).
import { createHash, randomUUID } from 'node:crypto';
import { errors, exportJWK, generateKeyPair, JWK, JWTPayload, jwtVerify, KeyLike, SignJWT } from 'jose';

/** The RSA key pair the emulated Entra ID signs access tokens with (generated at start). */
export interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  publicKey: KeyLike;
  /** The public key as published on the JWKS endpoint. */
  jwk: JWK;
}

export type JwtClaims = JWTPayload;

export type JwtRejection = 'malformed' | 'signature' | 'expired' | 'not-yet-valid';

export type JwtVerification = { ok: true; payload: JwtClaims } | { ok: false; reason: JwtRejection };

/** The one algorithm Entra ID signs access tokens with (the `alg` of its JWKS keys and tokens). */
const ALGORITHM = 'RS256';

export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, {
    modulusLength: 2048,
    extractable: true,
  });
  const { n, e } = await exportJWK(publicKey);
  // Entra ID's kid is a 27-character base64url thumbprint (SHA-1 of its certificate); this one has the same shape.
  const kid = createHash('sha256').update(String(n)).digest('base64url').slice(0, 27);
  return {
    kid,
    privateKey,
    publicKey,
    // A key of Entra ID's JWKS: kty, use, kid, x5t (same value as kid), n, e (plus x5c, which has no use here).
    jwk: { kty: 'RSA', use: 'sig', alg: ALGORITHM, kid, x5t: kid, n, e },
  };
}

/**
 * Signs the claims as an RS256 JWT whose header is a v1 access token's: `typ`, `alg`, `kid` and `x5t`
 * ("functions the same (in use and value) as kid", emitted in v1.0 tokens only: Microsoft Learn, "Access
 * token claims reference", header claims).
 */
export function signJwt(key: SigningKey, claims: JwtClaims): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ typ: 'JWT', alg: ALGORITHM, kid: key.kid, x5t: key.kid })
    .sign(key.privateKey);
}

export interface VerifyOptions {
  /** The time to check `nbf` and `exp` against (default: now). */
  now?: Date;
}

/**
 * Checks the algorithm, the signature, `nbf` and `exp` (which must be there). No clock skew is allowed:
 * stricter than Microsoft.IdentityModel's default of 5 minutes, so that an expired token fails at once.
 * Audience and issuer are the caller's job (they are compared after the lifetime, as IdentityModel does).
 */
export async function verifyJwt(
  key: SigningKey,
  token: string,
  options: VerifyOptions = {},
): Promise<JwtVerification> {
  try {
    const { payload } = await jwtVerify(token, key.publicKey, {
      algorithms: [ALGORITHM],
      requiredClaims: ['exp'],
      clockTolerance: 0,
      currentDate: options.now,
    });
    return { ok: true, payload };
  } catch (error) {
    return { ok: false, reason: rejection(error) };
  }
}

function rejection(error: unknown): JwtRejection {
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature';
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    // A missing or non-numeric `exp` counts as expired: the token has no lifetime left to trust.
    if (error.claim === 'exp') return 'expired';
    if (error.claim === 'nbf' && error.reason === 'check_failed') return 'not-yet-valid';
    return 'malformed';
  }
  if (error instanceof errors.JOSEError) return 'malformed'; // bad structure, JSON, or an algorithm not allowed
  throw error;
}

/** A stable GUID-shaped id derived from a string (the service principal's object id for a client id). */
export function stableGuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const newGuid = (): string => randomUUID();
