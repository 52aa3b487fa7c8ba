// Over 300 lines: one test per D365 answer the update adapter must read, sharing one emulator and token source.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaultRuleInput, LOCAL_D365_CLIENT_ID, startEmulator } from '@d365-customer-sync/d365-emulator';
import { trustCertificate } from '../../dev/local-stack/app-stack';
import { createD365CustomerUpdates } from '../../shared/adapters/d365/d365-customer-updates';
import { d365Gate } from '../../shared/adapters/d365/d365-gate';
import { ProcessingError } from '../../shared/domain/failure';
import { TokenSource } from '../../shared/ports';
import { emulatorD365Tokens } from '../../dev/local-stack/emulator-clients';

/**
 * The real update adapter, with the real Key Vault and Entra ID clients behind its token source,
 * against the HTTPS emulator's CustomersV3 (read by key, PATCH with If-Match).
 */
let emulator: Awaited<ReturnType<typeof startEmulator>>;
let tokens: TokenSource;

beforeAll(async () => {
  emulator = await startEmulator({ host: '127.0.0.1', port: 0 });
  trustCertificate(emulator.caCertPem);
  tokens = emulatorD365Tokens(emulator.url);
});
afterAll(async () => {
  await emulator?.stop();
});
afterEach(async () => {
  emulator.clearFaults();
  await control('PATCH', '/_emulator/settings', { unregisteredClientIds: [] });
});

const updates = () => createD365CustomerUpdates(tokens, { url: emulator.url, timeoutMs: 5000 });

async function control<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return (response.status === 204 ? {} : await response.json()) as T;
}

/** A customer created in D365 through CustomersV3 (as the create path does), its account returned. */
async function createCustomer(extra: Record<string, unknown> = {}): Promise<string> {
  const response = await fetch(`${emulator.url}/data/CustomersV3`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await tokens.getToken()}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      dataAreaId: 'USRT',
      PartyType: 'Person',
      PersonFirstName: 'Dana',
      PersonLastName: 'Scully',
      PrimaryContactEmail: 'dana@example.com',
      CustomerGroupId: '30',
      SalesCurrencyCode: 'USD',
      ...extra,
    }),
  });
  expect(response.status).toBe(201);
  return String(((await response.json()) as { CustomerAccount: string }).CustomerAccount);
}

const failureOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProcessingError);
  return (error as ProcessingError).failure;
};

