import { callbackSigningRefusal, callbackSigningStartupLine } from './callback-signing-report';

describe('callbacks that cannot be signed', () => {
  it('names the missing secret, the vault and the command that adds it at start', () => {
    const line = callbackSigningStartupLine(
      'missing',
      'callback-signing-secret',
      'https://kv-sync.vault.azure.net',
    );
    expect(line).toMatch(
      /'callback-signing-secret' \(CALLBACK_SECRET_NAME\) is missing in https:\/\/kv-sync\.vault\.azure\.net/,
    );
    expect(line).toMatch(/az keyvault secret set --vault-name kv-sync --name callback-signing-secret/);
  });

  it('names the role to grant when the app may not read it', () => {
    expect(callbackSigningStartupLine('forbidden', 'cb', 'https://kv-sync.vault.azure.net')).toMatch(
      /"Key Vault Secrets User" role on the vault/,
    );
  });

  it('says nothing when the secret is there, or Key Vault did not answer', () => {
    expect(callbackSigningStartupLine('ready', 'cb', 'https://kv.vault.azure.net')).toBeUndefined();
    expect(callbackSigningStartupLine('unknown', 'cb', 'https://kv.vault.azure.net')).toBeUndefined();
  });

  it('refuses at the intake only when Key Vault said the secret is missing or unreadable', async () => {
    const signing = (state: 'ready' | 'missing' | 'forbidden' | 'unknown') => ({
      secretName: 'cb',
      state: async () => state,
    });
    expect(await callbackSigningRefusal(signing('missing'))).toMatch(
      /^Callback-Url refused: result callbacks cannot be signed on this app right now/,
    );
    expect(await callbackSigningRefusal(signing('forbidden'))).toMatch(/not readable from Key Vault/);
    expect(await callbackSigningRefusal(signing('ready'))).toBeUndefined();
    expect(await callbackSigningRefusal(signing('unknown'))).toBeUndefined();
  });
});
