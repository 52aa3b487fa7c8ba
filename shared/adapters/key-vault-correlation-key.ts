import type { SecretClient, SecretProperties } from '@azure/keyvault-secrets';
import { CorrelationKey, MIN_CORRELATION_KEY_LENGTH } from '../domain/correlation-id';
import { CallOptions, CorrelationKeyError, CorrelationKeySource } from '../ports';
import { callSignal } from './call-options';

/**
 * The correlation-ID key from Key Vault (issue 24): the secret's *oldest* enabled version, so a
 * version written later by mistake (a second deployment, an `az keyvault secret set`) changes no
 * ID under a running fleet. Key Vault lists versions a page (≤ 25) at a time, in an order that is
 * not chronological (Get Secret Versions, learn.microsoft.com/rest/api/keyvault/secrets/get-secret-versions;
 * azure-sdk-for-python#35923): every page is read and the versions sorted by `created` (whole
 * seconds), then by version ID, so every instance picks the same one. Read once per instance and
 * kept; a failed read is not kept (the next call reads again), concurrent calls share one read.
 */
export function keyVaultCorrelationKey(
  client: Pick<SecretClient, 'listPropertiesOfSecretVersions' | 'getSecret'>,
  secretName: string,
  /** KEY_VAULT_TIMEOUT_MS: how long the whole read (list and get) may take. */
  timeoutMs: number,
): CorrelationKeySource {
  let kept: Promise<CorrelationKey> | undefined;
  const read = async (options: CallOptions | undefined): Promise<CorrelationKey> => {
    const abortSignal = callSignal(options, timeoutMs);
    try {
      const oldest = await oldestEnabledVersion(client, secretName, abortSignal);
      if (!oldest) throw new CorrelationKeyError(secretName, 'missing', 'no enabled version');
      const value = oldest.value;
      if (value.length < MIN_CORRELATION_KEY_LENGTH)
        throw new CorrelationKeyError(
          secretName,
          'weak',
          `its oldest enabled version has ${value.length} characters, fewer than ${MIN_CORRELATION_KEY_LENGTH}`,
        );
      return { secret: Buffer.from(value, 'utf8'), createdAt: oldest.createdAt };
    } catch (error) {
      throw asCorrelationKeyError(error, secretName);
    }
  };
  return {
    get(options) {
      kept ??= read(options).catch((error: unknown) => {
        kept = undefined;
        throw error;
      });
      return kept;
    },
  };
}

/**
 * The value and creation time of a secret's oldest enabled version (every page of the version
 * list; ties of the same second by version ID), or undefined when it has no enabled version. Key
 * Vault's errors (404 for no such secret, 403) are thrown as they come.
 */
export async function oldestEnabledVersion(
  client: Pick<SecretClient, 'listPropertiesOfSecretVersions' | 'getSecret'>,
  secretName: string,
  abortSignal: AbortSignal,
): Promise<{ value: string; createdAt: Date } | undefined> {
  const versions: SecretProperties[] = [];
  for await (const properties of client.listPropertiesOfSecretVersions(secretName, { abortSignal })) {
    if (properties.enabled !== false && properties.version) versions.push(properties);
  }
  const oldest = versions.sort(oldestFirst)[0];
  if (!oldest) return undefined;
  const secret = await client.getSecret(secretName, { version: oldest.version, abortSignal });
  return { value: secret.value ?? '', createdAt: oldest.createdOn ?? new Date(0) };
}

function oldestFirst(a: SecretProperties, b: SecretProperties): number {
  const byCreation = (a.createdOn?.getTime() ?? 0) - (b.createdOn?.getTime() ?? 0);
  return byCreation !== 0 ? byCreation : (a.version ?? '').localeCompare(b.version ?? '');
}

function asCorrelationKeyError(error: unknown, secretName: string): CorrelationKeyError {
  if (error instanceof CorrelationKeyError) return error;
  const status = (error as { statusCode?: number }).statusCode;
  if (status === 404) return new CorrelationKeyError(secretName, 'missing', 'Key Vault answered 404');
  if (status === 403)
    return new CorrelationKeyError(secretName, 'forbidden', "the app's identity may not read it (403)");
  const name = (error as { name?: string }).name ?? 'Error';
  return new CorrelationKeyError(secretName, 'unreachable', status ? `Key Vault answered ${status}` : name);
}
