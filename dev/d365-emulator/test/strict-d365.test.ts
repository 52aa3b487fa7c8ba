import {
  addFault,
  call,
  CREATE_CUSTOMER_PATH,
  customerPayload,
  d365Token,
  useEmulator,
} from './support/emulator';

/**
 * The behaviours that make the emulator as strict as F&O (dev/d365-emulator/README.md, "Strictness",
 * names the source of each). Each failed against the emulator before issue 11.
 */
const emulator = useEmulator();
let token: string;

beforeAll(async () => {
  token = await d365Token(emulator);
});

afterEach(async () => {
  await call(emulator, 'DELETE', '/_emulator/faults');
  await call(emulator, 'PATCH', '/_emulator/settings', {
    body: { customServiceResponse: 'object', manualNumberSequences: [], lengthenRetryAfter: true },
  });
});

const person = (overrides: Record<string, unknown> = {}) => ({
  dataAreaId: 'USRT',
  PartyType: 'Person',
  PersonFirstName: 'Ada',
  PersonLastName: 'Lovelace',
  CustomerGroupId: '30',
  SalesCurrencyCode: 'USD',
  PrimaryContactEmail: `ada.${Math.random().toString(36).slice(2)}@example.com`,
  ...overrides,
});

const postOData = (body: unknown) => call(emulator, 'POST', '/data/CustomersV3', { token, body });

const infolog = (answer: { body: Record<string, unknown> }): string =>
  String((answer.body as { error?: { innererror?: { message?: string } } }).error?.innererror?.message);

describe('CustomersV3 as strict as F&O', () => {
  it('defaults PartyType to Organization, which needs a name', async () => {
    const { PartyType: _omitted, ...withoutType } = person();
    const answer = await postOData(withoutType);
    expect(answer.status).toBe(400);
    expect(infolog(answer)).toContain("Field 'Name' must be filled in.");
    const organization = await postOData({ ...withoutType, OrganizationName: 'Contoso' });
    expect(organization.status).toBe(201);
    expect(organization.body).toMatchObject({ PartyType: 'Organization', OrganizationName: 'Contoso' });
  });

  it('requires SalesCurrencyCode (no company default on the entity)', async () => {
    const answer = await postOData(person({ SalesCurrencyCode: undefined }));
    expect(answer.status).toBe(400);
    expect(infolog(answer)).toContain("Field 'Currency' must be filled in.");
  });

  it('checks country, state and (where set up) ZIP code against the address reference data', async () => {
    const unknownState = await postOData(person({ AddressCountryRegionId: 'USA', AddressState: 'XX' }));
    expect(infolog(unknownState)).toContain("The value 'XX' in field 'State' is not found");
    const unknownCountry = await postOData(person({ AddressCountryRegionId: 'QQQ' }));
    expect(infolog(unknownCountry)).toContain("'Country/region'");
    await call(emulator, 'PATCH', '/_emulator/settings', {
      body: { addressReference: { USA: { states: ['NH', 'NY'], zipCodes: { '00210': 'NH' } } } },
    });
    try {
      const wrongZip = await postOData(
        person({ AddressCountryRegionId: 'USA', AddressState: 'NY', AddressZipCode: '00210' }),
      );
      expect(infolog(wrongZip)).toContain("does not belong to the state 'NY'");
      const right = await postOData(
        person({ AddressCountryRegionId: 'USA', AddressState: 'NH', AddressZipCode: '00210' }),
      );
      expect(right.status).toBe(201);
    } finally {
      await call(emulator, 'PATCH', '/_emulator/settings', {
        body: { addressReference: { USA: { states: ['NH', 'NY', 'CA', 'WA', 'TX'] } } },
      });
    }
  });

  it('knows every CDM field of the entity, e.g. AddressLocationRoles', async () => {
    const answer = await postOData(person({ AddressLocationRoles: 'Invoice;Delivery', CreditLimit: 0 }));
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ AddressLocationRoles: 'Invoice;Delivery' });
    expect(Object.keys(answer.body).length).toBeGreaterThan(250);
  });

  it('needs CustomerAccount where the number sequence is manual', async () => {
    await call(emulator, 'PATCH', '/_emulator/settings', { body: { manualNumberSequences: ['USRT'] } });
    const answer = await postOData(person());
    expect(infolog(answer)).toContain("Field 'Customer account' must be filled in.");
    expect((await postOData(person({ CustomerAccount: 'MANUAL-1' }))).status).toBe(201);
  });
});

describe('custom service answer shapes, scripted answers and slow commits', () => {
  it('answers a void operation with 200 and an empty body, and still creates the customer', async () => {
    await call(emulator, 'PATCH', '/_emulator/settings', { body: { customServiceResponse: 'empty' } });
    const email = `void.${Date.now()}@example.com`;
    const answer = await call(emulator, 'POST', CREATE_CUSTOMER_PATH, {
      token,
      body: customerPayload({ EmailAddress: email }),
    });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    const customers = await call<{ value: { fields: Record<string, unknown> }[] }>(
      emulator,
      'GET',
      '/_emulator/customers',
    );
    expect(customers.body.value.filter((c) => c.fields.PrimaryContactEmail === email)).toHaveLength(1);
  });

  it('replays a scripted answer (status, headers, body) for the next N matching calls', async () => {
    await addFault(emulator, {
      service: 'd365',
      method: 'POST',
      status: 500,
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'x-ms-captured': 'yes' },
      body: { Message: 'An error has occurred.' },
      count: 1,
    });
    const first = await call(emulator, 'POST', CREATE_CUSTOMER_PATH, { token, body: customerPayload() });
    expect(first.status).toBe(500);
    expect(first.headers.get('x-ms-captured')).toBe('yes');
    expect(first.body).toEqual({ Message: 'An error has occurred.' });
    const second = await call(emulator, 'POST', CREATE_CUSTOMER_PATH, { token, body: customerPayload() });
    expect(second.status).toBe(200);
  });

  it('answers a slow commit first and shows the customer only later', async () => {
    await addFault(emulator, { service: 'd365', after: true, status: 504, commitDelayMs: 700, count: 1 });
    const email = `slow.${Date.now()}@example.com`;
    const answer = await call(emulator, 'POST', CREATE_CUSTOMER_PATH, {
      token,
      body: customerPayload({ EmailAddress: email }),
    });
    expect(answer.status).toBe(504);
    const lookup = () =>
      call<{ value: unknown[] }>(
        emulator,
        'GET',
        `/data/CustomersV3?cross-company=true&$filter=${encodeURIComponent(`PrimaryContactEmail eq '${email}'`)}`,
        { token },
      );
    expect((await lookup()).body.value).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect((await lookup()).body.value).toHaveLength(1);
  });
});

describe('service protection', () => {
  it('lengthens Retry-After for a client that keeps calling while throttled', async () => {
    await call(emulator, 'PATCH', '/_emulator/settings', { body: { throttle: { ratePerSecond: 1 } } });
    try {
      const get = () => call(emulator, 'GET', '/data/CustomersV3?$top=1', { token });
      let first;
      for (let i = 0; i < 5 && first?.status !== 429; i += 1) first = await get();
      expect(first?.status).toBe(429);
      const told = Number(first?.headers.get('retry-after'));
      await new Promise((resolve) => setTimeout(resolve, 600)); // back too early, not in the same burst
      const again = await get();
      expect(again.status).toBe(429);
      expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(told - 0.6);
      expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(1);
    } finally {
      await call(emulator, 'PATCH', '/_emulator/settings', { body: { throttle: { ratePerSecond: null } } });
    }
  });
});
