import { AppStack, postJson, startAppStack } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';

/**
 * Callbacks that are on but cannot be signed (issue 26): the signing secret is not in Key Vault,
 * or the app's identity may not read it. The host says so at start, naming the secret and the fix,
 * and the intake refuses a Callback-Url with a clear problem, storing and queueing nothing, instead
 * of accepting a callback it can never deliver. Requests without a Callback-Url are unaffected.
 */
const CALLBACKS_ON = {
  CALLBACK_ALLOWED_HOSTS: '127.0.0.1:*',
  CALLBACK_ALLOWED_PRIVATE_ADDRESSES: '127.0.0.1',
};

const waitForLine = async (lines: string[], pattern: RegExp, timeoutMs = 30_000): Promise<string> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = lines.find((l) => pattern.test(l));
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(`no line matching ${pattern}:\n${lines.slice(-20).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('callbacks on, but the signing secret is missing from Key Vault', () => {
  let stack: AppStack;
  beforeAll(async () => {
    stack = await startAppStack({ settings: CALLBACKS_ON });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('names the missing secret and the fix in a start-up line', async () => {
    const line = await waitForLine(stack.hostOutput, /Result callbacks are on/);
    expect(line).toMatch(
      /the Key Vault secret 'callback-signing-secret' \(CALLBACK_SECRET_NAME\) is missing in https:\/\/127\.0\.0\.1:\d+/,
    );
    expect(line).toMatch(/az keyvault secret set .* --name callback-signing-secret/);
  });

  it('refuses a Callback-Url at the intake with a problem that says why, and stores nothing', async () => {
    const answer = await postJson(`${stack.url}/api/customers`, sampleCustomer('full'), {
      'callback-url': 'https://127.0.0.1:8443/hooks',
    });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    const problem = answer.json as { header: string; detail: string };
    expect(problem.header).toBe('Callback-Url');
    expect(problem.detail).toMatch(
      /^Callback-Url refused: result callbacks cannot be signed on this app right now/,
    );
    expect(problem.detail).toMatch(/CALLBACK_SECRET_NAME/);
    const props = await stack.queue.getProperties();
    expect(props.approximateMessagesCount).toBe(0);
  });

  it('accepts the same customer without a Callback-Url', async () => {
    const answer = await postJson(`${stack.url}/api/customers`, sampleCustomer('full'));
    expect(answer.status).toBe(202);
  });
});

describe("callbacks on, but the app's identity may not read Key Vault (ForbiddenByRbac)", () => {
  let stack: AppStack;
  beforeAll(async () => {
    // The app's identity (the local Key Vault reader) has no role on the vault.
    stack = await startAppStack({ settings: CALLBACKS_ON, emulator: { keyVaultReaders: [] } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('names the role to grant at start and refuses a Callback-Url', async () => {
    const line = await waitForLine(stack.hostOutput, /Result callbacks are on/);
    expect(line).toMatch(/may not read the Key Vault secret 'callback-signing-secret'/);
    expect(line).toMatch(/"Key Vault Secrets User" role/);
    const answer = await postJson(`${stack.url}/api/customers`, sampleCustomer('full'), {
      'callback-url': 'https://127.0.0.1:8443/hooks',
    });
    expect(answer.status).toBe(400);
    expect((answer.json as { detail: string }).detail).toMatch(/not readable from Key Vault/);
  });
});
