import { randomBytes, randomUUID } from 'node:crypto';
import { JwtClaims, JwtRejection, signJwt, stableGuid, verifyJwt } from './jwt';
import { EmulatorState, normalizeResource } from './state';

export interface IssuedToken {
  accessToken: string;
  /** Unix seconds. */
  issuedAt: number;
  expiresOn: number;
  lifetimeSeconds: number;
}

/** The issuer of the emulator's (v1-format) access tokens. */
export const tokenIssuer = (state: EmulatorState): string => `${state.url}/${state.options.tenantId}/`;

/**
 * Issues an access token as Entra ID does for a client-credentials grant. D365 and Key Vault accept v1
 * tokens, so tokens are v1-shaped whichever endpoint issued them (`ver` 1.0, `appid`); `azp` is added too.
 */
export async function issueAccessToken(
  state: EmulatorState,
  clientId: string,
  audience: string,
): Promise<IssuedToken> {
  const now = Math.floor(Date.now() / 1000);
  const lifetimeSeconds = state.settings.tokenLifetimeSeconds;
  const oid = stableGuid(`${state.options.tenantId}/${clientId}`);
  const claims: JwtClaims = {
    aud: audience,
    iss: tokenIssuer(state),
    iat: now,
    nbf: now,
    exp: now + lifetimeSeconds,
    aio: randomBytes(24).toString('base64url'),
    appid: clientId,
    appidacr: '1',
    azp: clientId,
    azpacr: '1',
    idp: tokenIssuer(state),
    idtyp: 'app',
    oid,
    rh: randomBytes(12).toString('base64url'),
    sub: oid,
    tid: state.options.tenantId,
    uti: randomBytes(16).toString('base64url'),
    ver: '1.0',
    xms_tcdt: now - 86400,
    jti: randomUUID(),
  };
  return {
    accessToken: await signJwt(state.signingKey, claims),
    issuedAt: now,
    expiresOn: now + lifetimeSeconds,
    lifetimeSeconds,
  };
}

export type TokenCheck =
  | { ok: true; clientId: string; audience: string; claims: JwtClaims }
  | { ok: false; reason: 'missing' | JwtRejection }
  /** `found`: the token's `aud` or `iss`, which Key Vault's 401 message quotes. */
  | { ok: false; reason: 'audience' | 'issuer'; found: string };

/**
 * Validates a bearer token the emulator issued: signature, lifetime, audience, then issuer and tenant (the
 * order of Microsoft.IdentityModel's JsonWebTokenHandler: lifetime, audience, issuer).
 */
export async function checkAccessToken(
  state: EmulatorState,
  token: string | undefined,
  acceptsAudience: (audience: string) => boolean,
): Promise<TokenCheck> {
  if (!token) return { ok: false, reason: 'missing' };
  const verified = await verifyJwt(state.signingKey, token);
  if (!verified.ok) return { ok: false, reason: verified.reason };
  const { payload } = verified;
  const audience = typeof payload.aud === 'string' ? payload.aud : '';
  if (!acceptsAudience(normalizeResource(audience)))
    return { ok: false, reason: 'audience', found: audience };
  if (payload.iss !== tokenIssuer(state) || payload.tid !== state.options.tenantId) {
    return { ok: false, reason: 'issuer', found: String(payload.iss ?? '') };
  }
  const clientId = typeof payload.appid === 'string' ? payload.appid.toLowerCase() : '';
  if (!clientId) return { ok: false, reason: 'malformed' };
  return { ok: true, clientId, audience, claims: payload };
}
