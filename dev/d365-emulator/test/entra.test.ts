import { ClientSecretCredential } from '@azure/identity';
import { createPublicKey, JsonWebKey, verify } from 'node:crypto';
import {
  call,
  claimsOf,
  KEY_VAULT_RESOURCE,
  READER_CLIENT_ID,
  READER_SECRET,
  useEmulator,
  v1Token,
  d365TokenAnswer,
} from './support/emulator';

const emulator = useEmulator();

const credential = (secret: string, clientId = emulator.d365ClientId): ClientSecretCredential =>
  new ClientSecretCredential(emulator.tenantId, clientId, secret, {
    authorityHost: emulator.url,
    disableInstanceDiscovery: true,
  });

describe('Entra ID emulation', () => {
  it('gives the real ClientSecretCredential a signed D365 token with audience, tenant and expiry', async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await credential(emulator.currentClientSecret()).getToken(`${emulator.url}/.default`);

    const claims = claimsOf(token.token);
    expect(claims.aud).toBe(emulator.url);
    expect(claims.tid).toBe(emulator.tenantId);
    expect(claims.appid).toBe(emulator.d365ClientId);
    expect(claims.azp).toBe(emulator.d365ClientId);
    expect(typeof claims.oid).toBe('string');
    expect(claims.exp).toBeGreaterThanOrEqual(before + 3599);
    expect(claims.nbf).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3000 * 1000);

    // The signature verifies with the key the metadata's jwks_uri publishes.
    const metadata = await call(
      emulator,
      'GET',
      `/${emulator.tenantId}/v2.0/.well-known/openid-configuration`,
    );
    const keys = await fetch(String(metadata.body.jwks_uri)).then(
      (r) => r.json() as Promise<{ keys: JsonWebKey[] }>,
    );
    const [header, payload, signature] = token.token.split('.') as [string, string, string];
    const key = createPublicKey({ key: keys.keys[0] as JsonWebKey, format: 'jwk' });
    expect(
      verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url')),
    ).toBe(true);
  });

  it('publishes OpenID metadata whose issuer and endpoints are on the host the client used', async () => {
    const localhostUrl = `https://localhost:${emulator.port}`;
    const response = await fetch(
      `${localhostUrl}/${emulator.tenantId}/v2.0/.well-known/openid-configuration`,
    );
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(`${localhostUrl}/${emulator.tenantId}/v2.0`);
    expect(metadata.token_endpoint).toBe(`${localhostUrl}/${emulator.tenantId}/oauth2/v2.0/token`);
    expect(metadata).toHaveProperty('authorization_endpoint');
    expect(metadata).toHaveProperty('jwks_uri');
  });

  it('answers the v1 endpoint with resource, in the v1 shape with string numbers', async () => {
    const answer = await d365TokenAnswer(emulator);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: '3599',
      ext_expires_in: '3599',
      resource: emulator.url,
    });
    expect(answer.body.expires_on).toMatch(/^\d+$/);
    expect(answer.body.not_before).toMatch(/^\d+$/);
    const claims = claimsOf(String(answer.body.access_token));
    expect(claims.aud).toBe(emulator.url);
    expect(claims.exp).toBe(Number(answer.body.expires_on));
  });

  it('accepts the localhost form of the D365 resource, with or without a trailing slash', async () => {
    const answer = await d365TokenAnswer(emulator, `https://localhost:${emulator.port}/`);
    expect(answer.status).toBe(200);
    expect(claimsOf(String(answer.body.access_token)).aud).toBe(`https://localhost:${emulator.port}`);
  });

  it('surfaces a wrong secret as invalid_client AADSTS7000215 through the credential', async () => {
    await expect(credential('not-the-secret').getToken(`${emulator.url}/.default`)).rejects.toThrow(
      /AADSTS7000215/,
    );
    await expect(credential('not-the-secret').getToken(`${emulator.url}/.default`)).rejects.toThrow(
      /invalid_client/,
    );
  });

  it('answers a wrong secret with 401 (invalid_client) and Entra ID error body', async () => {
    const answer = await v1Token(emulator, emulator.d365ClientId, 'wrong', emulator.url);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    expect(answer.body.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided\./);
    expect(answer.body).toHaveProperty('trace_id');
    expect(answer.body).toHaveProperty('correlation_id');
    expect(answer.body).toHaveProperty('timestamp');
  });

  it('answers an unknown client with unauthorized_client AADSTS700016', async () => {
    const answer = await v1Token(emulator, '99999999-9999-4999-8999-999999999999', 'x', emulator.url);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });
  });

  it('rejects a v2 scope without /.default and an unknown resource', async () => {
    const post = (form: Record<string, string>): Promise<Response> =>
      fetch(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: emulator.d365ClientId,
          client_secret: emulator.currentClientSecret(),
          ...form,
        }),
      });
    const noDefault = await post({ scope: `${emulator.url}/user_impersonation` });
    expect(noDefault.status).toBe(400);
    expect(await noDefault.json()).toMatchObject({ error: 'invalid_scope', error_codes: [1002012] });

    const unknown = await post({ scope: 'https://contoso.example/.default' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: 'invalid_resource', error_codes: [500011] });
  });

  it('rejects an unknown tenant', async () => {
    const response = await fetch(`${emulator.url}/00000000-0000-4000-8000-000000000000/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: emulator.d365ClientId,
        client_secret: emulator.currentClientSecret(),
        resource: emulator.url,
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error_codes: [90002] });
  });

  it('gives the Key Vault reader identity a token for https://vault.azure.net', async () => {
    const token = await credential(READER_SECRET, READER_CLIENT_ID).getToken(
      `${KEY_VAULT_RESOURCE}/.default`,
    );
    expect(claimsOf(token.token)).toMatchObject({ aud: KEY_VAULT_RESOURCE, appid: READER_CLIENT_ID });
  });
});
