import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settings } from '../shared/config';

/** The `Values` and `Host` sections of local.settings.json, if the file exists. */
export interface LocalSettings {
  Values: Record<string, string>;
  Host: { LocalHttpPort?: number };
}

export function readLocalSettings(appDir: string): LocalSettings {
  const file = join(appDir, 'local.settings.json');
  if (!existsSync(file)) return { Values: {}, Host: {} };
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSettings>;
  return { Values: parsed.Values ?? {}, Host: parsed.Host ?? {} };
}

/**
 * The settings the app needs on the local stack: each setting's local default, with the
 * emulator's URL for D365, Entra ID and Key Vault, and Azurite for storage.
 */
export function localAppSettings(
  emulatorUrl: string,
  storageConnectionString: string,
): Record<string, string> {
  const values: Record<string, string> = Object.fromEntries(settings.map((s) => [s.name, s.local]));
  for (const name of ['D365_URL', 'KEY_VAULT_URL', 'ENTRA_AUTHORITY_HOST']) values[name] = emulatorUrl;
  values.AzureWebJobsStorage = storageConnectionString;
  values.FUNCTIONS_WORKER_RUNTIME = 'node';
  return values;
}

/** True when a URL points at this machine (so the emulator stands in for the service). */
export function isLoopbackUrl(value: string | undefined): boolean {
  if (!value) return true;
  try {
    const { hostname } = new URL(value);
    return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(hostname);
  } catch {
    return false;
  }
}
