import { startEmulator } from '@d365-customer-sync/d365-emulator';
import { trustCertificate } from '../../dev/local-stack/app-stack';
import { d365Client } from '../../shared/adapters/d365/d365-client';
import { CUSTOMER_LOOKUP_TOP } from '../../shared/adapters/d365/odata-filter';
import { LOOKUP_MAX_PAGES } from '../../shared/adapters/d365/d365-client';
import { TokenSource } from '../../shared/ports';

/**
 * The D365 client's lookups against the emulator's CustomersV3 (real HTTPS, real tokens): they follow
 * `@odata.nextLink` when the server pages below `$top`, and the recovery lookup by name and phone
 * finds the customers with that name and phone and says which hold an e-mail.
 */
describe('the D365 client lookups', () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  let tokens: TokenSource;
  const control = async (method: string, path: string, body?: unknown) =>
    fetch(`${emulator.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    emulator = await startEmulator({ host: '127.0.0.1', port: 0 });
    trustCertificate(emulator.caCertPem);
    tokens = {
      getToken: async () => {
        const answer = await fetch(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: emulator.d365ClientId,
            client_secret: emulator.currentClientSecret(),
            scope: `${emulator.url}/.default`,
          }),
        });
        return ((await answer.json()) as { access_token: string }).access_token;
      },
    };
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  const client = () =>
    d365Client(tokens, {
      url: emulator.url,
      target: 'odata',
      servicePath: '/api/services/x/y/z',
      accountField: 'CustomerAccount',
      timeoutMs: 10_000,
    });

  const create = async (fields: Record<string, string>): Promise<string> => {
    const answer = await fetch(`${emulator.url}/data/CustomersV3`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokens.getToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        dataAreaId: 'usrt',
        PartyType: 'Person',
        CustomerGroupId: '30',
        SalesCurrencyCode: 'USD',
        ...fields,
      }),
    });
    expect(answer.status).toBe(201);
    return ((await answer.json()) as { CustomerAccount: string }).CustomerAccount;
  };

  it('follows @odata.nextLink when the server pages below $top, up to CUSTOMER_LOOKUP_TOP accounts', async () => {
    const email = 'paged.lookup@example.com';
    const accounts: string[] = [];
    for (let i = 0; i < 3; i += 1)
      accounts.push(await create({ PersonFirstName: `P${i}`, PrimaryContactEmail: email }));
    expect((await control('PATCH', '/_emulator/settings', { pageSize: 1 })).status).toBe(200);
    try {
      await expect(client().findCustomersByEmail('USRT', email)).resolves.toEqual(accounts);
      const queries = (await (await control('GET', '/_emulator/requests?endpoint=odataQuery')).json()) as {
        value: unknown[];
      };
      expect(queries.value).toHaveLength(3);
    } finally {
      await control('PATCH', '/_emulator/settings', { pageSize: 10_000 });
    }
    expect(CUSTOMER_LOOKUP_TOP).toBeGreaterThan(3);
  });

  /** Scripts the next `count` lookups' answer: 200 with a row of this e-mail and this next link. */
  const scriptPage = async (next: string, count: number, email: string) => {
    const rule = await control('POST', '/_emulator/faults', {
      service: 'd365',
      path: '/data/CustomersV3',
      status: 200,
      headers: { 'content-type': 'application/json; odata.metadata=minimal' },
      // The row holds the e-mail looked up: every returned row is re-checked (issue 32).
      body: {
        value: [{ CustomerAccount: 'US-SCRIPTED', PrimaryContactEmail: email }],
        '@odata.nextLink': next,
      },
      count,
    });
    expect(rule.status).toBe(201);
  };
  const queries = async (): Promise<number> =>
    ((await (await control('GET', '/_emulator/requests?endpoint=odataQuery')).json()) as { value: unknown[] })
      .value.length;

  it('does not follow a next link to another host: the rows so far stand', async () => {
    await control('DELETE', '/_emulator/requests');
    await scriptPage('https://elsewhere.example/data/CustomersV3?$skip=1', 1, 'foreign.link@example.com');
    try {
      await expect(client().findCustomersByEmail('USRT', 'foreign.link@example.com')).resolves.toEqual([
        'US-SCRIPTED',
      ]);
      expect(await queries()).toBe(1);
    } finally {
      await control('DELETE', '/_emulator/faults');
    }
  });

  it('stops after LOOKUP_MAX_PAGES pages of a next link that never ends', async () => {
    await control('DELETE', '/_emulator/requests');
    await scriptPage(
      `${emulator.url}/data/CustomersV3?cross-company=true&$skip=1`,
      20,
      'endless.link@example.com',
    );
    try {
      const found = await client().findCustomersByEmail('USRT', 'endless.link@example.com');
      expect(found).toHaveLength(LOOKUP_MAX_PAGES);
      expect(await queries()).toBe(LOOKUP_MAX_PAGES);
    } finally {
      await control('DELETE', '/_emulator/faults');
    }
  });

  it('finds customers by first name, last name and phone; one holding an e-mail is someone else (issue 32 re-check)', async () => {
    const phone = '+14255550199';
    const bare = await create({
      PersonFirstName: 'Ann-Marie',
      PersonLastName: "O'Neil",
      PrimaryContactPhone: phone,
    });
    const withEmail = await create({
      PersonFirstName: 'Ann-Marie',
      PersonLastName: "O'Neil",
      PrimaryContactPhone: phone,
      PrimaryContactEmail: 'ann@example.com',
    });
    await create({ PersonFirstName: 'Ann-Marie', PersonLastName: 'Other', PrimaryContactPhone: phone });
    await create({
      PersonFirstName: 'Ann-Marie',
      PersonLastName: "O'Neil",
      PrimaryContactPhone: '+14255550198',
    });
    await expect(
      client().findCustomersByNameAndPhone('USRT', { firstName: 'Ann-Marie', lastName: "O'Neil", phone }),
    ).resolves.toEqual([{ account: bare, hasEmail: false }]);
    expect(withEmail).not.toBe(bare);
    // Another legal entity has nobody with them.
    await expect(
      client().findCustomersByNameAndPhone('USMF', { firstName: 'Ann-Marie', lastName: "O'Neil", phone }),
    ).resolves.toEqual([]);
  });

  it('looks a name it cannot filter on exactly (a comma is an X++ range operator) up by the phone alone, re-checking the name', async () => {
    await control('DELETE', '/_emulator/requests');
    await expect(
      client().findCustomersByNameAndPhone('USRT', { firstName: 'Ann, Marie', phone: '+14255550199' }),
    ).resolves.toEqual([]);
    expect(await queries()).toBe(1);
  });

  it('finds possible duplicates (issue 32): one writes the first name as an initial of the other, same last name and phone, no e-mail', async () => {
    const phone = '+14255550177';
    const initial = await create({
      PersonFirstName: 'J.',
      PersonLastName: 'Smith',
      PrimaryContactPhone: phone,
    });
    const other = await create({
      PersonFirstName: 'Jane',
      PersonLastName: 'Smith',
      PrimaryContactPhone: phone,
    });
    // Not possible duplicates of John Smith: an e-mail, another letter, another last name, another phone.
    await create({
      PersonFirstName: 'J',
      PersonLastName: 'Smith',
      PrimaryContactPhone: phone,
      PrimaryContactEmail: 'j.smith@example.com',
    });
    await create({ PersonFirstName: 'A.', PersonLastName: 'Smith', PrimaryContactPhone: phone });
    await create({ PersonFirstName: 'J.', PersonLastName: 'Smyth', PrimaryContactPhone: phone });
    await create({ PersonFirstName: 'J.', PersonLastName: 'Smith', PrimaryContactPhone: '+14255550178' });
    await control('DELETE', '/_emulator/requests');
    await expect(
      client().findPossibleDuplicates!('USRT', { firstName: 'John', lastName: 'SMITH', phone }),
    ).resolves.toEqual([initial]);
    // One lookup, by last name and phone (the first names compared here).
    expect(await queries()).toBe(1);
    // J. Smith's possible duplicates: Jane, not J. (the very same name is a match, not a possible duplicate).
    await expect(
      client().findPossibleDuplicates!('USRT', { firstName: 'J.', lastName: 'Smith', phone }),
    ).resolves.toEqual([other]);
    // Without a last name there is nothing to compare: no lookup.
    await control('DELETE', '/_emulator/requests');
    await expect(client().findPossibleDuplicates!('USRT', { firstName: 'John', phone })).resolves.toEqual([]);
    expect(await queries()).toBe(0);
  });
});
