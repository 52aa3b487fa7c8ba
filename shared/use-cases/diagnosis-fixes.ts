import type { HttpProbe, SecretProbe, TokenProbe } from '../ports';

/**
 * What each wrong answer of Key Vault, Entra ID and D365 means for a configuration, and the fix in
 * one line (issue 26). The AADSTS codes and texts are Entra ID's (Microsoft Learn, "Microsoft
 * Entra authentication and authorization error codes"; https://login.microsoftonline.com/error?code=N);
 * the F&O steps are the source article's and Microsoft Learn's ("Register an app in Microsoft Entra
 * ID" for F&O services: System administration > Setup > Microsoft Entra ID applications).
 */
export interface Finding {
  problem: string;
  fix: string;
}

/** The vault's name, from its URL (`https://kv-sync.vault.azure.net` → `kv-sync`). */
export function vaultName(url: string): string {
  const host = new URL(url).hostname;
  return /\.vault\./.test(host) ? (host.split('.')[0] ?? host) : host;
}

/** A Key Vault read that did not give a value: why, and what to do (`what` says what the secret is). */
export function secretFinding(
  probe: Exclude<SecretProbe, { kind: 'found' }>,
  vaultUrl: string,
  secretName: string,
  what: string,
): Finding {
  const vault = vaultName(vaultUrl);
  switch (probe.kind) {
    case 'missing':
      return {
        problem: `Key Vault ${vaultUrl} has no secret '${secretName}' (${what}).`,
        fix: `az keyvault secret set --vault-name ${vault} --name ${secretName} --value '<${what}>'`,
      };
    case 'forbidden':
      if (probe.code === 'SecretDisabled')
        return {
          problem: `The Key Vault secret '${secretName}' is disabled.`,
          fix: `az keyvault secret set-attributes --vault-name ${vault} --name ${secretName} --enabled true`,
        };
      if (probe.code === 'ForbiddenByRbac')
        return {
          problem: `The identity ${probe.caller ?? 'the app uses'} may not read secrets in ${vaultUrl} (ForbiddenByRbac).`,
          fix: `az role assignment create --role "Key Vault Secrets User" --assignee ${probe.caller ?? '<the identity>'} --scope $(az keyvault show --name ${vault} --query id -o tsv)  (the vault's resource ID, /subscriptions/…/providers/Microsoft.KeyVault/vaults/${vault})`,
        };
      return {
        problem: `The identity ${probe.caller ?? 'the app uses'} may not read secrets in ${vaultUrl} (${probe.code}: no access policy).`,
        fix: `az keyvault set-policy --name ${vault} --spn ${probe.caller ?? '<the identity>'} --secret-permissions get`,
      };
    case 'unauthorized':
      return {
        problem: `Key Vault ${vaultUrl} refused the identity's token: ${probe.message}`,
        fix: `Sign in to the vault's tenant (az login --tenant <the vault's tenant>) or, in Azure, use a managed identity of that tenant (AZURE_CLIENT_ID).`,
      };
    case 'no-identity':
      return {
        problem: `No identity could sign in to read Key Vault: ${probe.message}`,
        fix: 'Locally: az login (or set AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET); in Azure: give the function app a managed identity (AZURE_CLIENT_ID names a user-assigned one).',
      };
    case 'unreachable':
      return {
        problem: `Key Vault ${vaultUrl} did not answer (${probe.reason}).`,
        fix: `Set KEY_VAULT_URL to the vault's Vault URI (Azure portal > the key vault > Overview, https://<name>.vault.azure.net) and check the network path to it.`,
      };
  }
}

