import type { SecretClient } from '@azure/keyvault-secrets';
import { WebhookSecrets } from '../ports';

export interface WebhookSecretsOptions {
  /** Cached values are read again after this long (a rotation takes effect without a restart). */
  refreshSeconds: number;
  /** The previous version is still accepted this long after the current one was created. */
  rotationWindowSeconds: number;
  timeoutMs: number;
  now?: () => number;
  /**
   * Why a value read for secret `name` is too weak to use (undefined when it may be used): a
   * refused value is never returned, and `onRefused` says why (naming the secret, never its value).
   */
  weakness?: (name: string, value: string) => string | undefined;
  onRefused?: (name: string, reason: string) => void;
}

/** `refresh` reads Key Vault at most this often per secret, however many bad signatures arrive. */
const MIN_REREAD_MS = 30_000;

interface Entry {
  values: string[];
  readAt: number;
}

/**
 * Webhook secrets from Key Vault, one cache entry per secret name. A rotation is a new version of
 * the secret (`az keyvault secret set`): the newest enabled version is current, and the version it
 * replaced stays accepted for the rotation window, measured from the new version's creation time.
 * A failed read keeps serving what was read before (Key Vault being unreachable must not turn
 * valid deliveries away); with nothing cached it throws.
 */
export function keyVaultWebhookSecrets(client: SecretClient, options: WebhookSecretsOptions): WebhookSecrets {
  const now = options.now ?? Date.now;
  const minRereadMs = Math.min(MIN_REREAD_MS, options.refreshSeconds * 1000);
  const cache = new Map<string, Entry>();
  const reading = new Map<string, Promise<string[]>>();

  const readVersions = async (name: string): Promise<string[]> => {
    const abortSignal = AbortSignal.timeout(options.timeoutMs);
    const versions = [];
    for await (const properties of client.listPropertiesOfSecretVersions(name, { abortSignal })) {
      if (properties.enabled !== false && properties.version) versions.push(properties);
    }
    versions.sort((a, b) => (b.createdOn?.getTime() ?? 0) - (a.createdOn?.getTime() ?? 0));
    const [current, previous] = versions;
    if (!current) return [];
    const rotatedAt = current.createdOn?.getTime() ?? 0;
    const wanted =
      previous && now() - rotatedAt < options.rotationWindowSeconds * 1000 ? [current, previous] : [current];
    const values = await Promise.all(
      wanted.map(
        async (v) => (await client.getSecret(name, { version: v.version, abortSignal })).value ?? '',
      ),
    );
    return values.filter((value) => {
      if (value === '') return false;
      const reason = options.weakness?.(name, value);
      if (reason !== undefined) options.onRefused?.(name, reason);
      return reason === undefined;
    });
  };

  const read = (name: string): Promise<string[]> => {
    let pending = reading.get(name);
    if (!pending) {
      pending = readVersions(name)
        .then((values) => {
          cache.set(name, { values, readAt: now() });
          return values;
        })
        .catch((error: unknown) => {
          const cached = cache.get(name);
          if (!cached) throw error;
          cache.set(name, { ...cached, readAt: now() - options.refreshSeconds * 1000 + minRereadMs });
          return cached.values;
        })
        .finally(() => reading.delete(name));
      reading.set(name, pending);
    }
    return pending;
  };

  return {
    async get(name) {
      const cached = cache.get(name);
      if (cached && now() - cached.readAt < options.refreshSeconds * 1000) return cached.values;
      return read(name);
    },
    async refresh(name) {
      const cached = cache.get(name);
      if (cached && now() - cached.readAt < minRereadMs) return cached.values;
      return read(name);
    },
  };
}
