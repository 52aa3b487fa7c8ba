import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTlsMaterial } from '@d365-customer-sync/d365-emulator';
import type { WebhookSource } from '../../shared/config/webhook-sources';
import { callbackReceiverPort, StackState } from './stack-state';

export * from './stack-state';

/**
 * What `npm start` sets up on the emulator so that every feature of the README can be tried at
 * once (issue 26): three webhook sources, one of each kind, whose secrets it puts in the emulator's
 * Key Vault; a result-callback signing secret there too; a certificate for the local callback
 * receiver (`npm run callbacks`) that the host trusts; and a state file (`.local/stack.json`) from
 * which the commands and the Postman environment take the URLs, keys and secrets of this run.
 */

/** The local sources, named as the Postman collection's defaults name them. */
export const LOCAL_SHOPIFY = {
  kind: 'shopify',
  name: 'local-shopify',
  shopDomain: 'local-shop.myshopify.com',
  secretName: 'webhook-local-shopify',
  legalEntity: 'USRT',
  currency: 'USD',
  customerGroup: '30',
} as const;
export const LOCAL_BIGCOMMERCE = {
  kind: 'bigcommerce',
  name: 'local-bigcommerce',
  // The store hash of BigCommerce's documented payload (test/fixtures/webhooks): `producer: "stores/abc123"`.
  storeHash: 'abc123',
  secretName: 'webhook-local-bigcommerce',
  apiTokenSecretName: 'bigcommerce-local-api-token',
  legalEntity: 'USRT',
  currency: 'USD',
  customerGroup: '30',
} as const;
export const LOCAL_STANDARD = {
  kind: 'standard',
  name: 'local-standard',
  secretName: 'webhook-local-standard',
} as const;

/** `WEBHOOK_SOURCES` of the local stack: the BigCommerce store (and its B2B Edition API) is the emulator's. */
export function localWebhookSources(emulatorUrl: string): string {
  return JSON.stringify([
    LOCAL_SHOPIFY,
    { ...LOCAL_BIGCOMMERCE, apiUrl: emulatorUrl, b2bApiUrl: emulatorUrl },
    LOCAL_STANDARD,
  ]);
}

/** A secret of the shape each sender uses (the values only ever live in the emulator and .local). */
export function newSourceSecret(kind: WebhookSource['kind']): string {
  if (kind === 'standard') return `whsec_${randomBytes(24).toString('base64')}`;
  if (kind === 'shopify') return `shpss_${randomBytes(16).toString('hex')}`;
  return randomBytes(20).toString('hex');
}

/**
 * The callback signing secret of the local stack: made once and kept (`.local/callback-receiver/`),
 * so a receiver left running across restarts of `npm start` still verifies the deliveries.
 */
export function callbackSigningSecret(dir: string): string {
  const file = join(dir, 'callback-receiver', 'signing-secret');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.startsWith('whsec_')) return kept;
  }
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  mkdirSync(join(dir, 'callback-receiver'), { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * The local callback receiver's certificate and key (`.local/callback-receiver/`), made once and
 * kept: its CA goes into the host's NODE_EXTRA_CA_CERTS at every start.
 */
export async function receiverTls(
  dir: string,
): Promise<{ certPath: string; keyPath: string; caPath: string; caPem: string }> {
  const folder = join(dir, 'callback-receiver');
  const paths = {
    certPath: join(folder, 'cert.pem'),
    keyPath: join(folder, 'key.pem'),
    caPath: join(folder, 'ca.pem'),
  };
  if (!Object.values(paths).every((p) => existsSync(p))) {
    const tls = await createTlsMaterial();
    mkdirSync(folder, { recursive: true });
    writeFileSync(paths.certPath, tls.certPem);
    writeFileSync(paths.keyPath, tls.keyPem, { mode: 0o600 });
    writeFileSync(paths.caPath, tls.caCertPem);
  }
  return { ...paths, caPem: readFileSync(paths.caPath, 'utf8') };
}

/**
 * The CA bundle the host trusts (NODE_EXTRA_CA_CERTS names one file): the user's own
 * NODE_EXTRA_CA_CERTS first (kept, not replaced: a receiver of their own stays trusted), then the
 * emulator's and the local receiver's CAs. Returns the file and a note when the user's file is unreadable.
 */
export function writeCaBundle(
  dir: string,
  userFile: string | undefined,
  pems: string[],
): { path: string; note?: string } {
  const parts: string[] = [];
  let note: string | undefined;
  if (userFile?.trim()) {
    try {
      parts.push(readFileSync(userFile, 'utf8').trim());
    } catch (error) {
      note = `NODE_EXTRA_CA_CERTS names ${userFile}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): the host trusts only the emulator's and the local receiver's CAs.`;
    }
  }
  parts.push(...pems.map((pem) => pem.trim()));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'ca-bundle.pem');
  writeFileSync(path, `${parts.join('\n')}\n`);
  return { path, ...(note && { note }) };
}

/**
 * The `Ready:` lines after the first: how to try callbacks, webhooks and Postman on this run
 * (each names the command to copy).
 */
export function readyLines(
  state: StackState,
  setting: (name: string) => string,
  postmanEnvironmentPath: string,
  appDir: string,
): string[] {
  const lines: string[] = [];
  const allowed = setting('CALLBACK_ALLOWED_HOSTS').trim();
  if (!allowed) {
    lines.push('result callbacks are off (CALLBACK_ALLOWED_HOSTS is empty)');
  } else if (state.callbacks) {
    lines.push(
      `result callbacks: run \`npm run callbacks\` in another terminal, then send ` +
        `Callback-Url: https://127.0.0.1:${callbackReceiverPort()}/callbacks ` +
        `(signed with the Key Vault secret ${state.callbacks.secretName}, which the receiver verifies)`,
    );
  }
  if (state.webhooks.length > 0) {
    const kinds = [...new Set(state.webhooks.map((s) => s.kind))];
    lines.push(
      `webhooks: \`npm run webhook -- ${kinds.join('|')}\` sends a signed delivery from test/fixtures/webhooks ` +
        `(sources ${state.webhooks.map((s) => s.name).join(', ')}; their secrets are in the emulator's Key Vault)`,
    );
  }
  lines.push(
    `Postman: postman/d365-customer-sync.postman_collection.json with the environment ${relativeTo(appDir, postmanEnvironmentPath)}`,
  );
  return lines;
}

const relativeTo = (appDir: string, path: string): string =>
  path.startsWith(`${appDir}/`) ? path.slice(appDir.length + 1) : path;
