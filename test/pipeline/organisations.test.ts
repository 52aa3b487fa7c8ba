import { createHash } from 'node:crypto';
import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';
import {
  BIGCOMMERCE_HOOK_SECRET,
  BIGCOMMERCE_STORE,
  fixture,
  freshShopify,
  plantWebhookSecrets,
  postRaw,
  shopifyHeaders,
  standardHeaders,
  WEBHOOK_SOURCES,
} from '../support/webhooks';

/**
 * The test sources, subscribed to the B2B topics too (opt-in): Shopify's company locations,
 * BigCommerce B2B Edition's companies (read from the emulated B2B Edition API).
 */
const sources = (emulatorUrl: string) =>
  WEBHOOK_SOURCES.map((source) =>
    source.kind === 'shopify'
      ? { ...source, topics: ['customers/create', 'customers/update', 'company_locations/create'] }
      : source.kind === 'bigcommerce'
        ? {
            ...source,
            apiUrl: emulatorUrl,
            b2bApiUrl: emulatorUrl,
            topics: ['store/customer/created', 'store/company/created'],
            taxNumberExtraField: 'Customer Tax Code',
            writeBack: false,
          }
        : source,
  );
const BIGCOMMERCE_TOKEN = 'bc-api-token-b2b-7e6d5c4b3a29';
const b2bCompany = JSON.parse(fixture('bigcommerce-b2b-company.json').toString('utf8')) as {
  company: Record<string, unknown>;
  addresses: Record<string, unknown>[];
  users: Record<string, unknown>[];
};

/**
 * Organisations (issue 32, "Done when": an organisation lands as an Organization in D365 on both
 * targets), from each source that has one: POS (`POST /api/customers`), a Shopify B2B company
 * location, a BigCommerce B2B Edition company, a Standard Webhooks sender. Each target: a company with a contact person and a VAT number is created as a D365
 * Organization; the same company sent again (its number written another way, another contact's
 * e-mail) is linked on its tax number; a person with the company's e-mail is another customer.
 */
const company = (run: string, taxNumber: string, email: string) => ({
  Customer: {
    LegalEntity: 'USRT',
    PartyType: 'Organization',
    OrganizationName: `Contoso ${run}`,
    TaxNumber: taxNumber,
    FirstName: 'Jana',
    LastName: 'Novak',
    EmailAddress: email,
    CurrencyCode: 'USD',
    BillingAddress: [
      {
        Street: '1 Main St',
        Addresstype: 'Billing',
        PrimaryAddress: 'Yes',
        City: 'Seattle',
        CountryCode: 'USA',
        State: 'WA',
      },
    ],
  },
});

