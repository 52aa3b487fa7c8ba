// Over 300 lines: one test per behaviour of the update contract, all sharing the helpers below.
import { DEFAULT_ADDRESS_REFERENCE } from '../src/address-reference';
import { addFault, call, d365Token, restoreDefaults, useEmulator, waitFor } from './support/emulator';

/** CustomersV3 read by key and PATCH by key, with ETags (README, "Updates"). */
const emulator = useEmulator();
let token: string;

type Entity = Record<string, unknown> & { '@odata.etag': string };
type ODataErrorBody = {
  error: { code: string; message: string; innererror?: { message: string; type: string } };
};

const keyPath = (legalEntity: string, account: string, crossCompany = true): string =>
  `/data/CustomersV3(dataAreaId='${legalEntity}',CustomerAccount='${account.replace(/'/g, "''")}')${
    crossCompany ? '?cross-company=true' : ''
  }`;

async function create(overrides: Record<string, unknown> = {}): Promise<{ account: string; etag: string }> {
  const answer = await call<Entity>(emulator, 'POST', '/data/CustomersV3', {
    token,
    body: {
      dataAreaId: 'USRT',
      PartyType: 'Person',
      PersonFirstName: 'Dana',
      PersonLastName: 'Scully',
      PrimaryContactEmail: 'dana@example.com',
      CustomerGroupId: '30',
      SalesCurrencyCode: 'USD',
      ...overrides,
    },
  });
  expect(answer.status).toBe(201);
  return { account: String(answer.body.CustomerAccount), etag: answer.body['@odata.etag'] };
}

const read = (account: string, legalEntity = 'usrt', crossCompany = true) =>
  call<Entity & ODataErrorBody>(emulator, 'GET', keyPath(legalEntity, account, crossCompany), { token });

const patch = (
  account: string,
  body: unknown,
  headers: Record<string, string> = {},
  legalEntity = 'usrt',
  crossCompany = true,
) =>
  call<ODataErrorBody & Entity>(emulator, 'PATCH', keyPath(legalEntity, account, crossCompany), {
    token,
    body,
    headers,
  });

beforeAll(async () => {
  token = await d365Token(emulator);
});
afterEach(async () => restoreDefaults(emulator));

describe('CustomersV3 by key: GET', () => {
  it('answers the entity with @odata.etag in the W/"…" form F&O emits, and the same ETag header', async () => {
    const { account, etag } = await create();
    const answer = await read(account);
    expect(answer.status).toBe(200);
    expect(answer.body['@odata.etag']).toBe(etag);
    expect(answer.headers.get('etag')).toBe(etag);
    // F&O's ETag: base64 of '<RecVersion>,<RecId>' (captured answers decode to e.g. '1,68719478663').
    const inner = /^W\/"([A-Za-z0-9+/=]+)"$/.exec(etag)?.[1] ?? '';
    expect(Buffer.from(inner, 'base64').toString()).toMatch(/^'1,\d+'$/);
    expect(answer.body).toMatchObject({
      dataAreaId: 'usrt',
      CustomerAccount: account,
      PersonFirstName: 'Dana',
    });
  });

  it('carries the same ETag in query results', async () => {
    const { account, etag } = await create();
    const answer = await call<{ value: Entity[] }>(
      emulator,
      'GET',
      `/data/CustomersV3?cross-company=true&$filter=${encodeURIComponent(`CustomerAccount eq '${account}'`)}`,
      { token },
    );
    expect(answer.body.value.map((row) => row['@odata.etag'])).toEqual([etag]);
  });

  it('answers 404 for an unknown key, and for another company without cross-company=true', async () => {
    const { account } = await create();
    const unknown = await read('US-999999');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe("Resource not found for the segment 'CustomersV3'.");
    expect((await read(account, 'usrt', false)).status).toBe(404); // default company is USMF
  });
});

