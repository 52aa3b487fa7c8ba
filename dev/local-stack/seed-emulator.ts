import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLoopbackUrl } from '../../shared/config/urls';
import { webhookSourcesSetting } from '../../shared/config/webhook-sources';
import { emulatorApi, emulatorVault } from './emulator-clients';
import { ensureCorrelationKey } from './correlation-key';
import { newSourceSecret, SeededSource } from './try-it';

export interface SeedOptions {
  appDir: string;
  emulatorUrl: string;
  /** The app's `WEBHOOK_SOURCES` as it will run (a source of every kind gets its secrets). */
  webhookSources: string;
  /** `CALLBACK_SECRET_NAME` as the app will run, and the value to put there. */
  callbackSecretName: string;
  callbackSecret: string;
  /** `CORRELATION_KEY_SECRET_NAME` as the app will run, and the value to put there when it has none. */
  correlationKeySecretName: string;
  correlationKey: string;
}

export interface Seeded {
  webhooks: SeededSource[];
}

/**
 * Puts, through the real Key Vault SDK (as an operator would with `az keyvault secret set`), a new
 * secret for every webhook source the app is configured with and the callback signing secret into
 * the emulator's Key Vault, with the correlation-ID key (issue 24); and seeds the emulated BigCommerce store of each BigCommerce source
 * whose API is on loopback (the emulator) with the documented customer (test/fixtures/webhooks) and an API token,
 * also kept in the vault. Invalid `WEBHOOK_SOURCES` seed nothing (the app refuses them at start).
 */
export async function seedEmulator(options: SeedOptions): Promise<Seeded> {
  const vault = emulatorVault(options.emulatorUrl);
  const parsed = webhookSourcesSetting.safeParse(options.webhookSources);
  const sources = parsed.success ? parsed.data : [];
  const control = emulatorApi(options.emulatorUrl);
  const customer = JSON.parse(
    readFileSync(join(options.appDir, 'test', 'fixtures', 'webhooks', 'bigcommerce-customer.json'), 'utf8'),
  ) as unknown;

  const webhooks = await Promise.all(
    sources.map(async (source): Promise<SeededSource> => {
      const secret = newSourceSecret(source.kind);
      await vault.setSecret(source.secretName, secret);
      // A loopback store API is the emulator's (npm start points a stale port at the one running).
      if (source.kind === 'bigcommerce' && isLoopbackUrl(source.apiUrl)) {
        const token = newSourceSecret('bigcommerce');
        await vault.setSecret(source.apiTokenSecretName, token);
        await control('PUT', `/_emulator/bigcommerce/stores/${source.storeHash}`, {
          token,
          customers: [customer],
        });
      }
      return {
        kind: source.kind,
        name: source.name,
        secret,
        ...(source.kind === 'shopify' && { shopDomain: source.shopDomain }),
        ...(source.kind === 'bigcommerce' && { storeHash: source.storeHash }),
      };
    }),
  );
  await vault.setSecret(options.callbackSecretName, options.callbackSecret);
  await ensureCorrelationKey(options.emulatorUrl, {
    secretName: options.correlationKeySecretName,
    value: options.correlationKey,
  });
  return { webhooks };
}
