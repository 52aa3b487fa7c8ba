import { call, CREATE_CUSTOMER_PATH, customerPayload, d365Token, useEmulator } from './support/emulator';

/**
 * Server-driven paging (`@odata.nextLink` past the page size; F&O's is 10,000, settable through the
 * control API), `$expand` of a navigation property the entity does not have, and the custom service
 * that does not store the e-mail (setting `customServiceStoresEmail`).
 */
const emulator = useEmulator();
let token: string;

type Page = { value: { CustomerAccount: string }[]; '@odata.nextLink'?: string; '@odata.count'?: number };

const get = (path: string) => call<Page>(emulator, 'GET', path, { token });
const settings = (body: Record<string, unknown>) => call(emulator, 'PATCH', '/_emulator/settings', { body });
const pathOf = (link: string): string => {
  const url = new URL(link);
  expect(url.origin).toBe(emulator.url);
  return `${url.pathname}${url.search}`;
};

beforeAll(async () => {
  token = await d365Token(emulator);
  await call(emulator, 'POST', '/_emulator/reset');
  for (let i = 0; i < 5; i += 1) {
    const answer = await call(emulator, 'POST', '/data/CustomersV3', {
      token,
      body: {
        dataAreaId: 'USRT',
        PartyType: 'Person',
        PersonFirstName: `Page${i}`,
        PersonLastName: 'Reader',
        PrimaryContactPhone: '+14255550100',
        CustomerGroupId: '30',
        SalesCurrencyCode: 'USD',
      },
    });
    expect(answer.status).toBe(201);
  }
});

afterEach(async () => {
  await settings({ pageSize: 10_000, customServiceStoresEmail: true });
});

describe('server-driven paging', () => {
  const filter = `cross-company=true&$filter=${encodeURIComponent("PersonLastName eq 'Reader'")}`;

  it('answers everything in one page under the page size (10,000 by default), without a next link', async () => {
    const answer = await get(`/data/CustomersV3?${filter}`);
    expect(answer.status).toBe(200);
    expect(answer.body.value).toHaveLength(5);
    expect(answer.body['@odata.nextLink']).toBeUndefined();
    expect((await call<{ pageSize: number }>(emulator, 'GET', '/_emulator/settings')).body.pageSize).toBe(
      10_000,
    );
  });

  it('pages past the page size with @odata.nextLink, which keeps the filter and ends on the last page', async () => {
    expect((await settings({ pageSize: 2 })).status).toBe(200);
    const seen: string[] = [];
    let path: string | undefined = `/data/CustomersV3?${filter}&$count=true`;
    let pages = 0;
    while (path !== undefined) {
      const answer = await get(path);
      expect(answer.status).toBe(200);
      expect(answer.body.value.length).toBeLessThanOrEqual(2);
      expect(answer.body['@odata.count']).toBe(5);
      seen.push(...answer.body.value.map((c) => c.CustomerAccount));
      const next = answer.body['@odata.nextLink'];
      path = next === undefined ? undefined : pathOf(next);
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
  });

  it('keeps $top across pages: a next link only for what $top still allows', async () => {
    await settings({ pageSize: 2 });
    const first = await get(`/data/CustomersV3?${filter}&$top=3`);
    expect(first.body.value).toHaveLength(2);
    const second = await get(pathOf(first.body['@odata.nextLink']!));
    expect(second.body.value).toHaveLength(1);
    expect(second.body['@odata.nextLink']).toBeUndefined();
    const within = await get(`/data/CustomersV3?${filter}&$top=2`);
    expect(within.body['@odata.nextLink']).toBeUndefined();
  });

  it('refuses a page size outside 1 to 10,000', async () => {
    expect((await settings({ pageSize: 0 })).status).toBe(400);
    expect((await settings({ pageSize: 10_001 })).status).toBe(400);
  });
});

describe('AddressLocationRoles', () => {
  const create = (roles: unknown) =>
    call<{ error: { innererror: { message: string } } } & Record<string, unknown>>(
      emulator,
      'POST',
      '/data/CustomersV3',
      {
        token,
        body: {
          dataAreaId: 'USRT',
          PartyType: 'Person',
          PersonFirstName: 'Role',
          CustomerGroupId: '30',
          SalesCurrencyCode: 'USD',
          AddressStreet: '1 Main St',
          AddressCountryRegionId: 'USA',
          AddressLocationRoles: roles,
        },
      },
    );

  it('takes ;-separated names of existing address purposes, in any case', async () => {
    const answer = await create('Invoice;delivery');
    expect(answer.status).toBe(201);
    expect(answer.body.AddressLocationRoles).toBe('Invoice;delivery');
  });

  it('fails the write for a purpose that does not exist (F&O checks the related table)', async () => {
    const answer = await create('Invoice;Billing');
    expect(answer.status).toBe(400);
    expect(answer.body.error.innererror.message).toMatch(
      /The value 'Billing' in field 'Purpose' is not found in the related table/,
    );
  });

  it('refuses a value that is not a string (the OData type check)', async () => {
    expect((await create(['Invoice'])).status).toBe(400);
  });
});

describe('$expand', () => {
  it('refuses a navigation property CustomersV3 does not have, as F&O does (400)', async () => {
    const answer = await call<{ error: { message: string } }>(
      emulator,
      'GET',
      '/data/CustomersV3?$expand=NoSuchNavigation',
      { token },
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toMatch(/Could not find a property named 'NoSuchNavigation'/);
  });
});

describe('a custom service whose X++ code does not store the e-mail', () => {
  it('creates the customer with its phone but no PrimaryContactEmail (setting customServiceStoresEmail: false)', async () => {
    await settings({ customServiceStoresEmail: false });
    const body = customerPayload({}, 'seed-customer-full');
    const answer = await call<{ CustomerAccount: string }>(emulator, 'POST', CREATE_CUSTOMER_PATH, {
      token,
      body,
    });
    expect(answer.status).toBe(200);
    const read = await call<Record<string, unknown>>(
      emulator,
      'GET',
      `/data/CustomersV3(dataAreaId='usrt',CustomerAccount='${answer.body.CustomerAccount}')?cross-company=true`,
      { token },
    );
    expect(read.body.PrimaryContactEmail).toBe('');
    expect(read.body.PrimaryContactPhone).toBe(body.Customer.ContactNumber);
  });
});
