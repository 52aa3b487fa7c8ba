import { isLoopbackUrl } from './urls';

/** The endpoints that must all be real services or all the local emulator. */
const ENDPOINTS = [
  { name: 'D365_URL' },
  { name: 'KEY_VAULT_URL' },
  { name: 'ENTRA_AUTHORITY_HOST', default: 'https://login.microsoftonline.com' },
  // DefaultAzureCredential's authority (Key Vault); only when set.
  { name: 'AZURE_AUTHORITY_HOST' },
] as const;

/**
 * A configuration that sends some calls to a local emulator and others to real services never
 * works (a real D365 with the emulator's Entra ID, Key Vault on the emulator with real
 * credentials…) and fails late and quietly, as `retrying`. This names each setting that disagrees
 * with `D365_URL`. Settings that are absent or not URLs are left to the schema.
 */
export function mixedEnvironmentProblems(env: NodeJS.ProcessEnv): { setting: string; message: string }[] {
  const value = (name: string, fallback?: string): string | undefined => env[name]?.trim() || fallback;
  const d365 = value('D365_URL');
  if (!d365 || !URL.canParse(d365)) return [];
  const local = isLoopbackUrl(d365);
  const problems: { setting: string; message: string }[] = [];
  for (const endpoint of ENDPOINTS.slice(1)) {
    const url = value(endpoint.name, 'default' in endpoint ? endpoint.default : undefined);
    if (!url || !URL.canParse(url) || isLoopbackUrl(url) === local) continue;
    problems.push({
      setting: endpoint.name,
      message: local
        ? `names a real service (${new URL(url).origin}) while D365_URL names a local emulator (${new URL(d365).origin}): ` +
          'point both at the emulator (remove it to let npm start fill it in) or both at the real environment'
        : `names a local emulator (${new URL(url).origin}) while D365_URL names a real environment: ` +
          'use the real service (see local.settings.real.sample.json) or point D365_URL at the emulator too',
    });
  }
  return problems;
}
