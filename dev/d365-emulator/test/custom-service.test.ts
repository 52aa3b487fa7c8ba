import {
  call,
  CREATE_CUSTOMER_PATH,
  customerPayload,
  d365Token,
  fixture,
  keyVaultToken,
  useEmulator,
  d365TokenAnswer,
} from './support/emulator';

const emulator = useEmulator();
let token: string;

beforeAll(async () => {
  token = await d365Token(emulator);
});

/** Posts to CreateCustomer with the D365 app's token, another token, or (null) none. */
const create = (body: unknown, bearer: string | null = token) =>
  call(emulator, 'POST', CREATE_CUSTOMER_PATH, { token: bearer ?? undefined, body });

interface ExceptionBody {
  Message: string;
  ExceptionType: string;
  ActivityId: string;
}

describe('CreateCustomer custom service', () => {
  beforeEach(async () => {
    await call(emulator, 'POST', '/_emulator/reset');
  });

  it('creates the fixture customers with per-company account numbers, visible in the control API and OData', async () => {
    const full = await create(customerPayload({}, 'seed-customer-full'));
    const minimal = await create(
      customerPayload({ EmailAddress: 'alex.trump@example.com' }, 'seed-customer-minimal'),
    );
    const usmf = await create(customerPayload({ LegalEntity: 'USMF' }, 'seed-customer-minimal'));

    expect(full.status).toBe(200);
    expect(full.body).toMatchObject({ $id: '1', CustomerAccount: expect.stringMatching(/^US-\d{6}$/) });
    const accounts = [full, minimal, usmf].map((r) => String(r.body.CustomerAccount));
    // One number sequence per legal entity: USRT's two accounts differ; USMF counts on its own.
    expect(accounts[0]).not.toBe(accounts[1]);
    expect(usmf.body.LegalEntity).toBe('USMF');

    const listed = await call<{ value: Record<string, unknown>[] }>(emulator, 'GET', '/_emulator/customers');
    expect(listed.body.value).toHaveLength(3);
    expect(listed.body.value[0]).toMatchObject({
      account: accounts[0],
      legalEntity: 'USRT',
      via: 'custom-service',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      fields: {
        dataAreaId: 'usrt',
        CustomerAccount: accounts[0],
        PersonFirstName: 'Cust',
        PrimaryContactEmail: 'abc1234@gmail.com',
        PrimaryContactPhone: '+923004000101',
        CustomerGroupId: '30',
        SalesCurrencyCode: 'USD',
        PersonGender: 'Male',
        AddressCountryRegionId: 'USA',
        AddressCity: 'Acworth',
        DeliveryAddressCity: 'Alton Bay',
      },
    });

    const filter = encodeURIComponent("dataAreaId eq 'usrt' and PrimaryContactEmail eq 'abc1234@gmail.com'");
    const lookup = await call<{ value: Record<string, unknown>[] }>(
      emulator,
      'GET',
      `/data/CustomersV3?cross-company=true&$filter=${filter}&$select=dataAreaId,CustomerAccount,PrimaryContactEmail`,
      { token },
    );
    expect(lookup.status).toBe(200);
    expect(lookup.body.value).toEqual([
      {
        '@odata.etag': expect.any(String),
        dataAreaId: 'usrt',
        CustomerAccount: accounts[0],
        PrimaryContactEmail: 'abc1234@gmail.com',
      },
    ]);
  });

  it('accepts the minimal fixture exactly as it is once a customer group is added', async () => {
    const payload = fixture('seed-customer-minimal');
    payload.Customer.CustomerGroup = '10';
    const answer = await create(payload);
    expect(answer.status).toBe(200);
  });

  it('answers an unknown property with the XppServicesDeserializationException body', async () => {
    const answer = await create(customerPayload({ Nickname: 'Al' }));
    expect(answer.status).toBe(500);
    const body = answer.body as unknown as ExceptionBody;
    expect(body.ExceptionType).toBe('XppServicesDeserializationException');
    expect(body.Message).toMatch(/^An exception occured when invoking the operation - /);
    expect(body.Message).toContain('Nickname');
    expect(body.ActivityId).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      (await call<{ value: unknown[] }>(emulator, 'GET', '/_emulator/customers')).body.value,
    ).toHaveLength(0);
  });

  it.each([
    ['a number for a string', { FirstName: 42 }],
    ['null for an enum', { Gender: null }],
    ['an unknown enum value', { Gender: 'Robot' }],
    ['an object for an address list', { BillingAddress: { Street: 'x' } }],
    ['an unknown property inside an address', { ShippingAddress: [{ CountryCode: 'USA', Floor: 3 }] }],
  ])('answers %s with XppServicesDeserializationException', async (_label, override) => {
    const answer = await create(customerPayload(override));
    expect(answer.status).toBe(500);
    expect(answer.body).toMatchObject({ ExceptionType: 'XppServicesDeserializationException' });
  });

  it("answers a body without the Customer parameter with F&O's parameter message", async () => {
    const answer = await create({ Client: customerPayload().Customer });
    expect(answer.status).toBe(500);
    expect(answer.body.Message).toBe("Parameter 'Customer' is not found within the request content body.");
  });

  it('answers a missing or unknown customer group and an unknown company with a business error', async () => {
    const missing = await create(customerPayload({ CustomerGroup: undefined }));
    expect(missing.status).toBe(500);
    expect(missing.body.Message).toBe(
      "An exception occured when invoking the operation - Field 'Customer group' must be filled in.",
    );

    const unknownGroup = await create(customerPayload({ CustomerGroup: '99' }));
    expect(unknownGroup.status).toBe(500);
    expect(unknownGroup.body.Message).toContain(
      "The value '99' in field 'Customer group' is not found in the related table 'Customer groups'.",
    );
    expect(unknownGroup.body.ExceptionType).not.toBe('XppServicesDeserializationException');

    const unknownCompany = await create(customerPayload({ LegalEntity: 'XXXX' }));
    expect(unknownCompany.status).toBe(500);
    expect(unknownCompany.body.Message).toContain("Company 'XXXX' does not exist.");
  });

  it('rejects a date of birth that is not MM/DD/YYYY', async () => {
    const answer = await create(customerPayload({ DateOfBirth: '1997-11-10' }));
    expect(answer.status).toBe(500);
    expect(answer.body.Message).toContain('MM/DD/YYYY');
  });

  it('returns a bare JSON string or another account field when the settings say so', async () => {
    await call(emulator, 'PATCH', '/_emulator/settings', { body: { customServiceResponse: 'string' } });
    const bare = await create(customerPayload());
    expect(bare.status).toBe(200);
    expect(bare.text).toMatch(/^"US-\d{6}"$/);

    await call(emulator, 'PATCH', '/_emulator/settings', {
      body: { customServiceResponse: 'object', accountField: 'AccountNum' },
    });
    const renamed = await create(customerPayload());
    expect(renamed.body.AccountNum).toMatch(/^US-\d{6}$/);
    expect(renamed.body).not.toHaveProperty('CustomerAccount');
    await call(emulator, 'PATCH', '/_emulator/settings', { body: { accountField: 'CustomerAccount' } });
  });

  it('answers an unknown service with 404 and lists the operation on GET', async () => {
    const unknown = await call(
      emulator,
      'POST',
      '/api/services/CreateCustomerServiceGroup/NoSuchService/CreateCustomer',
      {
        token,
        body: customerPayload(),
      },
    );
    expect(unknown.status).toBe(404);
    const operation = await call(emulator, 'GET', CREATE_CUSTOMER_PATH, { token });
    expect(operation.body).toMatchObject({ Parameters: [{ Name: 'Customer' }] });
  });
});

