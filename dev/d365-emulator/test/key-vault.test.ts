import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import {
  call,
  d365Token,
  READER_CLIENT_ID,
  READER_SECRET,
  useEmulator,
  d365TokenAnswer,
  keyVaultToken,
} from './support/emulator';

const emulator = useEmulator();
let secrets: SecretClient;

beforeAll(async () => {
  const reader = new ClientSecretCredential(emulator.tenantId, READER_CLIENT_ID, READER_SECRET, {
    authorityHost: emulator.url,
    disableInstanceDiscovery: true,
  });
  secrets = new SecretClient(emulator.url, reader, { disableChallengeResourceVerification: true });
});

const d365Credential = (secret: string): ClientSecretCredential =>
  new ClientSecretCredential(emulator.tenantId, emulator.d365ClientId, secret, {
    authorityHost: emulator.url,
    disableInstanceDiscovery: true,
  });

describe('Key Vault emulation', () => {
  it('lets the real SecretClient read the D365 client secret through the 401 challenge', async () => {
    const secret = await secrets.getSecret(emulator.secretName);
    expect(secret.value).toBe(emulator.currentClientSecret());
    expect(secret.properties.version).toMatch(/^[0-9a-f]{32}$/);
    expect(secret.properties.enabled).toBe(true);
    // The secret read from the vault is the one Entra ID accepts.
    await expect(
      d365Credential(secret.value ?? '').getToken(`${emulator.url}/.default`),
    ).resolves.toHaveProperty('token');
  });

  it('challenges a request without a token with the authority and the vault resource', async () => {
    const answer = await call(emulator, 'GET', `/secrets/${emulator.secretName}?api-version=7.5`);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe(
      `Bearer authorization="${emulator.url}/${emulator.tenantId}", resource="https://vault.azure.net"`,
    );
    expect(answer.body).toMatchObject({ error: { code: 'Unauthorized' } });
  });

  it('answers a D365-audience token with 401 and an identity without access with 403', async () => {
    const wrongAudience = await call(emulator, 'GET', `/secrets/${emulator.secretName}?api-version=7.5`, {
      token: await d365Token(emulator),
    });
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.body).toMatchObject({
      error: {
        code: 'Unauthorized',
        message: `AKV10022: Invalid audience. Expected https://vault.azure.net, found: ${emulator.url}.`,
      },
    });

    const vaultTokenForD365App = await d365TokenAnswer(emulator, 'https://vault.azure.net');
    const forbidden = await call(emulator, 'GET', `/secrets/${emulator.secretName}?api-version=7.5`, {
      token: String(vaultTokenForD365App.body.access_token),
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({
      error: { code: 'Forbidden', innererror: { code: 'ForbiddenByRbac' } },
    });
  });

  it('stores setSecret as a new version and keeps the old versions readable', async () => {
    const first = await secrets.setSecret('planted-secret', 'first value');
    const second = await secrets.setSecret('planted-secret', 'second value');
    expect(second.properties.version).not.toBe(first.properties.version);

    expect((await secrets.getSecret('planted-secret')).value).toBe('second value');
    const old = await secrets.getSecret('planted-secret', { version: first.properties.version });
    expect(old.value).toBe('first value');

    const versions: string[] = [];
    for await (const properties of secrets.listPropertiesOfSecretVersions('planted-secret')) {
      versions.push(properties.version ?? '');
    }
    expect(versions.sort()).toEqual([first.properties.version, second.properties.version].sort());
  });

  it('lists versions a page of at most 25 at a time, not in creation order, disabled ones too', async () => {
    // Get Secret Versions: maxresults 1-25, 25 by default, nextLink to the next page
    // (learn.microsoft.com/rest/api/keyvault/secrets/get-secret-versions); the order is deterministic
    // but not chronological (azure-sdk-for-python#35923).
    const created: string[] = [];
    for (let i = 0; i < 30; i += 1)
      created.push((await secrets.setSecret('paged-secret', `value ${i}`)).properties.version ?? '');
    await secrets.updateSecretProperties('paged-secret', created[0]!, { enabled: false });
    const token = await keyVaultToken(emulator);
    const first = await call<{
      value: { id: string; attributes: { enabled: boolean } }[];
      nextLink: string | null;
    }>(emulator, 'GET', '/secrets/paged-secret/versions?api-version=7.5', { token });
    expect(first.body.value).toHaveLength(25);
    expect(first.body.nextLink).toMatch(
      /\/secrets\/paged-secret\/versions\?api-version=7\.5&\$skiptoken=.+&maxresults=25$/,
    );
    const listed: string[] = [];
    const disabled: string[] = [];
    for await (const properties of secrets.listPropertiesOfSecretVersions('paged-secret')) {
      listed.push(properties.version ?? '');
      if (properties.enabled === false) disabled.push(properties.version ?? '');
    }
    expect(listed).toHaveLength(30);
    expect([...listed].sort()).toEqual([...created].sort());
    expect(listed).toEqual([...listed].sort());
    expect(disabled).toEqual([created[0]]);
    const tooMany = await call(
      emulator,
      'GET',
      '/secrets/paged-secret/versions?api-version=7.5&maxresults=26',
      {
        token,
      },
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ error: { code: 'BadParameter' } });
  });

  it('answers an unknown secret with 404 SecretNotFound', async () => {
    await expect(secrets.getSecret('no-such-secret')).rejects.toMatchObject({
      statusCode: 404,
      code: 'SecretNotFound',
    });
  });

  it('rotates: the old secret stops working, the new one is the newest version and works', async () => {
    const before = await secrets.getSecret(emulator.secretName);
    const oldSecret = before.value ?? '';

    const rotated = await call(emulator, 'POST', '/_emulator/rotate-secret');
    expect(rotated.status).toBe(200);
    expect(Object.keys(rotated.body)).toEqual(['version']);
    expect(rotated.text).not.toContain(emulator.currentClientSecret());

    await expect(d365Credential(oldSecret).getToken(`${emulator.url}/.default`)).rejects.toThrow(
      /AADSTS7000215/,
    );

    const after = await secrets.getSecret(emulator.secretName);
    expect(after.properties.version).toBe(rotated.body.version);
    expect(after.value).not.toBe(oldSecret);
    expect(after.value).toBe(emulator.currentClientSecret());
    await expect(
      d365Credential(after.value ?? '').getToken(`${emulator.url}/.default`),
    ).resolves.toHaveProperty('token');

    const previous = await secrets.getSecret(emulator.secretName, { version: before.properties.version });
    expect(previous.value).toBe(oldSecret);
  });

  it('serves a planted wrong secret, which Entra ID then rejects', async () => {
    await secrets.setSecret(emulator.secretName, 'planted-wrong-secret');
    const read = await secrets.getSecret(emulator.secretName);
    expect(read.value).toBe('planted-wrong-secret');
    await expect(d365Credential(read.value ?? '').getToken(`${emulator.url}/.default`)).rejects.toThrow(
      /invalid_client/,
    );
  });
});
