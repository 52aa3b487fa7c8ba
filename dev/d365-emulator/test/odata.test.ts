import { call, d365Token, useEmulator } from './support/emulator';

const emulator = useEmulator();
let token: string;

type Collection = { value: Record<string, unknown>[]; '@odata.context': string };

const post = (entity: Record<string, unknown>, headers?: Record<string, string>) =>
  call(emulator, 'POST', '/data/CustomersV3', { token, body: entity, headers });

/** GET CustomersV3 with the query string given as [name, raw value] pairs, each value percent-encoded. */
const query = (params: [string, string][]) =>
  call<Collection>(
    emulator,
    'GET',
    `/data/CustomersV3?${params.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&')}`,
    { token },
  );

const accountsOf = (answer: { body: Collection }): string[] =>
  answer.body.value.map((c) => `${String(c.dataAreaId)}/${String(c.CustomerAccount)}`).sort();

const person = (dataAreaId: string, first: string, last: string, email: string): Record<string, unknown> => ({
  dataAreaId,
  PartyType: 'Person',
  PersonFirstName: first,
  PersonLastName: last,
  PrimaryContactEmail: email,
  CustomerGroupId: '30',
  SalesCurrencyCode: 'USD',
});

beforeAll(async () => {
  token = await d365Token(emulator);
});

