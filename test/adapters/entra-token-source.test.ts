import { startEmulator } from '@d365-customer-sync/d365-emulator';
import { trustCertificate } from '../../dev/local-stack/app-stack';
import { LOCAL_D365_CLIENT_ID } from '@d365-customer-sync/d365-emulator';
import { emulatorD365Tokens, emulatorVault } from '../../dev/local-stack/emulator-clients';
import { LOCAL_TENANT_ID } from '@d365-customer-sync/d365-emulator';
import { entraTokenSource } from '../../shared/adapters/entra-token-source';
import { keyVaultSecretSource } from '../../shared/adapters/key-vault-secret-source';
import { ProcessingError } from '../../shared/domain/failure';

// The real Key Vault and Entra ID clients against an emulator of this file's own.
describe('the token source', () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  beforeAll(async () => {
    emulator = await startEmulator({ host: '127.0.0.1', port: 0 });
    trustCertificate(emulator.caCertPem);
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  const source = () => {
    return emulatorD365Tokens(emulator.url);
  };
  const d365TokenRequests = async (): Promise<number> => {
    const stats = (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as {
      tokenRequests: { v2: Record<string, number> };
    };
    return stats.tokenRequests.v2[LOCAL_D365_CLIENT_ID] ?? 0;
  };

  it('asks Entra ID once for many concurrent callers, and again only when told the token is stale', async () => {
    const tokens = source();
    const before = await d365TokenRequests();
    const all = await Promise.all(Array.from({ length: 20 }, () => tokens.getToken()));
    expect(new Set(all).size).toBe(1);
    expect(await tokens.getToken()).toBe(all[0]);
    expect((await d365TokenRequests()) - before).toBe(1);
    await tokens.getToken({ fresh: true });
    expect((await d365TokenRequests()) - before).toBe(2);
  });

  it('reads the secret again from Key Vault after a rotation, without a restart', async () => {
    const tokens = source();
    await tokens.getToken();
    await fetch(`${emulator.url}/_emulator/rotate-secret`, { method: 'POST' });
    // The cached token is still good; a fresh one needs the new secret from Key Vault.
    await expect(tokens.getToken({ fresh: true })).resolves.toMatch(/^eyJ/);
  });
});

describe('the token source against a configuration no retry can fix', () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  beforeAll(async () => {
    emulator = await startEmulator({ host: '127.0.0.1', port: 0 });
    trustCertificate(emulator.caCertPem);
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it.each([
    [
      'D365_CLIENT_ID is not an application of the tenant',
      { clientId: '99999999-9999-4999-8999-999999999999', resource: '' },
      /AADSTS700016.*D365_CLIENT_ID/,
    ],
    [
      'D365_URL is not a resource of the tenant',
      { clientId: '', resource: 'path' },
      /AADSTS500011.*D365_URL/,
    ],
  ])(
    '%s: a permanent configuration failure naming the setting, not a retry',
    async (_name, change, message) => {
      const tokens = entraTokenSource(
        keyVaultSecretSource(emulatorVault(emulator.url), 'd365-client-secret', 5000),
        {
          tenantId: LOCAL_TENANT_ID,
          clientId: change.clientId || LOCAL_D365_CLIENT_ID,
          resource: change.resource ? `${emulator.url}/namespaces/AXSF` : emulator.url,
          authorityHost: emulator.url,
          timeoutMs: 5000,
        },
      );
      const error = await tokens.getToken().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProcessingError);
      expect((error as ProcessingError).failure).toMatchObject({ kind: 'permanent', code: 'configuration' });
      expect((error as ProcessingError).message).toMatch(message);
    },
  );
});
