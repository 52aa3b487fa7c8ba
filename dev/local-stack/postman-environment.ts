import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StackState } from './stack-state';

interface EnvironmentValue {
  key: string;
  value: string;
  type: string;
  enabled: boolean;
}

/**
 * The Postman environment of this run of `npm start`: the checked-in local environment
 * (postman/local.postman_environment.json) with what it leaves empty filled in: the host's URL, the
 * function and master keys (when DEV_FUNCTION_KEY / DEV_MASTER_KEY are set), the emulator's D365
 * client secret (it changes at every start) and the webhook sources' names and secrets.
 */
export function postmanEnvironment(
  appDir: string,
  state: StackState,
): { name: string; values: EnvironmentValue[] } {
  // The checked-in file (test/api/postman.test.ts keeps it up to date with dev/api/postman.ts).
  const template = JSON.parse(
    readFileSync(join(appDir, 'postman', 'local.postman_environment.json'), 'utf8'),
  ) as { name: string; values: EnvironmentValue[] };
  const byKind = (kind: string) => state.webhooks.find((s) => s.kind === kind);
  const filled: Record<string, string | undefined> = {
    baseUrl: state.apiUrl,
    functionKey: state.functionKey ?? '',
    masterKey: state.masterKey ?? '',
    ...(state.emulatorUrl && { authorityHost: state.emulatorUrl, d365Url: state.emulatorUrl }),
    ...(state.d365 && {
      tenantId: state.d365.tenantId,
      clientId: state.d365.clientId,
      clientSecret: state.d365.clientSecret,
    }),
    standardWebhookSource: byKind('standard')?.name,
    standardWebhookSecret: byKind('standard')?.secret,
    shopifyShopDomain: byKind('shopify')?.shopDomain,
    shopifyWebhookSecret: byKind('shopify')?.secret,
    bigCommerceStoreHash: byKind('bigcommerce')?.storeHash,
    bigCommerceWebhookSecret: byKind('bigcommerce')?.secret,
  };
  const values = template.values.map((v) => ({ ...v, value: filled[v.key] ?? v.value }));
  for (const [key, value] of Object.entries(filled)) {
    if (value !== undefined && !values.some((v) => v.key === key)) {
      values.push({ key, value, type: /Secret$|Key$/.test(key) ? 'secret' : 'default', enabled: true });
    }
  }
  return { name: `${template.name} (written by npm start)`, values };
}

/** Writes it to `<dir>/postman/local.postman_environment.json` and returns the path. */
export function writePostmanEnvironment(appDir: string, dir: string, state: StackState): string {
  const folder = join(dir, 'postman');
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'local.postman_environment.json');
  writeFileSync(path, `${JSON.stringify(postmanEnvironment(appDir, state), null, 2)}\n`, { mode: 0o600 });
  return path;
}
