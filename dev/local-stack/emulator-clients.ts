import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import {
  LOCAL_D365_CLIENT_ID,
  LOCAL_KEY_VAULT_READER_CLIENT_ID,
  LOCAL_KEY_VAULT_READER_SECRET,
  LOCAL_TENANT_ID,
} from '@d365-customer-sync/d365-emulator';
import { entraTokenSource } from '../../shared/adapters/entra-token-source';
import { keyVaultSecretSource } from '../../shared/adapters/key-vault-secret-source';
import type { TokenSource } from '../../shared/ports';

/**
 * The emulator's Key Vault through the real SDK, signed in as the app's Key Vault reader (its local
 * identity), the way the app reads it. The emulator's certificate must be trusted first
 * (`trustCertificate`).
 */
export function emulatorVault(emulatorUrl: string): SecretClient {
  return new SecretClient(
    emulatorUrl,
    new ClientSecretCredential(
      LOCAL_TENANT_ID,
      LOCAL_KEY_VAULT_READER_CLIENT_ID,
      LOCAL_KEY_VAULT_READER_SECRET,
      {
        authorityHost: emulatorUrl,
        disableInstanceDiscovery: true,
      },
    ),
    { disableChallengeResourceVerification: true },
  );
}

/** The app's D365 token source against the emulator: the secret from its Key Vault, tokens from its Entra ID. */
export function emulatorD365Tokens(emulatorUrl: string, timeoutMs = 5000): TokenSource {
  return entraTokenSource(keyVaultSecretSource(emulatorVault(emulatorUrl), 'd365-client-secret', timeoutMs), {
    tenantId: LOCAL_TENANT_ID,
    clientId: LOCAL_D365_CLIENT_ID,
    resource: emulatorUrl,
    authorityHost: emulatorUrl,
    timeoutMs,
  });
}

/** A call of the emulator's control API (`/_emulator/...`) that it refused: the call and its answer. */
export class EmulatorControlError extends Error {
  override readonly name = 'EmulatorControlError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`emulator ${method} ${path}: ${status} ${body}`);
  }
}

/**
 * The emulator's control API: `call(method, path, body?)` sends JSON to `baseUrl` + `path` and
 * returns the parsed answer (undefined when empty); a non-2xx answer throws `EmulatorControlError`.
 * `timeoutMs` aborts a call that takes longer.
 */
export function emulatorApi(baseUrl: string, options: { timeoutMs?: number } = {}) {
  return async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      ...(options.timeoutMs !== undefined && { signal: AbortSignal.timeout(options.timeoutMs) }),
    });
    const text = await response.text();
    if (!response.ok) throw new EmulatorControlError(method, path, response.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}
