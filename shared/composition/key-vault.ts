/** Key Vault for the composition root: the D365 client secret behind Entra ID tokens, and the signing secrets. */
import { DefaultAzureCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import type { Config } from '../config/config';
import { isLoopbackUrl } from '../config/urls';
import { signingSecretRules } from '../config/signing-secrets';
import { secretWeakness } from '../domain/secret-strength';
import { keyVaultSecretSource } from '../adapters/key-vault-secret-source';
import { keyVaultWebhookSecrets } from '../adapters/key-vault-webhook-secrets';
import { entraTokenSource, PUBLIC_AUTHORITY } from '../adapters/entra-token-source';
import type { TokenSource, WebhookSecrets } from '../ports';

export interface KeyVaultParts {
  secretClient: SecretClient;
  /** D365 access tokens, from Entra ID with the client secret held in Key Vault. */
  tokens: TokenSource;
  webhookSecrets: WebhookSecrets;
}

export function keyVaultParts(config: Config): KeyVaultParts {
  // DefaultAzureCredential, as in Azure: the managed identity there; locally the identity that
  // AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET name (the local stack sets the emulator's),
  // or `az login`. A vault on this machine is the emulator, whose challenge cannot name its own domain.
  const keyVaultCredential = new DefaultAzureCredential({
    authorityHost: config.authorityHost,
    disableInstanceDiscovery: config.authorityHost !== PUBLIC_AUTHORITY,
  });
  const secretClient = new SecretClient(config.keyVault.url, keyVaultCredential, {
    disableChallengeResourceVerification: isLoopbackUrl(config.keyVault.url),
  });
  const secrets = keyVaultSecretSource(secretClient, config.keyVault.secretName, config.keyVault.timeoutMs);
  const tokens = entraTokenSource(secrets, {
    tenantId: config.d365.tenantId,
    clientId: config.d365.clientId,
    resource: config.d365.url,
    authorityHost: config.authorityHost,
    timeoutMs: config.entraTimeoutMs,
  });

  const signingRules = signingSecretRules(config);
  const webhookSecrets = keyVaultWebhookSecrets(secretClient, {
    refreshSeconds: config.webhooks.secretRefreshSeconds,
    rotationWindowSeconds: config.webhooks.rotationWindowSeconds,
    timeoutMs: config.keyVault.timeoutMs,
    weakness: (name, value) => {
      const rule = signingRules.get(name);
      return rule && secretWeakness(rule.kind, value);
    },
    // A weak secret is never used: deliveries signed with it get 401, callbacks wait unsigned.
    onRefused: (name, reason) =>
      console.error(
        `Refused the Key Vault secret "${name}" (${signingRules.get(name)?.setting ?? 'a signing secret'}): ${reason}. Put a stronger value in Key Vault as a new version of the secret.`,
      ),
  });
  return { secretClient, tokens, webhookSecrets };
}