describe.each(['custom-service', 'odata'] as const)('an organisation through the %s target', (target) => {
  let stack: AppStack;

  beforeAll(async () => {
    stack = await startAppStack({
      settings: (emulatorUrl) => ({
        D365_TARGET: target,
        DUPLICATE_POLICY: 'link',
        WEBHOOK_SOURCES: JSON.stringify(sources(emulatorUrl)),
      }),
    });
    await plantWebhookSecrets(stack.emulator.url, BIGCOMMERCE_TOKEN);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  afterEach(async () => {
    await stack.emulatorApi('DELETE', '/_emulator/faults');
  });

  const contactsOf = (account: string) =>
    stack.emulatorApi<{ value: Record<string, string>[]; duplicates: number }>(
      'GET',
      `/_emulator/customers/USRT/${account}/contact-persons`,
    );

  it('is a D365 Organization, found again by its tax number and never by a contact’s e-mail', async () => {
    const run = `${target}-${Date.now()}`;
    const number = String(Date.now()).slice(-9);
    const first = await postJson(
      `${stack.url}/api/customers`,
      company(run, `US${number}`, 'buyer@contoso.example'),
      {
        prefer: 'wait=20',
      },
    );
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ status: 'succeeded', outcome: 'created' });
    const account = (first.json as { customerAccount: string }).customerAccount;
    const created = (await stack.customers()).find((c) => c.account === account)! as Awaited<
      ReturnType<AppStack['customers']>
    >[number] & { contract?: Record<string, unknown> };
    expect(created.fields).toMatchObject({
      PartyType: 'Organization',
      OrganizationName: `Contoso ${run}`,
      TaxExemptNumber: `US${number}`,
    });
    // The contact person: on CustomersV3 a CDSContactPersonsV2 contact of the organisation; the
    // custom service gets the names in its one call (its X++ code stores the contact person).
    const contacts = await contactsOf(account);
    if (target === 'odata') {
      expect(first.json).toMatchObject({ contactPerson: 'created' });
      expect(contacts.value).toEqual([
        expect.objectContaining({
          AssociatedContactType: 'Customer',
          AssociatedContactNumber: account,
          FirstName: 'Jana',
          LastName: 'Novak',
          PrimaryEmailAddress: 'buyer@contoso.example',
        }),
      ]);
    } else {
      expect(first.json).not.toHaveProperty('contactPerson');
      expect(contacts.value).toEqual([]);
      expect(created.contract).toMatchObject({ FirstName: 'Jana', LastName: 'Novak' });
    }

    const again = await postJson(
      `${stack.url}/api/customers`,
      company(run, `us-${number.slice(0, 3)} ${number.slice(3)}`, 'accounts@contoso.example'),
      { prefer: 'wait=20' },
    );
    expect(again.status).toBe(201);
    expect(again.json).toMatchObject({ status: 'succeeded', outcome: 'linked' });
    const status = await (await fetch(again.headers.get('location')!)).json();
    expect(status).toMatchObject({ matchedOn: 'tax_number' });
    // A linked organisation is left as D365 has it: no contact person added for another e-mail.
    expect(status).not.toHaveProperty('contactPerson');
    expect((await contactsOf(account)).value).toHaveLength(target === 'odata' ? 1 : 0);

    // A person giving the company's e-mail is someone else: not the organisation.
    const person = await postJson(
      `${stack.url}/api/customers`,
      {
        Customer: {
          ...company(run, 'X', 'buyer@contoso.example').Customer,
          PartyType: undefined,
          OrganizationName: undefined,
          TaxNumber: undefined,
        },
      },
      { prefer: 'wait=20' },
    );
    expect(person.status).toBe(201);
    expect((person.json as { customerAccount: string }).customerAccount).not.toBe(account);
    const organisations = (await stack.customers()).filter(
      (c) => c.fields.OrganizationName === `Contoso ${run}`,
    );
    expect(organisations.map((c) => c.account)).toEqual([account]);
  }, 120_000);

  it('Shopify B2B: a company location (the documented company_locations/create) lands as a D365 Organization, once', async () => {
    const run = `${target}${Date.now()}`.replace(/[^a-z0-9]/g, '');
    const body = Buffer.from(
      freshShopify('shopify-company-locations-create.json')
        .toString('utf8')
        .replace(/"name": "Example Company"/g, `"name": "Example Company ${run}"`)
        .replace(/1214214141/g, `CA${run.slice(-12)}`),
    );
    const headers = shopifyHeaders(body, { topic: 'company_locations/create' });
    const answer = await postRaw(`${stack.url}/api/webhooks/shopify`, body, headers);
    expect(answer.status).toBe(202);
    const final = await waitForTerminal((answer.json as { statusUrl: string }).statusUrl, 45_000);
    expect(final).toMatchObject({ status: 'succeeded', outcome: 'created' });
    const organisations = (await stack.customers()).filter(
      (c) => c.fields.OrganizationName === `Example Company ${run}`,
    );
    expect(organisations).toHaveLength(1);
    expect(organisations[0]!.fields).toMatchObject({
      PartyType: 'Organization',
      TaxExemptNumber: `CA${run.slice(-12)}`.toUpperCase(),
      AddressCountryRegionId: 'CAN',
    });
    expect(organisations[0]!.account).toBe(final.customerAccount);
    // The same delivery again (Shopify retries): the same request, nothing more in D365.
    const again = await postRaw(`${stack.url}/api/webhooks/shopify`, body, headers);
    expect(again.status).toBeLessThan(300);
    expect(
      (await stack.customers()).filter((c) => c.fields.OrganizationName === `Example Company ${run}`),
    ).toHaveLength(1);
  }, 120_000);

  it('BigCommerce B2B Edition: a company (store/company/created, read from the B2B API) lands as a D365 Organization, once', async () => {
    const run = `bc${target}${Date.now()}`.replace(/[^a-z0-9]/g, '');
    const companyId = Number(String(Date.now()).slice(-8));
    const name = `Great Buys ${run}`;
    const tax = `US-${run.slice(-9)}`;
    await stack.emulatorApi('PUT', `/_emulator/bigcommerce/stores/${BIGCOMMERCE_STORE}`, {
      token: BIGCOMMERCE_TOKEN,
      customers: [],
      companies: [
        {
          ...b2bCompany.company,
          companyId,
          companyName: name,
          extraFields: [{ fieldName: 'Customer Tax Code', fieldValue: tax }],
        },
      ],
      companyAddresses: b2bCompany.addresses.map((a) => ({ ...a, companyId })),
      companyUsers: b2bCompany.users.map((u) => ({ ...u, companyId })),
    });
    const event = JSON.parse(fixture('bigcommerce-store-company-created.json').toString('utf8')) as object;
    const hash = createHash('sha1').update(run).digest('hex');
    const body = Buffer.from(JSON.stringify({ ...event, data: { company_id: companyId }, hash }));
    const headers = { 'content-type': 'application/json', 'x-webhook-secret': BIGCOMMERCE_HOOK_SECRET };
    const answer = await postRaw(`${stack.url}/api/webhooks/bigcommerce`, body, headers);
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({
      source: 'test-bigcommerce',
      sourceCustomerId: `Company:${companyId}`,
    });
    const final = await waitForTerminal((answer.json as { statusUrl: string }).statusUrl, 45_000);
    expect(final).toMatchObject({ status: 'succeeded', outcome: 'created' });
    const organisations = (await stack.customers()).filter((c) => c.fields.OrganizationName === name);
    expect(organisations.map((c) => c.account)).toEqual([final.customerAccount]);
    expect(organisations[0]!.fields).toMatchObject({
      PartyType: 'Organization',
      TaxExemptNumber: tax.replace('-', '').toUpperCase(), // the contract keeps letters and digits
      AddressCountryRegionId: 'USA',
    });
    if (target === 'odata') {
      // The admin user is the organisation's D365 contact person.
      expect(final).toMatchObject({ contactPerson: 'created' });
      const contacts = await contactsOf(String(final.customerAccount));
      expect(contacts.value).toEqual([
        expect.objectContaining({
          FirstName: 'Marie',
          LastName: 'Curie',
          PrimaryEmailAddress: 'marie.curie@greatbuys.com',
        }),
      ]);
    }
    // BigCommerce retries the same callback: a replay, nothing more read or created.
    const reads = (
      await stack.emulatorApi<{ b2bRequests: number }>(
        'GET',
        `/_emulator/bigcommerce/stores/${BIGCOMMERCE_STORE}`,
      )
    ).b2bRequests;
    expect(reads).toBe(3); // the company, its addresses, its admins
    const again = await postRaw(`${stack.url}/api/webhooks/bigcommerce`, body, headers);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await stack.customers()).filter((c) => c.fields.OrganizationName === name)).toHaveLength(1);
    const after = await stack.emulatorApi<{ b2bRequests: number }>(
      'GET',
      `/_emulator/bigcommerce/stores/${BIGCOMMERCE_STORE}`,
    );
    expect(after.b2bRequests).toBe(3);
  }, 120_000);

  it('Standard Webhooks: an organisation in our contract (customer.created) lands as a D365 Organization', async () => {
    const run = `sw${target}${Date.now()}`.replace(/[^a-z0-9]/g, '');
    const body = JSON.stringify({
      type: 'customer.created',
      timestamp: new Date().toISOString(),
      data: {
        reference: `MW-${run}`.slice(0, 64),
        ...company(run, `DE${run.slice(-9)}`, `orders@${run}.example`),
      },
    });
    const answer = await postRaw(
      `${stack.url}/api/webhooks/standard?source=test-standard`,
      body,
      standardHeaders(body),
    );
    expect(answer.status).toBe(202);
    const final = await waitForTerminal((answer.json as { statusUrl: string }).statusUrl, 45_000);
    expect(final).toMatchObject({ status: 'succeeded', outcome: 'created' });
    const organisations = (await stack.customers()).filter(
      (c) => c.fields.OrganizationName === `Contoso ${run}`,
    );
    expect(organisations.map((c) => c.account)).toEqual([final.customerAccount]);
    expect(organisations[0]!.fields).toMatchObject({
      PartyType: 'Organization',
      TaxExemptNumber: `DE${run.slice(-9)}`.toUpperCase(),
    });
  }, 120_000);

  it('a contact person POST answered 504 after D365 committed it is not posted again (exactly once)', async () => {
    if (target !== 'odata') {
      // The custom service makes no second call: nothing was sent to the contact persons entity.
      const stats = await stack.emulatorApi<{ d365: { requests: Record<string, number> } }>(
        'GET',
        '/_emulator/stats',
      );
      expect(stats.d365.requests).toMatchObject({ contactPersonCreate: 0, contactPersonQuery: 0 });
      return;
    }
    await stack.emulatorApi('POST', '/_emulator/faults', {
      service: 'd365',
      after: true,
      status: 504,
      count: 1,
      path: '/data/CDSContactPersonsV2',
    });
    const run = `gw${Date.now()}`;
    const answer = await postJson(
      `${stack.url}/api/customers`,
      company(run, `GB${String(Date.now()).slice(-9)}`, `buyer@${run}.example`),
      { prefer: 'wait=60' },
    );
    const final =
      answer.status === 201
        ? (answer.json as Record<string, unknown>)
        : await waitForTerminal((answer.json as { statusUrl: string }).statusUrl, 90_000);
    expect(final).toMatchObject({ status: 'succeeded', outcome: 'created', contactPerson: 'created' });
    const contacts = await contactsOf(String(final.customerAccount));
    expect(contacts.value.map((c) => c.PrimaryEmailAddress)).toEqual([`buyer@${run}.example`]);
    expect(contacts.duplicates).toBe(0);
    const faults = await stack.emulatorApi<{ value: unknown[] }>('GET', '/_emulator/faults');
    expect(faults.value).toEqual([]); // the fault struck
  }, 150_000);
});
