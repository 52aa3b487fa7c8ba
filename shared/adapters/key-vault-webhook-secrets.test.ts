import type { SecretClient } from '@azure/keyvault-secrets';
import { keyVaultWebhookSecrets } from './key-vault-webhook-secrets';

/** A Key Vault stand-in (unit test of the adapter's own rules): one version per secret. */
function vault(values: Record<string, string>): SecretClient {
  return {
    listPropertiesOfSecretVersions: async function* (name: string) {
      if (name in values) yield { name, version: 'v1', enabled: true, createdOn: new Date(0) };
    },
    getSecret: async (name: string) => ({ name, value: values[name] }),
  } as unknown as SecretClient;
}

describe('keyVaultWebhookSecrets: weak secrets', () => {
  it('never returns a value its weakness check refuses, and says why with the secret name only', async () => {
    const refused: string[] = [];
    const secrets = keyVaultWebhookSecrets(vault({ weak: 'short', strong: 'y'.repeat(40) }), {
      refreshSeconds: 300,
      rotationWindowSeconds: 3600,
      timeoutMs: 1000,
      weakness: (_name, value) => (value.length < 32 ? 'too short' : undefined),
      onRefused: (name, reason) => refused.push(`${name}: ${reason}`),
    });
    await expect(secrets.get('weak')).resolves.toEqual([]);
    await expect(secrets.get('strong')).resolves.toEqual(['y'.repeat(40)]);
    expect(refused).toEqual(['weak: too short']);
  });
});
