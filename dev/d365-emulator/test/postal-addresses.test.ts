import { addFault, call, d365Token, restoreDefaults, useEmulator } from './support/emulator';

/**
 * `CustomerPostalAddresses` (CDM CustomerPostalAddressEntity): POST refuses what F&O refuses (an
 * unknown customer, property, role, country, state or ZIP), GET filters across companies, a
 * CustomersV3 create's address groups are the customer's first postal addresses, the fault kinds
 * strike it too, and the control API lists them and counts duplicates.
 */
const emulator = useEmulator();
let token: string;
let account: string;

type OData = { error?: { message: string; innererror?: { message: string; type: string } } };
type Rows = { value: Record<string, string>[]; '@odata.nextLink'?: string };

const post = (body: Record<string, unknown>) =>
  call<Record<string, string> & OData>(emulator, 'POST', '/data/CustomerPostalAddresses', { token, body });
const list = (query: string) =>
  call<Rows & OData>(emulator, 'GET', `/data/CustomerPostalAddresses?${query}`, { token });
const ofCustomer = (acct: string) =>
  `cross-company=true&$filter=${encodeURIComponent(`CustomerLegalEntityId eq 'usrt' and CustomerAccountNumber eq '${acct}'`)}`;
const address = (extra: Record<string, unknown> = {}) => ({
  dataAreaId: 'usrt',
  CustomerLegalEntityId: 'usrt',
  CustomerAccountNumber: account,
  AddressDescription: 'Warehouse',
  AddressStreet: '1 Main St',
  AddressCity: 'Seattle',
  AddressState: 'WA',
  AddressZipCode: '98101',
  AddressCountryRegionId: 'USA',
  AddressLocationRoles: 'Delivery',
  ...extra,
});

beforeAll(async () => {
  token = await d365Token(emulator);
  const created = await call<{ CustomerAccount: string }>(emulator, 'POST', '/data/CustomersV3', {
    token,
    body: {
      dataAreaId: 'usrt',
      PartyType: 'Person',
      PersonFirstName: 'Ada',
      PersonLastName: 'Postal',
      CustomerGroupId: '30',
      SalesCurrencyCode: 'USD',
      AddressStreet: '9 Home Rd',
      AddressCity: 'Redmond',
      AddressState: 'WA',
      AddressCountryRegionId: 'USA',
      AddressLocationRoles: 'Invoice',
      DeliveryAddressStreet: '5 Dock Ln',
      DeliveryAddressCity: 'Tacoma',
      DeliveryAddressState: 'WA',
      DeliveryAddressCountryRegionId: 'USA',
    },
  });
  expect(created.status).toBe(201);
  account = created.body.CustomerAccount;
});

afterEach(async () => {
  await restoreDefaults(emulator);
});