/** Entra ID refused the D365 token, or did not answer. */
export function tokenFinding(
  probe: Exclude<TokenProbe, { kind: 'issued' }>,
  context: { tenantId: string; clientId: string; d365Url: string; vaultUrl: string; secretName: string },
): Finding {
  const { tenantId, clientId, d365Url, secretName } = context;
  const vault = vaultName(context.vaultUrl);
  const putSecret = `az keyvault secret set --vault-name ${vault} --name ${secretName} --value '<the secret's Value>'`;
  if (probe.kind === 'unreachable') {
    return {
      problem: `Entra ID (ENTRA_AUTHORITY_HOST) did not answer (${probe.reason}).`,
      fix: 'Set ENTRA_AUTHORITY_HOST to https://login.microsoftonline.com (or your national cloud) and check the network path to it.',
    };
  }
  const said = `Entra ID: AADSTS${probe.code ?? '?'} ${probe.message}`;
  switch (probe.code) {
    case 7000215:
      return {
        problem: `${said} The secret in Key Vault is not a client secret of app ${clientId} (or it is the secret's ID, not its Value).`,
        fix: `App registrations > ${clientId} > Certificates & secrets: copy a secret's Value (create one if no Value is shown), then ${putSecret}`,
      };
    case 7000222:
      return {
        problem: `${said} The client secret of app ${clientId} has expired.`,
        fix: `App registrations > ${clientId} > Certificates & secrets > New client secret, then ${putSecret} (no restart needed)`,
      };
    case 90002:
    case 900023:
      return {
        problem: `${said} D365_TENANT_ID (${tenantId}) is not a Microsoft Entra tenant.`,
        fix: "Set D365_TENANT_ID to the Directory (tenant) ID on the app registration's Overview page.",
      };
    case 700016:
      return {
        problem: `${said} App ${clientId} is not in tenant ${tenantId}.`,
        fix: 'Set D365_CLIENT_ID and D365_TENANT_ID to the Application (client) ID and the Directory (tenant) ID of the same app registration (its Overview page).',
      };
    case 500011:
      return {
        problem: `${said} Tenant ${tenantId} knows no resource ${d365Url}.`,
        fix: 'Set D365_URL to the environment URL exactly as it opens in a browser: https://<environment>.operations.dynamics.com, no path, no trailing slash.',
      };
    default:
      return {
        problem: said,
        fix: `See https://login.microsoftonline.com/error?code=${probe.code ?? ''} for this code; D365_TENANT_ID, D365_CLIENT_ID and the secret must belong to one app registration.`,
      };
  }
}

/** D365 answered the first data request with something else than 200 (or not at all). */
export function d365Finding(probe: HttpProbe, d365Url: string, clientId: string): Finding {
  if (probe.kind === 'unreachable') {
    return {
      problem: `D365 at ${d365Url} did not answer (${probe.reason}).`,
      fix: 'Set D365_URL to the environment URL (https://<environment>.operations.dynamics.com) and check the network path to it.',
    };
  }
  const registerApp = `In D365: System administration > Setup > Microsoft Entra ID applications > New: Client ID ${clientId}, a name, and a user`;
  switch (probe.status) {
    case 401:
      return {
        problem: `D365 answered 401 to a valid token: app ${clientId} is not registered in this environment.`,
        fix: `${registerApp} (the integration's service account).`,
      };
    case 403:
      return {
        problem: `D365 answered 403: app ${clientId} is registered, but its user may not read customers.`,
        fix: `Give the user mapped to ${clientId} (Microsoft Entra ID applications) a role that maintains customers in the legal entities it serves, e.g. Accounts receivable clerk.`,
      };
    case 404:
      return {
        problem: `${d365Url} has no /data/CustomersV3: it is not a Finance and Operations environment.`,
        fix: 'Set D365_URL to the environment URL (https://<environment>.operations.dynamics.com), not a Dataverse, CRM or LCS URL.',
      };
    default:
      return {
        problem: `D365 answered ${probe.status} to a read of CustomersV3.`,
        fix:
          probe.status === 429 || probe.status >= 500
            ? 'D365 is busy or unavailable: run the check again later.'
            : 'Check D365_URL; the answer was: ' + probe.body.slice(0, 200),
      };
  }
}
