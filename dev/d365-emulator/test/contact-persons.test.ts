import { addFault, call, d365Token, restoreDefaults, useEmulator } from './support/emulator';

/**
 * `CDSContactPersonsV2`: POST refuses what OData and F&O refuse (an unknown property, an unknown
 * enum member, a contact of no known customer), adds a person with a party number of the sequence,
 * GET filters by company and customer, an `after` fault strikes after the commit, and the control
 * API lists them and counts duplicates.
 */
const emulator = useEmulator();
let token: string;
let account: string;

type OData = { error?: { message: string; innererror?: { message: string; type: string } } };
type Rows = { value: Record<string, string>[] };

const post = (body: Record<string, unknown>) =>
  call<Record<string, string> & OData>(emulator, 'POST', '/data/CDSContactPersonsV2', { token, body });
const list = (query: string) =>
  call<Rows & OData>(emulator, 'GET', `/data/CDSContactPersonsV2?${query}`, { token });
const ofCustomer = (acct: string) =>
  `cross-company=true&$filter=${encodeURIComponent(`dataAreaId eq 'usrt' and AssociatedContactNumber eq '${acct}'`)}`;
const contact = (extra: Record<string, unknown> = {}) => ({
  dataAreaId: 'usrt',
  AssociatedContactType: 'Customer',
  AssociatedContactNumber: account,
  FirstName: 'Jana',
  LastName: 'Novak',
  PrimaryEmailAddress: 'jana@contoso.example',
  PrimaryPhoneNumber: '+14255550100',
  ...extra,
});

beforeAll(async () => {
  token = await d365Token(emulator);
  const created = await call<{ CustomerAccount: string }>(emulator, 'POST', '/data/CustomersV3', {
    token,
    body: {
      dataAreaId: 'usrt',
      PartyType: 'Organization',
      OrganizationName: 'Contoso Contacts',
      CustomerGroupId: '30',
      SalesCurrencyCode: 'USD',
    },
  });
  expect(created.status).toBe(201);
  account = created.body.CustomerAccount;
});

afterEach(async () => {
  await restoreDefaults(emulator);
});

describe('CDSContactPersonsV2', () => {
  it('adds a contact person of a customer (201 with its key) and lists it by company and customer', async () => {
    const answer = await post(contact());
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      dataAreaId: 'usrt',
      AssociatedContactType: 'Customer',
      AssociatedContactNumber: account,
      FirstName: 'Jana',
      PrimaryEmailAddress: 'jana@contoso.example',
    });
    expect(answer.body.ContactPersonPartyNumber).toMatch(/^CP\d{9}$/);
    const rows = await list(
      `${ofCustomer(account)}&$select=FirstName,LastName,PrimaryEmailAddress,AssociatedContactType`,
    );
    expect(rows.status).toBe(200);
    expect(rows.body.value).toContainEqual({
      FirstName: 'Jana',
      LastName: 'Novak',
      PrimaryEmailAddress: 'jana@contoso.example',
      AssociatedContactType: 'Customer',
    });
    const other = await list(ofCustomer('NO-SUCH'));
    expect(other.body.value).toEqual([]);
  });

  it('refuses an unknown property and an unknown enum member as OData does (400, nothing added)', async () => {
    const before = (await list(ofCustomer(account))).body.value.length;
    const unknown = await post(contact({ Email: 'x@contoso.example' }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.innererror?.message).toContain("The property 'Email' does not exist on type");
    const member = await post(contact({ AssociatedContactType: 'Supplier' }));
    expect(member.status).toBe(400);
    expect(member.body.error?.innererror?.message).toContain('is not valid for the enum type');
    expect((await list(ofCustomer(account))).body.value).toHaveLength(before);
  });

  it('refuses a contact of no known customer, and one without the customer link, with an Infolog', async () => {
    const unknown = await post(contact({ AssociatedContactNumber: 'US-999999' }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.innererror?.message).toContain(
      "The value 'US-999999' in field 'Contact for' is not found in the related table 'Customers'.",
    );
    const unlinked = await post(contact({ AssociatedContactNumber: undefined }));
    expect(unlinked.status).toBe(400);
    expect(unlinked.body.error?.innererror?.message).toContain("Field 'Contact for' must be filled in.");
  });

  it('commits a POST struck by an after fault (504 after the commit): the contact is there although the client saw 504', async () => {
    await addFault(emulator, {
      service: 'd365',
      after: true,
      status: 504,
      count: 1,
      path: '/data/CDSContactPersonsV2',
    });
    const answer = await post(contact({ FirstName: 'Gateway', PrimaryEmailAddress: 'gw@contoso.example' }));
    expect(answer.status).toBe(504);
    const rows = (await list(ofCustomer(account))).body.value;
    expect(rows.filter((r) => r.FirstName === 'Gateway')).toHaveLength(1);
  });

  it('adds a second contact with the same e-mail (F&O does not refuse it): the control API counts it a duplicate', async () => {
    const before = await call<{ duplicates: number }>(emulator, 'GET', '/_emulator/contact-persons');
    expect((await post(contact({ PrimaryEmailAddress: 'twice@contoso.example' }))).status).toBe(201);
    expect((await post(contact({ PrimaryEmailAddress: 'TWICE@contoso.example' }))).status).toBe(201);
    const after = await call<{ duplicates: number }>(emulator, 'GET', '/_emulator/contact-persons');
    expect(after.body.duplicates).toBe(before.body.duplicates + 1);
    const one = await call<Rows>(emulator, 'GET', `/_emulator/customers/USRT/${account}/contact-persons`);
    expect(
      one.body.value.filter((r) => (r.PrimaryEmailAddress ?? '').toLowerCase() === 'twice@contoso.example'),
    ).toHaveLength(2);
  });
});