describe('CustomerPostalAddresses', () => {
  it('lists a CustomersV3 create’s primary and delivery addresses as the customer’s postal addresses', async () => {
    const answer = await list(ofCustomer(account));
    expect(answer.status).toBe(200);
    expect(
      answer.body.value.map((r) => [r.AddressStreet, r.AddressLocationRoles, r.IsPrimary, r.IsRoleDelivery]),
    ).toEqual([
      ['9 Home Rd', 'Invoice', 'Yes', 'No'],
      ['5 Dock Ln', 'Delivery', 'No', 'Yes'],
    ]);
  });

  it('adds an address to an existing customer (201 with its key: AddressLocationId, Effective) and lists it', async () => {
    const answer = await post(address());
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      CustomerAccountNumber: account,
      AddressStreet: '1 Main St',
      IsRoleDelivery: 'Yes',
      IsPrimary: 'No',
    });
    expect(answer.body.AddressLocationId).toMatch(/^\d{9}$/);
    expect(answer.headers.get('location')).toContain(`AddressLocationId='${answer.body.AddressLocationId}'`);
    const rows = await list(`${ofCustomer(account)}&$select=AddressStreet,AddressLocationRoles`);
    expect(rows.body.value).toContainEqual({ AddressStreet: '1 Main St', AddressLocationRoles: 'Delivery' });
  });

  it('adds the same place again when posted twice (F&O does not refuse it): the control API counts the duplicate', async () => {
    const before = await call<{ duplicates: number }>(emulator, 'GET', '/_emulator/postal-addresses');
    expect((await post(address({ AddressStreet: '7 Twice Ave' }))).status).toBe(201);
    expect(
      (await post(address({ AddressStreet: '7 TWICE AVE ', AddressDescription: 'other label' }))).status,
    ).toBe(201);
    const after = await call<{ duplicates: number; value: unknown[] }>(
      emulator,
      'GET',
      '/_emulator/postal-addresses',
    );
    expect(after.body.duplicates).toBe(before.body.duplicates + 1);
    const one = await call<{ value: { AddressStreet: string; via: string }[] }>(
      emulator,
      'GET',
      `/_emulator/customers/USRT/${account}/postal-addresses`,
    );
    expect(one.body.value.filter((r) => r.AddressStreet.toLowerCase().startsWith('7 twice'))).toHaveLength(2);
    expect(one.body.value.map((r) => r.via)).toContain('customersV3');
  });

  it('refuses an unknown customer with F&O’s write-failed shape', async () => {
    const answer = await post(address({ CustomerAccountNumber: 'US-999999' }));
    expect(answer.status).toBe(400);
    expect(answer.body.error?.innererror?.type).toBe(
      'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException',
    );
    expect(answer.body.error?.innererror?.message).toContain(
      "Write failed for table row of type 'CustomerPostalAddressEntity'",
    );
    expect(answer.body.error?.innererror?.message).toContain("'US-999999' in field 'Customer account'");
  });

  it('refuses a missing customer account, an unknown role, country, state and a ZIP of another state', async () => {
    await call(emulator, 'PATCH', '/_emulator/settings', {
      body: {
        addressReference: { USA: { states: ['WA', 'CA'], zipCodes: { '98101': 'WA', '90001': 'CA' } } },
      },
    });
    const cases: [Record<string, unknown>, string][] = [
      [{ CustomerAccountNumber: undefined }, "Field 'Customer account' must be filled in."],
      [{ AddressLocationRoles: 'Shipping' }, "'Shipping' in field 'Purpose'"],
      [{ AddressCountryRegionId: 'XXX' }, "'XXX' in field 'Country/region'"],
      [{ AddressCountryRegionId: undefined }, "Field 'Country/region' must be filled in."],
      [{ AddressState: 'ZZ' }, "'ZZ' in field 'State'"],
      [{ AddressZipCode: '90001' }, "The ZIP/postal code '90001' does not belong to the state 'WA'."],
      [{ AddressZipCode: '12345' }, "'12345' in field 'ZIP/postal code'"],
    ];
    for (const [change, message] of cases) {
      const body = address(change);
      for (const [name, value] of Object.entries(change))
        if (value === undefined) delete (body as Record<string, unknown>)[name];
      const answer = await post(body);
      expect({ change, status: answer.status }).toEqual({ change, status: 400 });
      expect(answer.body.error?.innererror?.message).toContain(message);
    }
    expect((await post(address())).status).toBe(201);
  });

  it('refuses an unknown property and a flag that is not NoYes before any business rule (the OData deserializer)', async () => {
    const unknown = await post(address({ ShippingMethod: 'Air' }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.innererror?.message).toContain(
      "The property 'ShippingMethod' does not exist on type 'Microsoft.Dynamics.DataEntities.CustomerPostalAddress'",
    );
    const flag = await post(address({ IsRoleInvoice: 'Maybe' }));
    expect(flag.status).toBe(400);
    expect(flag.body.error?.innererror?.message).toContain(
      "The value 'Maybe' is not valid for the enum type",
    );
  });

  it('takes roles from IsRole* flags too, and a new primary address takes the flag from the old one', async () => {
    const answer = await post(
      address({
        AddressStreet: '3 Flag St',
        AddressLocationRoles: undefined,
        IsRoleInvoice: 'Yes',
        IsPrimary: 'Yes',
      }),
    );
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      AddressLocationRoles: 'Invoice',
      IsRoleInvoice: 'Yes',
      IsPrimary: 'Yes',
    });
    const primaries = (await list(ofCustomer(account))).body.value.filter((r) => r.IsPrimary === 'Yes');
    expect(primaries.map((r) => r.AddressStreet)).toEqual(['3 Flag St']);
  });

  it('shows only the default company without cross-company, and refuses an unknown $filter property', async () => {
    const filter = encodeURIComponent(`CustomerAccountNumber eq '${account}'`);
    // The emulator's default company is USMF: a USRT customer's rows need cross-company=true.
    expect((await list(`$filter=${filter}`)).body.value).toEqual([]);
    expect((await list(`cross-company=true&$filter=${filter}`)).body.value.length).toBeGreaterThan(0);
    const bad = await list(`$filter=${encodeURIComponent("Street eq 'x'")}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toContain("Could not find a property named 'Street'");
  });

  it('commits a POST struck by an after fault (a 504 after the commit): the address is there although the client saw 504', async () => {
    await addFault(emulator, {
      service: 'd365',
      after: true,
      status: 504,
      count: 1,
      path: '/data/CustomerPostalAddresses',
    });
    const answer = await post(address({ AddressStreet: '504 Gateway Blvd' }));
    expect(answer.status).toBe(504);
    const rows = (await list(ofCustomer(account))).body.value;
    expect(rows.filter((r) => r.AddressStreet === '504 Gateway Blvd')).toHaveLength(1);
  });

  it('answers a scripted 500 deadlock body and a throttled 429 as for CustomersV3', async () => {
    await addFault(emulator, {
      service: 'd365',
      path: '/data/CustomerPostalAddresses',
      method: 'POST',
      status: 500,
      count: 1,
      body: {
        error: {
          code: '',
          message: 'An error has occurred.',
          innererror: { message: 'Deadlock', type: 'x', stacktrace: '' },
        },
      },
    });
    const scripted = await post(address({ AddressStreet: 'never' }));
    expect(scripted.status).toBe(500);
    await addFault(emulator, {
      service: 'd365',
      path: '/data/CustomerPostalAddresses',
      status: 429,
      retryAfter: 2,
      count: 1,
    });
    const throttled = await list(ofCustomer(account));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    expect((await list(ofCustomer(account))).body.value.some((r) => r.AddressStreet === 'never')).toBe(false);
  });
});
