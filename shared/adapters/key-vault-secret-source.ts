import { SecretClient } from '@azure/keyvault-secrets';
import { asProcessingError, permanent } from '../domain/failure';
import { CallOptions, SecretSource } from '../ports';
import { callSignal } from './call-options';

export function keyVaultSecretSource(
  client: SecretClient,
  secretName: string,
  /** KEY_VAULT_TIMEOUT_MS: how long the read may take. */
  timeoutMs: number,
): SecretSource {
  let cached: Promise<string> | undefined;
  /** One read for every caller until it ends: the first caller's options bag governs it. */
  const read = async (options: CallOptions | undefined): Promise<string> => {
    try {
      const secret = await client.getSecret(secretName, { abortSignal: callSignal(options, timeoutMs) });
      if (!secret.value)
        throw permanent('configuration', `The Key Vault secret '${secretName}' has no value.`);
      return secret.value;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404)
        throw permanent('configuration', `The Key Vault secret '${secretName}' does not exist.`);
      if (status === 403)
        throw permanent(
          'configuration',
          `The app's identity may not read the Key Vault secret '${secretName}'.`,
        );
      throw asProcessingError(error, 'Key Vault');
    }
  };
  return {
    get(options) {
      cached ??= read(options).catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
      return cached;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
