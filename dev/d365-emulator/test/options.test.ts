import { InvalidOptionError, startEmulator } from '../src';
import {
  call,
  CREATE_CUSTOMER_PATH,
  customerPayload,
  keyVaultToken,
  startTestEmulator,
  useEmulator,
  d365TokenAnswer,
} from './support/emulator';

describe('startEmulator options', () => {
  const emulator = useEmulator({
    legalEntities: ['abcd', 'XYZ'],
    customerGroups: ['VIP'],
    secretName: 'other-secret-name',
    tokenLifetimeSeconds: 600,
  });

  it('creates customers only in the configured companies and groups, with the company prefix', async () => {
    const answer = await d365TokenAnswer(emulator);
    expect(answer.body.expires_in).toBe('600');
    const token = String(answer.body.access_token);

    const created = await call(emulator, 'POST', CREATE_CUSTOMER_PATH, {
      token,
      body: customerPayload({ LegalEntity: 'ABCD', CustomerGroup: 'vip' }),
    });
    expect(created.status).toBe(200);
    expect(created.body.CustomerAccount).toBe('AB-000001');

    const usrt = await call(emulator, 'POST', CREATE_CUSTOMER_PATH, {
      token,
      body: customerPayload({ CustomerGroup: 'VIP' }),
    });
    expect(usrt.status).toBe(500);
    expect(usrt.body.Message).toContain("Company 'USRT' does not exist.");

    const group30 = await call(emulator, 'POST', CREATE_CUSTOMER_PATH, {
      token,
      body: customerPayload({ LegalEntity: 'XYZ', CustomerGroup: '30' }),
    });
    expect(group30.status).toBe(500);

    // Without USMF, the first company is the default one that OData searches without cross-company.
    const visible = await call<{ value: { dataAreaId: string }[] }>(emulator, 'GET', '/data/CustomersV3', {
      token,
    });
    expect(visible.body.value.map((c) => c.dataAreaId)).toEqual(['abcd']);
  });

  it('keeps the D365 client secret under the configured secret name', async () => {
    const read = await call(emulator, 'GET', '/secrets/other-secret-name?api-version=7.5', {
      token: await keyVaultToken(emulator),
    });
    expect(read.status).toBe(200);
    expect(read.body.value).toBe(emulator.currentClientSecret());
  });

  it('generates a different client secret, signing key and CA at every start', async () => {
    const second = await startTestEmulator();
    try {
      expect(second.currentClientSecret()).not.toBe(emulator.currentClientSecret());
      expect(second.caCertPem).not.toBe(emulator.caCertPem);
      const token = await d365TokenAnswer(emulator);
      // A token of one emulator is not valid at another.
      const elsewhere = await call(second, 'GET', '/data/CustomersV3', {
        token: String(token.body.access_token),
      });
      expect(elsewhere.status).toBe(401);
    } finally {
      await second.stop();
    }
  });

  it('rejects options that cannot work', async () => {
    await expect(startEmulator({ port: 0, legalEntities: [] })).rejects.toThrow(/legalEntities/);
    await expect(startEmulator({ port: 0, defaultLegalEntity: 'NOPE' })).rejects.toThrow(
      /defaultLegalEntity/,
    );
    await expect(startEmulator({ port: 0, throttle: { ratePerSecond: 0 } })).rejects.toThrow(/ratePerSecond/);
    await expect(startEmulator({ port: 0, defaultLegalEntity: 'NOPE' })).rejects.toMatchObject({
      name: 'InvalidOptionError',
      option: 'defaultLegalEntity',
      value: 'NOPE',
    });
    await expect(startEmulator({ port: 70000 })).rejects.toBeInstanceOf(InvalidOptionError);
  });
});
