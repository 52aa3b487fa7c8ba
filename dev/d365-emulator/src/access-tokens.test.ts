import { checkAccessToken, issueAccessToken, tokenIssuer } from './access-tokens';
import { createSigningKey, SigningKey } from './jwt';
import { resolveOptions } from './options';
import { createState, EmulatorState, KEY_VAULT_RESOURCE, setListening } from './state';

const OTHER_TENANT = '44444444-4444-4444-8444-444444444444';

let key: SigningKey;
const stateFor = (tenantId?: string, signingKey = key): EmulatorState => {
  const state = createState(resolveOptions({ tenantId }), signingKey);
  setListening(state, '127.0.0.1', 7443);
  return state;
};
const d365 = (state: EmulatorState) => (aud: string) => state.d365Audiences.has(aud);

beforeAll(async () => {
  key = await createSigningKey();
});

describe('checkAccessToken', () => {
  it('accepts a token it issued for the audience, and names the client (lower case)', async () => {
    const state = stateFor();
    const { accessToken } = await issueAccessToken(state, 'ABC', state.url);
    await expect(checkAccessToken(state, accessToken, d365(state))).resolves.toMatchObject({
      ok: true,
      clientId: 'abc',
      audience: state.url,
      claims: { iss: tokenIssuer(state), tid: state.options.tenantId, ver: '1.0', appid: 'ABC' },
    });
  });

  it('answers a missing token as missing', async () => {
    await expect(checkAccessToken(stateFor(), undefined, () => true)).resolves.toEqual({
      ok: false,
      reason: 'missing',
    });
  });

  it('rejects another audience and says which audience the token has', async () => {
    const state = stateFor();
    const { accessToken } = await issueAccessToken(state, 'abc', KEY_VAULT_RESOURCE);
    await expect(checkAccessToken(state, accessToken, d365(state))).resolves.toEqual({
      ok: false,
      reason: 'audience',
      found: KEY_VAULT_RESOURCE,
    });
  });

  it('rejects a token of another tenant signed with the same key as a wrong issuer', async () => {
    const state = stateFor();
    const other = stateFor(OTHER_TENANT);
    const { accessToken } = await issueAccessToken(other, 'abc', state.url);
    await expect(checkAccessToken(state, accessToken, d365(state))).resolves.toEqual({
      ok: false,
      reason: 'issuer',
      found: tokenIssuer(other),
    });
  });

  it('checks the audience before the issuer, as Microsoft.IdentityModel does', async () => {
    const state = stateFor();
    const { accessToken } = await issueAccessToken(stateFor(OTHER_TENANT), 'abc', KEY_VAULT_RESOURCE);
    await expect(checkAccessToken(state, accessToken, d365(state))).resolves.toMatchObject({
      reason: 'audience',
    });
  });

  it('rejects a token of another emulator (another signing key) as a bad signature', async () => {
    const state = stateFor();
    const other = stateFor(undefined, await createSigningKey());
    const { accessToken } = await issueAccessToken(other, 'abc', state.url);
    await expect(checkAccessToken(state, accessToken, d365(state))).resolves.toEqual({
      ok: false,
      reason: 'signature',
    });
  });
});
