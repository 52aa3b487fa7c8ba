import type { SecretClient } from '@azure/keyvault-secrets';
import { CorrelationKeyError } from '../ports';
import { keyVaultCorrelationKey } from './key-vault-correlation-key';

interface Version {
  version: string;
  value: string;
  created: number;
  enabled?: boolean;
}

/**
 * A Key Vault stand-in for the adapter's own rules: versions listed in an order that is not
 * chronological (by version ID, as the real service's deterministic order is not), counting calls.
 * The real SDK against the strict emulator is in test/adapters.
 */
function vault(versions: Version[] | { status: number }) {
  const calls = { lists: 0, gets: [] as string[] };
  const client = {
    listPropertiesOfSecretVersions: async function* (name: string) {
      calls.lists += 1;
      if (!Array.isArray(versions))
        throw Object.assign(new Error('refused'), { statusCode: versions.status });
      for (const v of [...versions].sort((a, b) => a.version.localeCompare(b.version)))
        yield { name, version: v.version, enabled: v.enabled ?? true, createdOn: new Date(v.created * 1000) };
    },
    getSecret: async (name: string, options: { version?: string }) => {
      calls.gets.push(options.version ?? '');
      const found = Array.isArray(versions) ? versions.find((v) => v.version === options.version) : undefined;
      return { name, value: found?.value };
    },
  } as unknown as SecretClient;
  return { client, calls };
}

const strong = (tag: string): string => `${tag}-${'x'.repeat(40)}`;

describe('keyVaultCorrelationKey', () => {
  it("uses the oldest enabled version, whatever the list's order, and keeps it", async () => {
    const { client, calls } = vault([
      { version: 'a1', value: strong('newest'), created: 3000 },
      { version: 'b2', value: strong('disabled-oldest'), created: 1000, enabled: false },
      { version: 'c3', value: strong('oldest-enabled'), created: 2000 },
    ]);
    const key = keyVaultCorrelationKey(client, 'correlation-id-key', 1000);
    const [first, second] = await Promise.all([key.get(), key.get()]);
    expect(first.secret.toString('utf8')).toBe(strong('oldest-enabled'));
    expect(first.createdAt).toEqual(new Date(2_000_000));
    expect(second).toBe(first);
    await key.get();
    // Read once per instance: one list and one get, however many ask.
    expect(calls).toEqual({ lists: 1, gets: ['c3'] });
  });

  it('picks the same version on every instance when two were created in the same second', async () => {
    const versions = [
      { version: 'f0', value: strong('later-id'), created: 1000 },
      { version: '0f', value: strong('earlier-id'), created: 1000 },
    ];
    const one = await keyVaultCorrelationKey(vault(versions).client, 'k', 1000).get();
    const other = await keyVaultCorrelationKey(vault([...versions].reverse()).client, 'k', 1000).get();
    expect(one.secret.toString('utf8')).toBe(strong('earlier-id'));
    expect(other.secret).toEqual(one.secret);
  });

  it.each([
    [{ status: 404 }, 'missing'],
    [{ status: 403 }, 'forbidden'],
    [{ status: 500 }, 'unreachable'],
    [[], 'missing'],
    [[{ version: 'a', value: 'short', created: 1 }], 'weak'],
  ] as const)(
    'refuses %j as %s, names the setting, never a value, and reads again next time',
    async (answer, problem) => {
      const { client, calls } = vault(answer as Version[] | { status: number });
      const key = keyVaultCorrelationKey(client, 'correlation-id-key', 1000);
      const error = await key.get().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorrelationKeyError);
      expect(error).toMatchObject({ secretName: 'correlation-id-key', problem });
      expect((error as Error).message).toContain('CORRELATION_KEY_SECRET_NAME');
      expect((error as Error).message).not.toContain('short');
      await key.get().catch(() => undefined);
      expect(calls.lists).toBe(2);
    },
  );
});
