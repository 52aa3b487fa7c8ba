import { startEmulator } from '@d365-customer-sync/d365-emulator';
import { trustCertificate } from '../../dev/local-stack/app-stack';
import { emulatorVault } from '../../dev/local-stack/emulator-clients';
import { ensureCorrelationKey } from '../../dev/local-stack/correlation-key';
import { keyVaultCorrelationKey } from '../../shared/adapters/key-vault-correlation-key';
import { CorrelationKeyError } from '../../shared/ports';

/**
 * The correlation-ID key (issue 24) through the real SecretClient against the emulator's vault,
 * which lists versions as the real one does: pages of at most 25, not in creation order, disabled
 * versions included. The app must take the oldest enabled version, whatever page it is on.
 */
describe('the correlation-ID key from Key Vault', () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  beforeAll(async () => {
    emulator = await startEmulator({ host: '127.0.0.1', port: 0, log: () => undefined });
    trustCertificate(emulator.caCertPem);
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  /** Waits until the clock is in the next whole second (Key Vault dates versions in seconds). */
  const nextSecond = async (): Promise<void> => {
    const next = (Math.floor(Date.now() / 1000) + 1) * 1000;
    await new Promise((resolve) => setTimeout(resolve, next - Date.now() + 20));
  };
  const value = (i: number): string => `version-${String(i).padStart(2, '0')}-${'k'.repeat(32)}`;

  it('takes the oldest enabled version across pages, and keeps it after later versions and a disabled oldest', async () => {
    const vault = emulatorVault(emulator.url);
    const versions: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      if (i <= 2) await nextSecond();
      versions.push((await vault.setSecret('correlation-paged', value(i))).properties.version!);
    }
    const key = await keyVaultCorrelationKey(vault, 'correlation-paged', 10_000).get();
    expect(key.secret.toString('utf8')).toBe(value(0));

    // A deployment that wrote a new version by mistake changes nothing for a new instance either.
    await vault.setSecret('correlation-paged', value(99));
    const again = await keyVaultCorrelationKey(vault, 'correlation-paged', 10_000).get();
    expect(again.secret).toEqual(key.secret);

    // Disabled: the next oldest enabled one (created a second later than it, before the rest).
    await vault.updateSecretProperties('correlation-paged', versions[0]!, { enabled: false });
    const next = await keyVaultCorrelationKey(vault, 'correlation-paged', 10_000).get();
    expect(next.secret.toString('utf8')).toBe(value(1));
    expect(next.createdAt.getTime()).toBeGreaterThan(key.createdAt.getTime());
  }, 30_000);

  it('refuses a missing key, and the local stack writes one only when there is none', async () => {
    const vault = emulatorVault(emulator.url);
    await expect(keyVaultCorrelationKey(vault, 'correlation-absent', 10_000).get()).rejects.toMatchObject({
      name: 'CorrelationKeyError',
      problem: 'missing',
    } satisfies Partial<CorrelationKeyError>);
    const written = await ensureCorrelationKey(emulator.url, { secretName: 'correlation-absent' });
    const kept = await ensureCorrelationKey(emulator.url, { secretName: 'correlation-absent' });
    expect(kept.secret).toEqual(written.secret);
    const listed = [];
    for await (const v of vault.listPropertiesOfSecretVersions('correlation-absent')) listed.push(v);
    expect(listed).toHaveLength(1);
  });
});
