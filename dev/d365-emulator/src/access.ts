import { z } from 'zod';

/**
 * Who may do what: the parts of a real setup people get wrong (issue 26), so every one of them can
 * be provoked through the emulator (`PATCH /_emulator/settings {"access": {...}}`).
 *
 * - `keyVaultReaders`: identities with the "Key Vault Secrets User" role on the vault. Any other
 *   identity's secret request is 403 `Forbidden` / `ForbiddenByRbac`, with the caller and the action
 *   named as Key Vault names them (key-vault.ts; Microsoft Learn, "Troubleshooting Azure Key Vault
 *   access policy issues" / "Azure RBAC for Key Vault data plane").
 * - `expiredSecretClientIds`: app registrations whose only client secret has passed its end date.
 *   Entra ID then answers the right secret with `invalid_client` AADSTS7000222 (entra-token.ts).
 * - `forbiddenClientIds`: app registrations that are registered in F&O (System administration >
 *   Setup > Microsoft Entra ID applications) but whose mapped user lacks the rights: 403.
 */
export interface Access {
  keyVaultReaders: string[];
  expiredSecretClientIds: string[];
  forbiddenClientIds: string[];
}

const clientIds = z.array(z.string().min(1));

export const accessPatchSchema = z
  .object({
    keyVaultReaders: clientIds.optional(),
    expiredSecretClientIds: clientIds.optional(),
    forbiddenClientIds: clientIds.optional(),
  })
  .strict();

export type AccessPatch = z.infer<typeof accessPatchSchema>;

const lower = (ids: string[]): string[] => ids.map((id) => id.toLowerCase());

export function applyAccessPatch(access: Access, patch: AccessPatch | undefined): Access {
  return {
    keyVaultReaders: lower(patch?.keyVaultReaders ?? access.keyVaultReaders),
    expiredSecretClientIds: lower(patch?.expiredSecretClientIds ?? access.expiredSecretClientIds),
    forbiddenClientIds: lower(patch?.forbiddenClientIds ?? access.forbiddenClientIds),
  };
}
