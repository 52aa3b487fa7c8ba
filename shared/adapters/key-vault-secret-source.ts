import { SecretClient } from '@azure/keyvault-secrets';
import { asProcessingError, permanent } from '../domain/failure';
import { SecretSource } from '../ports';

export function keyVaultSecretSource(
  client: SecretClient,
  secretName: string,
  timeoutMs: number,
): SecretSource {
  let cached: Promise<string> | undefined;
  const read = async (): Promise<string> => {
    try {
      const secret = await client.getSecret(secretName, { abortSignal: AbortSignal.timeout(timeoutMs) });
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
    get() {
      cached ??= read().catch((error: unknown) => {
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