describe('CustomersV3 by key: PATCH', () => {
  it('applies only the fields sent, answers 204 No Content, and the ETag changes on every update', async () => {
    const { account, etag: first } = await create();
    const one = await patch(account, { PrimaryContactEmail: 'new@example.com' }, { 'If-Match': first });
    expect(one.status).toBe(204);
    expect(one.text).toBe('');
    const afterOne = await read(account);
    expect(afterOne.body).toMatchObject({ PrimaryContactEmail: 'new@example.com', PersonFirstName: 'Dana' });
    const second = afterOne.body['@odata.etag'];
    expect(second).not.toBe(first);

    const two = await patch(account, { PrimaryContactPhone: '+15550100' }, { 'If-Match': second });
    expect(two.status).toBe(204);
    const third = (await read(account)).body['@odata.etag'];
    expect(new Set([first, second, third]).size).toBe(3);
  });

  it("answers 412 to a stale If-Match, in F&O's OData error shape, and writes nothing", async () => {
    const { account, etag } = await create();
    expect((await patch(account, { PersonLastName: 'Mulder' }, { 'If-Match': etag })).status).toBe(204);
    const stale = await patch(account, { PersonLastName: 'Skinner' }, { 'If-Match': etag });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toMatch(/application\/json/);
    expect(stale.body.error).toEqual({ code: '', message: expect.stringMatching(/ETag/) });
    expect((await read(account)).body.PersonLastName).toBe('Mulder');
    const stats = await call<{ updateConflicts: number; customersUpdated: number }>(
      emulator,
      'GET',
      '/_emulator/stats',
    );
    expect(stats.body.updateConflicts).toBeGreaterThanOrEqual(1);
  });

  it('412s after an operator changed the customer in D365 (control API), then applies with the new ETag', async () => {
    const { account, etag } = await create();
    const operator = await call<{ etag: string; fields: Record<string, unknown> }>(
      emulator,
      'PATCH',
      `/_emulator/customers/USRT/${account}`,
      { body: { PrimaryContactPhone: '+15550199' } },
    );
    expect(operator.status).toBe(200);
    expect(operator.body.etag).not.toBe(etag);
    expect((await patch(account, { PersonFirstName: 'Fox' }, { 'If-Match': etag })).status).toBe(412);
    const fresh = await read(account);
    expect(fresh.body['@odata.etag']).toBe(operator.body.etag);
    expect(
      (await patch(account, { PersonFirstName: 'Fox' }, { 'If-Match': operator.body.etag })).status,
    ).toBe(204);
    const audit = await call<{
      fields: Record<string, unknown>;
      updates: {
        odata: number;
        operator: number;
        history: { via: string; fields: Record<string, unknown> }[];
      };
    }>(emulator, 'GET', `/_emulator/customers/usrt/${account.toLowerCase()}`);
    expect(audit.body.fields).toMatchObject({ PersonFirstName: 'Fox', PrimaryContactPhone: '+15550199' });
    expect(audit.body.updates).toMatchObject({ odata: 1, operator: 1 });
    expect(audit.body.updates.history.map((h) => [h.via, h.fields])).toEqual([
      ['operator', { PrimaryContactPhone: '+15550199' }],
      ['odata', { PersonFirstName: 'Fox' }],
    ]);
  });

  it('applies without If-Match (F&O does not require it) and with If-Match: *', async () => {
    const { account } = await create();
    expect((await patch(account, { PersonMiddleName: 'K' })).status).toBe(204);
    expect((await patch(account, { PersonMiddleName: 'W' }, { 'If-Match': '*' })).status).toBe(204);
    expect((await read(account)).body.PersonMiddleName).toBe('W');
    const audit = await call<{ updates: { history: { ifMatch: string }[] } }>(
      emulator,
      'GET',
      `/_emulator/customers/USRT/${account}`,
    );
    expect(audit.body.updates.history.map((h) => h.ifMatch)).toEqual(['none', '*']);
  });

  it('accepts the ETag among several If-Match tags, and compares the opaque value (W/ or not)', async () => {
    const { account, etag } = await create();
    const strong = etag.replace(/^W\//, '');
    expect(
      (await patch(account, { PersonMiddleName: 'A' }, { 'If-Match': `W/"other", ${strong}` })).status,
    ).toBe(204);
  });

  it('answers 404 to an unknown key even with If-Match: *, and to another company without cross-company', async () => {
    const { account, etag } = await create();
    const unknown = await patch('US-999999', { PersonMiddleName: 'A' }, { 'If-Match': '*' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe("Resource not found for the segment 'CustomersV3'.");
    expect(
      (await patch(account, { PersonMiddleName: 'A' }, { 'If-Match': etag }, 'usrt', false)).status,
    ).toBe(404);
  });

  it('refuses an unknown field (400 ODataException) before the ETag is even looked at', async () => {
    const { account } = await create();
    const answer = await patch(account, { Nickname: 'x' }, { 'If-Match': 'W/"stale"' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.innererror).toMatchObject({
      type: 'Microsoft.OData.ODataException',
      message: expect.stringContaining("The property 'Nickname' does not exist"),
    });
  });

  it('refuses wrong JSON types and a null enum, as the create does', async () => {
    const { account } = await create();
    expect((await patch(account, { CreditLimit: 'lots' })).status).toBe(400);
    expect((await patch(account, { PersonGender: null })).body.error.innererror?.message).toMatch(
      /null value/,
    );
    expect((await patch(account, '[1,2]')).status).toBe(400);
  });

  it('does not let a key or system field change; the same key value is ignored', async () => {
    const { account, etag } = await create();
    const renamed = await patch(account, { CustomerAccount: 'US-777777' }, { 'If-Match': etag });
    expect(renamed.status).toBe(400);
    expect(renamed.body.error.innererror?.type).toMatch(/AxODataWriteException/);
    expect((await patch(account, { dataAreaId: 'usmf' }, { 'If-Match': etag })).status).toBe(400);
    expect((await patch(account, { PartyNumber: '999999999' }, { 'If-Match': etag })).status).toBe(400);
    expect((await patch(account, { AddressRecordId: '5637144577' }, { 'If-Match': etag })).status).toBe(400);
    expect((await read(account)).body['@odata.etag']).toBe(etag); // nothing was written
    const same = await patch(
      account,
      { CustomerAccount: account, dataAreaId: 'USRT', PersonMiddleName: 'Q' },
      { 'If-Match': etag },
    );
    expect(same.status).toBe(204);
  });

  it("applies the create's business rules to the fields it changes (customer group, currency, e-mail, name)", async () => {
    const { account } = await create();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ CustomerGroupId: '99' }, /'99' in field 'Customer group' is not found/],
      [{ CustomerGroupId: '' }, /Field 'Customer group' must be filled in/],
      [{ SalesCurrencyCode: 'XYZ' }, /'XYZ' in field 'Currency' is not found/],
      [{ SalesCurrencyCode: '' }, /Field 'Currency' must be filled in/],
      [{ PrimaryContactEmail: 'not-an-email' }, /email address is not valid/],
      [{ PersonFirstName: '', PersonLastName: '' }, /Field 'First name' must be filled in/],
    ];
    for (const [body, message] of cases) {
      const answer = await patch(account, body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.innererror?.message).toMatch(message);
    }
    expect((await read(account)).body).toMatchObject({ CustomerGroupId: '30', PersonFirstName: 'Dana' });
    expect((await patch(account, { CustomerGroupId: ' 20 ', SalesCurrencyCode: 'eur' })).status).toBe(204);
    expect((await read(account)).body).toMatchObject({ CustomerGroupId: '20', SalesCurrencyCode: 'EUR' });
  });

  it('checks address fields against the address reference data on the merged address', async () => {
    const { account } = await create({
      AddressStreet: '1 Main St',
      AddressCity: 'Acworth',
      AddressState: 'NH',
      AddressCountryRegionId: 'USA',
    });
    const badState = await patch(account, { AddressState: 'ZZ' });
    expect(badState.status).toBe(400);
    expect(badState.body.error.innererror?.message).toMatch(/'ZZ' in field 'State' is not found/);
    const badCountry = await patch(account, {
      DeliveryAddressCity: 'Nowhere',
      DeliveryAddressCountryRegionId: 'XXX',
    });
    expect(badCountry.body.error.innererror?.message).toMatch(/'XXX' in field 'Country\/region'/);
    const noCountry = await patch(account, { InvoiceAddressStreet: '2 Elm St' });
    expect(noCountry.body.error.innererror?.message).toMatch(/Field 'Country\/region' must be filled in/);
    expect((await patch(account, { AddressState: 'CA', AddressCity: 'Bodie' })).status).toBe(204);
    expect((await read(account)).body).toMatchObject({ AddressState: 'CA', AddressStreet: '1 Main St' });
  });

  it('checks ZIP codes where the reference data sets them up', async () => {
    await call(emulator, 'PATCH', '/_emulator/settings', {
      body: { addressReference: { USA: { states: ['NH', 'CA'], zipCodes: { '00210': 'NH' } } } },
    });
    try {
      const { account } = await create();
      const answer = await patch(account, {
        AddressCountryRegionId: 'USA',
        AddressState: 'CA',
        AddressZipCode: '00210',
      });
      expect(answer.body.error.innererror?.message).toMatch(/does not belong to the state 'CA'/);
    } finally {
      await call(emulator, 'PATCH', '/_emulator/settings', {
        body: { addressReference: DEFAULT_ADDRESS_REFERENCE },
      });
    }
  });

  it('answers 200 with the entity and its new ETag under Prefer: return=representation', async () => {
    const { account, etag } = await create();
    const answer = await patch(
      account,
      { PersonMiddleName: 'R' },
      { 'If-Match': etag, Prefer: 'return=representation' },
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get('preference-applied')).toBe('return=representation');
    expect(answer.body.PersonMiddleName).toBe('R');
    expect(answer.body['@odata.etag']).not.toBe(etag);
    expect(answer.headers.get('etag')).toBe(answer.body['@odata.etag']);
  });

  it('addresses a key holding a quote (doubled in the key literal of the URL)', async () => {
    const { account } = await create({ CustomerAccount: "O'NEIL-1" });
    expect(account).toBe("O'NEIL-1");
    expect((await patch(account, { PersonLastName: "O'Neil" })).status).toBe(204);
    expect((await read(account)).body.PersonLastName).toBe("O'Neil");
  });

  it('counts reads and updates as their own endpoints in the stats and the request log', async () => {
    await call(emulator, 'POST', '/_emulator/stats/reset');
    const { account } = await create();
    await read(account);
    await patch(account, { PersonMiddleName: 'S' });
    const stats = await call<{ d365: { requests: Record<string, number> }; customersUpdated: number }>(
      emulator,
      'GET',
      '/_emulator/stats',
    );
    expect(stats.body.d365.requests).toMatchObject({ odataCreate: 1, odataRead: 1, odataUpdate: 1 });
    expect(stats.body.customersUpdated).toBe(1);
    const log = await call<{ value: { endpoint: string; status: number }[] }>(
      emulator,
      'GET',
      '/_emulator/requests?endpoint=odataRead,odataUpdate',
    );
    expect(log.body.value.map((e) => [e.endpoint, e.status])).toEqual([
      ['odataRead', 200],
      ['odataUpdate', 204],
    ]);
  });

  it('a 500 fault on a PATCH answers the write exception an update failing in X++ answers', async () => {
    const { account } = await create();
    await addFault(emulator, { service: 'd365', method: 'PATCH', status: 500, count: 1 });
    const failed = await patch(account, { PersonMiddleName: 'U' });
    expect(failed.status).toBe(500);
    expect(failed.body.error.innererror).toMatchObject({
      type: expect.stringMatching(/AxODataWriteException$/),
      message: expect.stringContaining('Update has been canceled.'),
    });
    expect((await read(account)).body.PersonMiddleName).toBe('');
  });

  it('an "after" fault can drop the answer of an applied update (a gateway timeout after the commit)', async () => {
    const { account, etag } = await create();
    await addFault(emulator, { service: 'd365', method: 'PATCH', after: true, status: 504, count: 1 });
    const lost = await patch(account, { PersonMiddleName: 'T' }, { 'If-Match': etag });
    expect(lost.status).toBe(504);
    const now = await read(account);
    expect(now.body.PersonMiddleName).toBe('T'); // D365 applied it
    expect(now.body['@odata.etag']).not.toBe(etag);
    expect((await patch(account, { PersonMiddleName: 'T' }, { 'If-Match': etag })).status).toBe(412);
  });
  it('a slow commit lands after its answer, and is rolled back when the customer changed meanwhile', async () => {
    const { account, etag } = await create();
    await addFault(emulator, {
      service: 'd365',
      method: 'PATCH',
      after: true,
      status: 504,
      commitDelayMs: 150,
      count: 1,
    });
    expect((await patch(account, { PersonMiddleName: 'V' }, { 'If-Match': etag })).status).toBe(504);
    expect((await read(account)).body.PersonMiddleName).toBe(''); // not committed yet
    await waitFor(async () => (await read(account)).body.PersonMiddleName === 'V', 'the slow commit');

    const second = await create();
    await addFault(emulator, {
      service: 'd365',
      method: 'PATCH',
      after: true,
      status: 504,
      commitDelayMs: 150,
      count: 1,
    });
    expect((await patch(second.account, { PersonMiddleName: 'V' }, { 'If-Match': second.etag })).status).toBe(
      504,
    );
    await call(emulator, 'PATCH', `/_emulator/customers/USRT/${second.account}`, {
      body: { PersonMiddleName: 'O' },
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const after = await call<{ fields: Record<string, unknown>; updates: { odata: number } }>(
      emulator,
      'GET',
      `/_emulator/customers/USRT/${second.account}`,
    );
    expect(after.body.fields.PersonMiddleName).toBe('O');
    expect(after.body.updates.odata).toBe(0);
  });
});

describe('control API: a customer by company and account', () => {
  it('reads the current fields and ETag, and 404s for an unknown one', async () => {
    const { account, etag } = await create();
    const answer = await call<{ etag: string; fields: Record<string, unknown>; updates: { odata: number } }>(
      emulator,
      'GET',
      `/_emulator/customers/USRT/${account}`,
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      etag,
      fields: { PersonFirstName: 'Dana' },
      updates: { odata: 0, operator: 0 },
    });
    expect((await call(emulator, 'GET', '/_emulator/customers/USRT/US-999999')).status).toBe(404);
  });

  it('refuses an operator change D365 would refuse, and changes nothing', async () => {
    const { account, etag } = await create();
    const answer = await call<{ odataError: ODataErrorBody }>(
      emulator,
      'PATCH',
      `/_emulator/customers/USRT/${account}`,
      {
        body: { CustomerGroupId: '99' },
      },
    );
    expect(answer.status).toBe(400);
    expect(answer.body.odataError.error.innererror?.message).toMatch(/Customer group/);
    expect((await read(account)).body['@odata.etag']).toBe(etag);
  });
});