describe('CustomersV3 POST', () => {
  beforeAll(async () => {
    await call(emulator, 'POST', '/_emulator/reset');
  });

  it('creates a customer: 201 with the entity, an ETag and a key made of dataAreaId and CustomerAccount', async () => {
    const answer = await post(person('USRT', 'Dana', 'Scully', 'dana@example.com'));
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      '@odata.etag': expect.stringMatching(/^W\/"/),
      dataAreaId: 'usrt',
      CustomerAccount: expect.stringMatching(/^US-\d{6}$/),
      PersonFirstName: 'Dana',
      CustomerGroupId: '30',
      PersonGender: 'Unknown',
    });
    expect(answer.headers.get('location')).toBe(
      `${emulator.url}/data/CustomersV3(dataAreaId='usrt',CustomerAccount='${String(answer.body.CustomerAccount)}')`,
    );
    const listed = await call<{ value: { via: string; account: string }[] }>(
      emulator,
      'GET',
      '/_emulator/customers',
    );
    expect(listed.body.value.at(-1)).toMatchObject({ via: 'odata', account: answer.body.CustomerAccount });
  });

  it('accepts every address field set (primary, invoice and delivery address)', async () => {
    const address = (prefix: string, city: string): Record<string, string> => ({
      [`${prefix}Description`]: `${city} office`,
      [`${prefix}Street`]: '1 Main St',
      [`${prefix}City`]: city,
      [`${prefix}State`]: 'NH',
      [`${prefix}ZipCode`]: '00210',
      [`${prefix}CountryRegionId`]: 'USA',
    });
    const answer = await post({
      ...person('usrt', 'Fox', 'Mulder', 'fox@example.com'),
      PersonMiddleName: 'William',
      PersonGender: 'Male',
      PrimaryContactPhone: '+15550100',
      ...address('Address', 'Acworth'),
      ...address('InvoiceAddress', 'Alton'),
      ...address('DeliveryAddress', 'Bath'),
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      dataAreaId: 'usrt',
      AddressCity: 'Acworth',
      InvoiceAddressDescription: 'Alton office',
      DeliveryAddressCity: 'Bath',
    });
  });

  it('answers an unknown property with a 400 OData error', async () => {
    const answer = await post({ ...person('USRT', 'A', 'B', 'a@example.com'), Nickname: 'x' });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain("The property 'Nickname' does not exist");
  });

  it('answers a missing or unknown customer group with the AxODataWriteException Infolog (400)', async () => {
    const { CustomerGroupId: _omitted, ...withoutGroup } = person('USRT', 'A', 'B', 'a@example.com');
    const missing = await post(withoutGroup);
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({
      error: {
        code: '',
        message: 'An error has occurred.',
        innererror: {
          type: 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException',
          message: expect.stringMatching(
            /^Write failed for table row of type 'CustCustomerV3Entity'\. Infolog: Warning: Field 'Customer group' must be filled in\.; /,
          ),
        },
      },
    });
    const unknown = await post({ ...person('USRT', 'A', 'B', 'a@example.com'), CustomerGroupId: 'Local' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain(
      "Warning: The value 'Local' in field 'Customer group' is not found in the related table 'Customer groups'.",
    );
  });
});

describe('CustomersV3 GET', () => {
  beforeAll(async () => {
    await call(emulator, 'POST', '/_emulator/reset');
    for (const entity of [
      person('USRT', 'Shaun', "O'Neil", 'shaun@example.com'),
      person('USRT', 'Ann', 'Plus', 'ann+shop@example.com'),
      person('USRT', 'Ann', 'Other', 'ann.other@example.com'),
      person('USMF', 'Mia', 'Default', 'mia@example.com'),
      person('DEMF', 'Max', 'Muster', 'max@example.de'),
    ]) {
      expect((await post(entity)).status).toBe(201);
    }
  });

  it("finds a last name with a doubled quote ('O''Neil')", async () => {
    const answer = await query([
      ['cross-company', 'true'],
      ['$filter', "PersonLastName eq 'O''Neil'"],
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body.value.map((c) => c.PersonFirstName)).toEqual(['Shaun']);
  });

  it('decodes %2B as a plus sign, while a raw + means a space (and so finds nothing)', async () => {
    const encoded = await query([
      ['cross-company', 'true'],
      ['$filter', "PrimaryContactEmail eq 'ann+shop@example.com'"],
    ]);
    expect(encoded.body.value.map((c) => c.PersonLastName)).toEqual(['Plus']);

    const raw = await call<Collection>(
      emulator,
      'GET',
      `/data/CustomersV3?cross-company=true&$filter=PrimaryContactEmail%20eq%20'ann+shop@example.com'`,
      { token },
    );
    expect(raw.status).toBe(200);
    expect(raw.body.value).toEqual([]);
  });

  it('treats * inside an eq literal as a wildcard, as F&O does', async () => {
    const answer = await query([
      ['cross-company', 'true'],
      ['$filter', "PrimaryContactEmail eq 'ann*'"],
    ]);
    expect(answer.body.value.map((c) => c.PersonLastName).sort()).toEqual(['Other', 'Plus']);
  });

  it('compares strings case-insensitively and supports and/or/ne', async () => {
    const answer = await query([
      ['cross-company', 'true'],
      [
        '$filter',
        "(dataAreaId eq 'USRT' and PersonFirstName eq 'ANN') or PrimaryContactEmail eq 'max@example.de'",
      ],
    ]);
    expect(answer.body.value.map((c) => c.PersonLastName).sort()).toEqual(['Muster', 'Other', 'Plus']);

    const notUsrt = await query([
      ['cross-company', 'true'],
      ['$filter', "dataAreaId ne 'usrt'"],
    ]);
    expect(notUsrt.body.value.map((c) => c.dataAreaId).sort()).toEqual(['demf', 'usmf']);
  });

  it('searches only the default company (USMF) without cross-company=true', async () => {
    const all = await query([]);
    expect(accountsOf(all)).toEqual([expect.stringMatching(/^usmf\//)]);
    const usrt = await query([['$filter', "dataAreaId eq 'usrt' and PersonLastName eq 'Plus'"]]);
    expect(usrt.body.value).toEqual([]);
  });

  it('returns only the $select fields and at most $top customers', async () => {
    const answer = await query([
      ['cross-company', 'true'],
      ['$select', 'dataAreaId,CustomerAccount'],
      ['$top', '2'],
    ]);
    expect(answer.body.value).toHaveLength(2);
    for (const customer of answer.body.value) {
      expect(Object.keys(customer).sort()).toEqual(['@odata.etag', 'CustomerAccount', 'dataAreaId']);
    }
    expect(answer.body['@odata.context']).toBe(
      `${emulator.url}/data/$metadata#CustomersV3(dataAreaId,CustomerAccount)`,
    );
  });

  it.each([
    ["contains(PrimaryContactEmail,'ann')"],
    ["startswith(PersonLastName,'O')"],
    ["Nickname eq 'x'"],
    ["PersonLastName eq 'unterminated"],
  ])('answers $filter=%s with 400', async (filter) => {
    const answer = await query([
      ['cross-company', 'true'],
      ['$filter', filter],
    ]);
    expect(answer.status).toBe(400);
    expect(answer.body).toHaveProperty(
      'error.message',
      expect.stringMatching(/^The query specified in the URI is not valid\./),
    );
  });

  it('reads one customer by key', async () => {
    const [first] = (await query([['cross-company', 'true']])).body.value;
    const key = `dataAreaId='${String(first?.dataAreaId)}',CustomerAccount='${String(first?.CustomerAccount)}'`;
    const answer = await call(emulator, 'GET', `/data/CustomersV3(${key})?cross-company=true`, { token });
    expect(answer.status).toBe(200);
    expect(answer.body.CustomerAccount).toBe(first?.CustomerAccount);
  });
});
