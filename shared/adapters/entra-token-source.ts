import { AccessToken, ClientSecretCredential } from '@azure/identity';
import { asProcessingError, permanent, ProcessingError } from '../domain/failure';
import { CallOptions, SecretSource, TokenSource } from '../ports';
import { callSignal } from './call-options';

export interface TokenSourceOptions {
  tenantId: string;
  clientId: string;
  /** The D365 environment URL; the token is requested for `{resource}/.default`. */
  resource: string;
  authorityHost: string;
  /** ENTRA_TIMEOUT_MS: how long a token request may take (the secret's read has Key Vault's own). */
  timeoutMs: number;
}

export const PUBLIC_AUTHORITY = 'https://login.microsoftonline.com';

/** A cached token is renewed this long before it expires. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** True when Entra ID rejected the client secret (`invalid_client`, AADSTS7000215 and kin). */
export function isInvalidClientError(error: unknown): boolean {
  for (let e = error as { message?: string; errorCode?: string; cause?: unknown } | undefined; e;) {
    if (
      e.errorCode === 'invalid_client' ||
      /invalid_client|AADSTS7000215|AADSTS7000222/.test(e.message ?? '')
    ) {
      return true;
    }
    e = e.cause as typeof e;
  }
  return false;
}

/**
 * Entra ID answers that no retry can change (a setting names the wrong tenant, application or
 * resource): the AADSTS code with the setting to fix, or undefined for any other error. A tenant
 * that does not exist reaches the SDK only as `endpoints_resolution_error` (its metadata is
 * refused), which an unreachable authority gives too, so that one stays transient (npm run doctor
 * asks the token endpoint directly and names it).
 */
export function entraConfigurationProblem(error: unknown): string | undefined {
  for (let e = error as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    const code = /AADSTS(\d+)/.exec(e.message ?? '')?.[1];
    const setting = code && ENTRA_CONFIGURATION_CODES[code];
    if (setting)
      return `Entra ID refused the token request (AADSTS${code}): ${setting} (npm run doctor names the fix).`;
  }
  return undefined;
}

const ENTRA_CONFIGURATION_CODES: Record<string, string> = {
  '90002': 'D365_TENANT_ID names no tenant',
  '900023': 'D365_TENANT_ID is not a tenant ID',
  '700016': 'D365_CLIENT_ID is not an application of the tenant D365_TENANT_ID names',
  '500011': 'D365_URL is not a resource of the tenant (the environment URL, without a path)',
};

export function entraTokenSource(secrets: SecretSource, options: TokenSourceOptions): TokenSource {
  const scope = `${options.resource}/.default`;
  let credential: { secret: string; value: ClientSecretCredential } | undefined;

  const credentialFor = (secret: string, fresh: boolean): ClientSecretCredential => {
    if (!credential || credential.secret !== secret || fresh) {
      credential = {
        secret,
        value: new ClientSecretCredential(options.tenantId, options.clientId, secret, {
          authorityHost: options.authorityHost,
          // Instance discovery only knows Microsoft's own clouds.
          disableInstanceDiscovery: options.authorityHost !== PUBLIC_AUTHORITY,
        }),
      };
    }
    return credential.value;
  };

  const requestToken = async (fresh: boolean, call: CallOptions): Promise<AccessToken> => {
    const secret = await secrets.get(call.abortSignal && { abortSignal: call.abortSignal });
    return credentialFor(secret, fresh).getToken(scope, { abortSignal: callSignal(call, options.timeoutMs) });
  };

  const obtain = async (fresh: boolean, call: CallOptions): Promise<AccessToken> => {
    try {
      return await requestToken(fresh, call);
    } catch (error) {
      if (error instanceof ProcessingError) throw error;
      const configuration = entraConfigurationProblem(error);
      if (configuration) throw permanent('configuration', configuration);
      if (!isInvalidClientError(error)) throw asProcessingError(error, 'Entra ID');
    }
    // The secret was rejected: it may have been rotated. Read it again from Key Vault, once.
    secrets.invalidate();
    try {
      return await requestToken(true, call);
    } catch (error) {
      if (error instanceof ProcessingError) throw error;
      if (isInvalidClientError(error)) {
        throw permanent(
          'invalid_secret',
          'Entra ID rejected the D365 client secret read from Key Vault (invalid_client). Put the current secret in Key Vault.',
        );
      }
      throw asProcessingError(error, 'Entra ID');
    }
  };

  // One token for every invocation of the instance, and one request for it at a time: concurrent
  // calls share the request in flight instead of each asking Entra ID.
  let current: Promise<AccessToken> | undefined;
  const usable = (token: AccessToken): boolean => token.expiresOnTimestamp - REFRESH_MARGIN_MS > Date.now();
  return {
    async getToken({ fresh = false, ...call } = {}) {
      if (!fresh && current) {
        const token = await current.catch(() => undefined);
        if (token && usable(token)) return token.token;
      }
      const request = obtain(fresh, call);
      current = request;
      request.catch(() => {
        if (current === request) current = undefined;
      });
      return (await request).token;
    },
  };
}
