import { createServer } from 'node:net';
import {
  LOCAL_D365_CLIENT_ID,
  LOCAL_KEY_VAULT_READER_CLIENT_ID,
  LOCAL_KEY_VAULT_READER_SECRET,
  LOCAL_TENANT_ID,
} from '@d365-customer-sync/d365-emulator';
import { mixedEnvironmentProblems } from '../../shared/config/environment-mix';
import { isLoopbackUrl } from '../../shared/config/urls';

/** The settings that hold a URL of the emulator when the local stack uses it. */
export const EMULATOR_URL_SETTINGS = ['D365_URL', 'KEY_VAULT_URL', 'ENTRA_AUTHORITY_HOST'] as const;

const EMULATOR_VALUES: Record<string, string> = {
  [LOCAL_TENANT_ID]: "the emulator's tenant",
  [LOCAL_D365_CLIENT_ID]: "the emulator's D365 app registration",
  [LOCAL_KEY_VAULT_READER_CLIENT_ID]: "the emulator's Key Vault reader",
  [LOCAL_KEY_VAULT_READER_SECRET]: "the emulator's Key Vault reader secret",
};

/**
 * Why the configured settings cannot run: endpoints that mix the emulator and real services, and,
 * against a real environment, the emulator's well-known identities left over from
 * local.settings.sample.json. One line per setting, naming it; empty when they are consistent.
 */
export function environmentProblems(configured: Record<string, string | undefined>): string[] {
  const lines = mixedEnvironmentProblems(configured).map((p) => `${p.setting} ${p.message}.`);
  if (isLoopbackUrl(configured.D365_URL)) return lines;
  if (!configured.KEY_VAULT_URL?.trim()) {
    lines.push(
      'KEY_VAULT_URL is missing: with a real D365_URL, name the real Key Vault that holds the client secret.',
    );
  }
  for (const [name, value] of Object.entries(configured)) {
    const what = value === undefined ? undefined : EMULATOR_VALUES[value.trim()];
    if (what) {
      lines.push(
        `${name} is ${what}, which exists only in the emulator, while D365_URL names a real environment: ` +
          'set the real value or remove it (see local.settings.real.sample.json).',
      );
    }
  }
  return lines;
}

/**
 * The settings that name the emulator at another origin than the one that runs (a copied
 * local.settings.sample.json with EMULATOR_PORT set, say), each with the value that names the
 * emulator that runs: the URL settings, and the BigCommerce `apiUrl`s in WEBHOOK_SOURCES.
 */
export function staleEmulatorUrls(
  configured: Record<string, string | undefined>,
  emulatorUrl: string,
): { name: string; value: string; replacement: string }[] {
  const origin = new URL(emulatorUrl).origin;
  const stale = (value: string | undefined): value is string =>
    !!value && URL.canParse(value) && isLoopbackUrl(value) && new URL(value).origin !== origin;
  const found: { name: string; value: string; replacement: string }[] = EMULATOR_URL_SETTINGS.flatMap(
    (name) => {
      const value = configured[name]?.trim();
      return stale(value) ? [{ name, value, replacement: emulatorUrl }] : [];
    },
  );
  const sources = parseJsonArray(configured.WEBHOOK_SOURCES);
  const staleApis = sources.filter((s) => s.kind === 'bigcommerce' && stale(s.apiUrl as string | undefined));
  if (staleApis.length > 0) {
    const replaced = sources.map((s) => (staleApis.includes(s) ? { ...s, apiUrl: emulatorUrl } : s));
    found.push({
      name: 'WEBHOOK_SOURCES',
      value: `a BigCommerce apiUrl of ${String(staleApis[0]!.apiUrl)}`,
      replacement: JSON.stringify(replaced),
    });
  }
  return found;
}

function parseJsonArray(text: string | undefined): Record<string, unknown>[] {
  try {
    const value = JSON.parse(text ?? '') as unknown;
    return Array.isArray(value)
      ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null)
      : [];
  } catch {
    return [];
  }
}

/** True when nothing listens on `port` on 127.0.0.1. */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * Azurite's blob, queue and table ports: `AZURITE_PORT` (the blob port; queue and table take the
 * next two; 0 picks free ports), else Azurite's defaults 10000–10002 when they are free, else free
 * ports (another Azurite, such as VS Code's, holds the defaults).
 */
export async function azuritePorts(
  setting: string | undefined,
): Promise<{ blobPort: number; queuePort: number; tablePort: number; why?: string }> {
  const spread = (base: number) => ({
    blobPort: base,
    queuePort: base ? base + 1 : 0,
    tablePort: base ? base + 2 : 0,
  });
  if (setting !== undefined && setting.trim() !== '') {
    const base = Number(setting);
    if (!Number.isInteger(base) || base < 0 || base > 65533) {
      throw new Error(
        `AZURITE_PORT must be a port number (0 picks free ports); got ${JSON.stringify(setting)}`,
      );
    }
    return spread(base);
  }
  const free = await Promise.all([10000, 10001, 10002].map((port) => portIsFree(port)));
  if (free.every(Boolean)) return spread(10000);
  return {
    ...spread(0),
    why: 'ports 10000-10002 are in use (another Azurite?), so Azurite runs on free ports',
  };
}
