import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppStack, postJson, startAppStack } from '../support/app-stack';

const full = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'seed-customer-full.json'), 'utf8'));

/**
 * A customer that exists already (same e-mail, same legal entity): the answers name the existing
 * account, and every account when several match, under `reject` and `link`.
 */
describe('customers that existed before', () => {
  let stack: AppStack;

  beforeAll(async () => {
    stack = await startAppStack({ settings: { DUPLICATE_POLICY: 'create' } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const post = (headers: Record<string, string> = {}) =>
    postJson(`${stack.url}/api/customers`, full, { prefer: 'wait=20', ...headers });
  const usePolicy = async (policy: string) => {
    stack.env.DUPLICATE_POLICY = policy;
    await stack.restartHost('SIGTERM');
  };

  it('reject: 409 with the existing account; link with several: the first, and all of them listed', async () => {
    const first = await post();
    expect(first.status).toBe(201);
    const account = (first.json as { customerAccount: string }).customerAccount;

    await usePolicy('reject');
    const rejected = await post();
    expect(rejected.status).toBe(409);
    expect(rejected.json).toMatchObject({
      code: 'duplicate',
      existingAccounts: [account],
      detail: `A customer with this e-mail address already exists in the legal entity (DUPLICATE_POLICY=reject): account ${account}.`,
    });
    const status = await (await fetch((rejected.json as { statusUrl: string }).statusUrl)).json();
    expect(status).toMatchObject({
      status: 'failed',
      existingAccounts: [account],
      error: { code: 'duplicate' },
    });

    await usePolicy('link');
    const single = await post();
    expect(single.status).toBe(201);
    expect(single.json).toMatchObject({ customerAccount: account, outcome: 'linked' });
    expect(single.json).not.toHaveProperty('existingAccounts');

    await usePolicy('create');
    const second = await post();
    expect(second.status).toBe(201);
    const other = (second.json as { customerAccount: string }).customerAccount;
    expect(other).not.toBe(account);

    await usePolicy('link');
    const linked = await post();
    expect(linked.status).toBe(201);
    expect(linked.json).toMatchObject({
      status: 'succeeded',
      customerAccount: account,
      outcome: 'linked',
      existingAccounts: [account, other],
    });

    await usePolicy('reject');
    const both = await post();
    expect(both.status).toBe(409);
    expect(both.json).toMatchObject({
      existingAccounts: [account, other],
      detail: `A customer with this e-mail address already exists in the legal entity (DUPLICATE_POLICY=reject): 2 accounts: ${account}, ${other}.`,
    });
    expect(await stack.customers()).toHaveLength(2);
  }, 120_000);
});
