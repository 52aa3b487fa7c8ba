import type { SigningSecretKind } from '../domain/secret-strength';
import type { Config } from './config';

/** A Key Vault secret that signs or verifies, and the setting that names it (for messages). */
export interface SigningSecretRule {
  kind: SigningSecretKind;
  setting: string;
}

/**
 * The signing secrets this configuration uses, by Key Vault secret name: each webhook source's
 * `secretName` and `CALLBACK_SECRET_NAME` (the BigCommerce API token is a credential, not a signing
 * secret, and is not listed).
 */
export function signingSecretRules(config: Config): Map<string, SigningSecretRule> {
  const rules = new Map<string, SigningSecretRule>();
  for (const source of config.webhooks.sources) {
    rules.set(source.secretName, {
      kind: source.kind,
      setting: `WEBHOOK_SOURCES (source "${source.name}", secretName)`,
    });
  }
  rules.set(config.callbacks.secretName, { kind: 'standard', setting: 'CALLBACK_SECRET_NAME' });
  return rules;
}
