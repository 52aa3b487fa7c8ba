import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_PORT,
  LOCAL_D365_CLIENT_ID,
  LOCAL_KEY_VAULT_READER_CLIENT_ID,
  LOCAL_KEY_VAULT_READER_SECRET,
  LOCAL_TENANT_ID,
} from '@d365-customer-sync/d365-emulator';
import { settings } from '../../shared/config/settings';
import { HOST_BODY_SIZE_LIMIT_BYTES } from '../../shared/http/request-body';
import { localWebhookSources } from './try-it';
export { isLoopbackUrl } from '../../shared/config/urls';

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

/** The emulator's URL when it runs on its default port (what the sample settings name). */
export const DEFAULT_EMULATOR_URL = `https://127.0.0.1:${DEFAULT_PORT}`;

/**
 * What the app needs to use an emulator: its URL for D365, Entra ID and Key Vault, the D365 app
 * registration it knows, and (as AZURE_* for DefaultAzureCredential) the identity that stands in
 * for the function app's managed identity when it reads Key Vault.
 */
export function emulatorSettings(emulatorUrl: string): Record<string, string> {
  return {
    D365_URL: emulatorUrl,
    KEY_VAULT_URL: emulatorUrl,
    ENTRA_AUTHORITY_HOST: emulatorUrl,
    D365_TENANT_ID: LOCAL_TENANT_ID,
    D365_CLIENT_ID: LOCAL_D365_CLIENT_ID,
    AZURE_TENANT_ID: LOCAL_TENANT_ID,
    AZURE_CLIENT_ID: LOCAL_KEY_VAULT_READER_CLIENT_ID,
    AZURE_CLIENT_SECRET: LOCAL_KEY_VAULT_READER_SECRET,
    // One source of each kind, their secrets put in the emulator's Key Vault by npm start (try-it.ts).
    WEBHOOK_SOURCES: localWebhookSources(emulatorUrl),
  };
}

/** A setting's local value, else its default ('' when it has neither). */
export function settingDefault(name: string): string {
  const setting = settings.find((s) => s.name === name);
  return setting?.local ?? setting?.default ?? '';
}

/**
 * The local settings that are only for trying things by hand (README "Try everything"): one webhook
 * source of each kind and result callbacks to a receiver on this machine. Tests, benches and fleets
 * run without them (a test that needs them sets its own); `npm start` and the sample keep them.
 */
export const TRY_IT_SETTINGS = [
  'WEBHOOK_SOURCES',
  'CALLBACK_ALLOWED_HOSTS',
  'CALLBACK_ALLOWED_PRIVATE_ADDRESSES',
];

/**
 * The settings the app needs on the local stack: each setting's local default, with the
 * emulator's URL and identities for D365, Entra ID and Key Vault, and Azurite for storage. Without
 * `tryIt`, the try-it settings take their defaults (no webhook sources, callbacks off).
 */
export function localAppSettings(
  emulatorUrl: string,
  storageConnectionString: string,
  options: { tryIt?: boolean } = {},
): Record<string, string> {
  const values: Record<string, string> = {
    FUNCTIONS_WORKER_RUNTIME: 'node',
    AzureWebJobsStorage: storageConnectionString,
    FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: String(HOST_BODY_SIZE_LIMIT_BYTES),
  };
  for (const s of settings) if (s.local !== undefined) values[s.name] = s.local;
  const all = { ...values, ...emulatorSettings(emulatorUrl) };
  if (!options.tryIt) {
    for (const name of TRY_IT_SETTINGS) all[name] = settings.find((s) => s.name === name)?.default ?? '';
  }
  return all;
}

/** The Values of local.settings.sample.json: the local stack's settings with the emulator on its default port. */
export function sampleSettings(): Record<string, string> {
  return {
    ...localAppSettings(DEFAULT_EMULATOR_URL, 'UseDevelopmentStorage=true', { tryIt: true }),
    APPLICATIONINSIGHTS_CONNECTION_STRING: '',
  };
}

/** What local.settings.real.sample.json asks the user to fill in (every other value is a default). */
export const REAL_ENVIRONMENT_PLACEHOLDERS: Record<string, string> = {
  D365_URL: 'https://<your-environment>.operations.dynamics.com',
  KEY_VAULT_URL: 'https://<your-key-vault>.vault.azure.net',
  D365_TENANT_ID: '<tenant ID of the app registration D365 knows>',
  D365_CLIENT_ID: '<application (client) ID of that app registration>',
};

/**
 * The Values of local.settings.real.sample.json: a laptop against a real D365 and Key Vault, with
 * Azurite for storage. No emulator URL or identity: Entra ID is login.microsoftonline.com, and
 * DefaultAzureCredential reads Key Vault as the developer signed in with `az login`.
 */
export function realSampleSettings(): Record<string, string> {
  const values: Record<string, string> = {
    FUNCTIONS_WORKER_RUNTIME: 'node',
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: String(HOST_BODY_SIZE_LIMIT_BYTES),
    ...REAL_ENVIRONMENT_PLACEHOLDERS,
  };
  // Callbacks stay off: their signing secret would have to be in the real vault first.
  for (const s of settings) {
    if (s.local !== undefined)
      values[s.name] = TRY_IT_SETTINGS.includes(s.name) ? (s.default ?? '') : s.local;
  }
  return { ...values, APPLICATIONINSIGHTS_CONNECTION_STRING: '' };
}
