import {
  call,
  CREATE_CUSTOMER_PATH,
  customerPayload,
  d365Token,
  KEY_VAULT_RESOURCE,
  READER_CLIENT_ID,
  READER_SECRET,
  useEmulator,
  v1Token,
} from './support/emulator';

const emulator = useEmulator();

interface StatsBody {
  tokenRequests: { v1: Record<string, number>; v2: Record<string, number> };
  tokensIssued: number;
  keyVault: { reads: number };
  d365: { requests: Record<string, number>; statuses: Record<string, number> };
  responses429: number;
  faultsApplied: number;
  customersCreated: number;
}

describe('control API', () => {
  it('counts token requests per endpoint and client, Key Vault reads, D365 requests, 429s and customers', async () => {
    expect((await call(emulator, 'POST', '/_emulator/stats/reset')).status).toBe(204);

    const d365 = await d365Token(emulator);
    const v2 = await fetch(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: READER_CLIENT_ID,
        client_secret: READER_SECRET,
        scope: `${KEY_VAULT_RESOURCE}/.default`,
      }),
    });
    const vaultToken = String(((await v2.json()) as Record<string, unknown>).access_token);
    expect(
      (await call(emulator, 'GET', `/secrets/${emulator.secretName}?api-version=7.5`, { token: vaultToken }))
        .status,
    ).toBe(200);
    expect(
      (await call(emulator, 'POST', CREATE_CUSTOMER_PATH, { token: d365, body: customerPayload() })).status,
    ).toBe(200);
    expect((await call(emulator, 'GET', '/data/CustomersV3', { token: d365 })).status).toBe(200);
    await call(emulator, 'POST', '/_emulator/faults', { body: { service: 'd365', status: 429, count: 1 } });
    expect((await call(emulator, 'GET', '/data/CustomersV3', { token: d365 })).status).toBe(429);

    const stats = (await call<StatsBody>(emulator, 'GET', '/_emulator/stats')).body;
    expect(stats.tokenRequests).toEqual({
      v1: { [emulator.d365ClientId]: 1 },
      v2: { [READER_CLIENT_ID]: 1 },
    });
    expect(stats.tokensIssued).toBe(2);
    expect(stats.keyVault.reads).toBe(1);
    expect(stats.d365.requests).toEqual({
      customService: 1,
      odataCreate: 0,
      odataQuery: 2,
      odataRead: 0,
      odataUpdate: 0,
      postalAddressCreate: 0,
      postalAddressQuery: 0,
      contactPersonCreate: 0,
      contactPersonQuery: 0,
      other: 0,
    });
    expect(stats.d365.statuses).toEqual({ '200': 2, '429': 1 });
    expect(stats.responses429).toBe(1);
    expect(stats.faultsApplied).toBe(1);
    expect(stats.customersCreated).toBe(1);
  });

  it('resets customers, faults and counters but keeps the secret; account numbers are never reused', async () => {
    const token = await d365Token(emulator);
    const before = await call(emulator, 'POST', CREATE_CUSTOMER_PATH, { token, body: customerPayload() });
    await call(emulator, 'POST', '/_emulator/faults', { body: { service: 'keyvault', status: 503 } });
    const secret = emulator.currentClientSecret();

    expect((await call(emulator, 'POST', '/_emulator/reset')).status).toBe(204);

    expect((await call<{ value: unknown[] }>(emulator, 'GET', '/_emulator/customers')).body.value).toEqual(
      [],
    );
    expect((await call<{ value: unknown[] }>(emulator, 'GET', '/_emulator/faults')).body.value).toEqual([]);
    expect((await call<StatsBody>(emulator, 'GET', '/_emulator/stats')).body.customersCreated).toBe(0);
    expect(emulator.currentClientSecret()).toBe(secret);
    expect((await v1Token(emulator, emulator.d365ClientId, secret, emulator.url)).status).toBe(200);

    const after = await call(emulator, 'POST', CREATE_CUSTOMER_PATH, { token, body: customerPayload() });
    expect(after.body.CustomerAccount).not.toBe(before.body.CustomerAccount);
  });

  it('reads and validates settings', async () => {
    const settings = await call(emulator, 'GET', '/_emulator/settings');
    expect(settings.body).toMatchObject({
      throttle: { ratePerSecond: null, concurrency: null },
      customServiceResponse: 'object',
      accountField: 'CustomerAccount',
      unregisteredClientIds: [],
      latencyMs: 0,
      tokenLifetimeSeconds: 3599,
    });
    expect(
      (await call(emulator, 'PATCH', '/_emulator/settings', { body: { customServiceResponse: 'xml' } }))
        .status,
    ).toBe(400);
    expect(
      (await call(emulator, 'PATCH', '/_emulator/settings', { body: { unknownSetting: 1 } })).status,
    ).toBe(400);
  });

  it('never returns a secret from any control endpoint', async () => {
    const secret = emulator.currentClientSecret();
    for (const path of [
      '/_emulator/settings',
      '/_emulator/stats',
      '/_emulator/customers',
      '/_emulator/faults',
    ]) {
      expect((await call(emulator, 'GET', path)).text).not.toContain(secret);
    }
  });

  it('answers unknown control paths with 404', async () => {
    expect((await call(emulator, 'GET', '/_emulator/nothing')).status).toBe(404);
  });
});