describe('D365 authentication', () => {
  it('answers a request without a token with 401', async () => {
    const answer = await create(customerPayload(), null);
    expect(answer.status).toBe(401);
  });

  it('answers a Key Vault token with 401', async () => {
    const answer = await create(customerPayload(), await keyVaultToken(emulator));
    expect(answer.status).toBe(401);
  });

  it('answers a tampered token with 401', async () => {
    const [header, payload] = token.split('.');
    const answer = await create(
      customerPayload(),
      `${header}.${payload}.${Buffer.from('forged').toString('base64url')}`,
    );
    expect(answer.status).toBe(401);
  });

  it('answers an expired token with 401', async () => {
    await call(emulator, 'PATCH', '/_emulator/settings', { body: { tokenLifetimeSeconds: 1 } });
    const short = await d365TokenAnswer(emulator);
    await call(emulator, 'PATCH', '/_emulator/settings', { body: { tokenLifetimeSeconds: 3599 } });
    const expiresAtMs = Number(short.body.expires_on) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAtMs - Date.now()) + 50));

    const answer = await create(customerPayload(), String(short.body.access_token));
    expect(answer.status).toBe(401);
    expect(answer.headers.get('x-emulator-reason')).toBe('token expired');
  });

  it("answers 401 with F&O's JSON Message body for an application not registered in D365", async () => {
    await call(emulator, 'PATCH', '/_emulator/settings', {
      body: { unregisteredClientIds: [emulator.d365ClientId] },
    });
    try {
      const answer = await create(customerPayload(), token);
      // Captured: https://github.com/microsoft/Dynamics-AX-Integration/issues/49
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({
        Message: 'Authentication failed.',
        ExceptionType: 'System.InvalidOperationException',
      });
    } finally {
      await call(emulator, 'PATCH', '/_emulator/settings', { body: { unregisteredClientIds: [] } });
    }
    expect((await create(customerPayload(), token)).status).toBe(200);
  });
});