describe('updating customers in D365 through CustomersV3', () => {
  it('reads a customer with its ETag, patches only the changes, and the ETag changes with every update', async () => {
    const account = await createCustomer();
    const client = updates();
    const first = await client.getCustomer('USRT', account);
    expect(first?.etag).toMatch(/^W\/"/);
    expect(first?.fields).toMatchObject({
      CustomerAccount: account,
      PrimaryContactEmail: 'dana@example.com',
    });

    const applied = await client.patchCustomer(
      'USRT',
      account,
      { PrimaryContactEmail: 'new@example.com' },
      {
        etag: first!.etag,
      },
    );
    expect(applied).toEqual({ kind: 'applied' }); // F&O's 204 has no ETag: read again
    const second = await client.getCustomer('usrt', account);
    expect(second?.fields).toMatchObject({ PrimaryContactEmail: 'new@example.com', PersonFirstName: 'Dana' });
    expect(second?.etag).not.toBe(first?.etag);

    expect(
      await client.patchCustomer(
        'usrt',
        account,
        { PrimaryContactPhone: '+15550100' },
        { etag: second!.etag },
      ),
    ).toEqual({ kind: 'applied' });
    const third = await client.getCustomer('usrt', account);
    expect(new Set([first?.etag, second?.etag, third?.etag]).size).toBe(3);
    const audit = await control<{ updates: { odata: number; history: { fields: unknown }[] } }>(
      'GET',
      `/_emulator/customers/USRT/${account}`,
    );
    expect(audit.updates.odata).toBe(2);
    expect(audit.updates.history.map((h) => h.fields)).toEqual([
      { PrimaryContactEmail: 'new@example.com' },
      { PrimaryContactPhone: '+15550100' },
    ]);
  });

  it('a stale ETag is a conflict: after our own update, and after an operator changed the customer in D365', async () => {
    const account = await createCustomer();
    const client = updates();
    const read = await client.getCustomer('usrt', account);
    await client.patchCustomer('usrt', account, { PersonMiddleName: 'K' }, { etag: read!.etag });
    expect(
      await client.patchCustomer('usrt', account, { PersonMiddleName: 'L' }, { etag: read!.etag }),
    ).toEqual({
      kind: 'conflict',
    });

    const fresh = await client.getCustomer('usrt', account);
    await control('PATCH', `/_emulator/customers/USRT/${account}`, { PrimaryContactPhone: '+15550199' });
    expect(
      await client.patchCustomer(
        'usrt',
        account,
        { PrimaryContactPhone: '+15550100' },
        { etag: fresh!.etag },
      ),
    ).toEqual({
      kind: 'conflict',
    });
    // The operator's change stands; nothing of the refused PATCH was written.
    expect((await client.getCustomer('usrt', account))?.fields).toMatchObject({
      PrimaryContactPhone: '+15550199',
      PersonMiddleName: 'K',
    });
  });

  it('an unknown customer is undefined to a read and not_found to a PATCH, even with If-Match: *', async () => {
    const client = updates();
    await expect(client.getCustomer('usrt', 'US-999999')).resolves.toBeUndefined();
    await expect(
      client.patchCustomer('usrt', 'US-999999', { PersonMiddleName: 'A' }, { etag: '*' }),
    ).resolves.toEqual({
      kind: 'not_found',
    });
    // A customer of another company is not found under this one's key.
    const account = await createCustomer();
    await expect(client.getCustomer('demf', account)).resolves.toBeUndefined();
  });

  it('addresses an account holding a quote (the key literal doubles it)', async () => {
    const account = await createCustomer({ CustomerAccount: "O'NEIL-7" });
    const client = updates();
    const read = await client.getCustomer('usrt', account);
    expect(
      await client.patchCustomer('usrt', account, { PersonLastName: "O'Neil" }, { etag: read!.etag }),
    ).toEqual({
      kind: 'applied',
    });
    expect((await client.getCustomer('usrt', account))?.fields.PersonLastName).toBe("O'Neil");
  });

  it('a change D365 refuses is a permanent business error carrying the reason D365 gave', async () => {
    const account = await createCustomer();
    const client = updates();
    const read = await client.getCustomer('usrt', account);
    const failure = await failureOf(
      client.patchCustomer(
        'usrt',
        account,
        { CustomerGroupId: '99', PrimaryContactEmail: 'x@example.com' },
        {
          etag: read!.etag,
        },
      ),
    );
    expect(failure).toMatchObject({ kind: 'permanent', code: 'business_error' });
    expect(failure.kind === 'permanent' && failure.message).toMatch(/Customer group/);
  });

  it('429 with Retry-After is transient and throttled, and pauses the D365 gate slot the call ran in', async () => {
    const account = await createCustomer();
    const client = updates();
    const read = await client.getCustomer('usrt', account);
    emulator.addFault({ service: 'd365', method: 'PATCH', status: 429, retryAfter: 3, count: 1 });
    const gate = d365Gate(1);
    const slot = await gate.acquire(1000);
    if (!('run' in slot)) throw new Error('no slot');
    const before = Date.now();
    const failure = await failureOf(
      slot.run(() => client.patchCustomer('usrt', account, { PersonMiddleName: 'Z' }, { etag: read!.etag })),
    );
    await slot.release();
    expect(failure).toMatchObject({ kind: 'transient', throttled: true, retryAfterSeconds: 3 });
    expect(gate.pausedUntil()).toBeGreaterThanOrEqual(before + 3000);
    // Nothing was applied: the same ETag still works once D365 takes calls again.
    expect(
      await client.patchCustomer('usrt', account, { PersonMiddleName: 'Z' }, { etag: read!.etag }),
    ).toEqual({
      kind: 'applied',
    });
  });

  it('a 401 to a cached token is retried once with a fresh one; an app D365 does not know is not_registered', async () => {
    const account = await createCustomer();
    const asked: boolean[] = [];
    // The cached token has gone stale (say D365 restarted with new keys): D365 answers 401 to it.
    const stale: TokenSource = {
      getToken: async (options) => {
        asked.push(options?.fresh === true);
        return options?.fresh ? tokens.getToken({ fresh: true }) : 'eyJhbGciOiJSUzI1NiJ9.e30.c3RhbGU';
      },
    };
    const client = createD365CustomerUpdates(stale, { url: emulator.url, timeoutMs: 5000 });
    expect((await client.getCustomer('usrt', account))?.fields.CustomerAccount).toBe(account);
    expect(asked).toEqual([false, true]);

    await control('PATCH', '/_emulator/settings', { unregisteredClientIds: [LOCAL_D365_CLIENT_ID] });
    expect(await failureOf(updates().getCustomer('usrt', account))).toMatchObject({
      kind: 'permanent',
      code: 'not_registered',
    });
  });

  it('a gateway timeout after D365 applied the PATCH is transient and uncertain; the change is in D365', async () => {
    const account = await createCustomer();
    const client = updates();
    const read = await client.getCustomer('usrt', account);
    emulator.addFault({ service: 'd365', method: 'PATCH', after: true, status: 504, count: 1 });
    const failure = await failureOf(
      client.patchCustomer('usrt', account, { PersonMiddleName: 'Q' }, { etag: read!.etag }),
    );
    expect(failure).toMatchObject({ kind: 'transient', uncertain: true });
    const now = await client.getCustomer('usrt', account);
    expect(now?.fields.PersonMiddleName).toBe('Q');
    // Sent again with the old ETag it is a conflict, which tells the caller to compare, not to overwrite.
    expect(
      await client.patchCustomer('usrt', account, { PersonMiddleName: 'Q' }, { etag: read!.etag }),
    ).toEqual({
      kind: 'conflict',
    });
  });

  it('reads the captured F&O answers (test/captured-answers) replayed to a PATCH as the create client does', async () => {
    const captured = (name: string): Record<string, unknown> =>
      (
        JSON.parse(readFileSync(join(__dirname, '..', 'captured-answers', `${name}.json`), 'utf8')) as {
          rule: Record<string, unknown>;
        }
      ).rule;
    const account = await createCustomer();
    const client = updates();
    const patch = async () =>
      client.patchCustomer(
        'usrt',
        account,
        { PersonMiddleName: 'C' },
        {
          etag: (await client.getCustomer('usrt', account))!.etag,
        },
      );
    const expectations: [string, Record<string, unknown>][] = [
      ['odata-update-conflict-500', { kind: 'transient' }],
      ['odata-429-retry-after', { kind: 'transient', throttled: true, retryAfterSeconds: 1 }],
      ['fo-401-app-not-registered', { kind: 'permanent', code: 'not_registered' }],
      ['aspnet-500-without-xpp-message', { kind: 'transient', uncertain: true }],
    ];
    for (const [name, expected] of expectations) {
      // Replayed before D365 does anything (a captured `after` answer too): nothing is written.
      const { after: _after, ...rule } = captured(name);
      emulator.addFault({ ...rule, method: 'PATCH', path: '/data/CustomersV3(' } as FaultRuleInput);
      expect([name, await failureOf(patch())]).toEqual([name, expect.objectContaining(expected)]);
      emulator.clearFaults();
    }
    // None of them wrote anything: the customer is as created.
    expect((await client.getCustomer('usrt', account))?.fields.PersonMiddleName).toBe('');
  });
});
