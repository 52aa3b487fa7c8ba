import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';
import {
  freshShopify,
  plantWebhookSecrets,
  postRaw,
  shopifyHeaders,
  standardHeaders,
  WEBHOOK_SOURCES,
} from '../support/webhooks';

/** The test sources, the Shopify one subscribed to B2B company locations too (opt-in topic). */
const SOURCES = WEBHOOK_SOURCES.map((source) =>
  source.kind === 'shopify'
    ? { ...source, topics: ['customers/create', 'customers/update', 'company_locations/create'] }
    : source,
);

/**
 * Organisations (issue 32, "Done when": an organisation lands as an Organization in D365 on both
 * targets), from each source that has one: POS (`POST /api/customers`), a Shopify B2B company
 * location, a Standard Webhooks sender (BigCommerce has none mapped: README, "Organisations"). Each target: a company with a contact person and a VAT number is created as a D365
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
      settings: { D365_TARGET: target, DUPLICATE_POLICY: 'link', WEBHOOK_SOURCES: JSON.stringify(SOURCES) },
    });
    await plantWebhookSecrets(stack.emulator.url);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

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
    const created = (await stack.customers()).find((c) => c.account === account)!;
    expect(created.fields).toMatchObject({
      PartyType: 'Organization',
      OrganizationName: `Contoso ${run}`,
      TaxExemptNumber: `US${number}`,
    });

    const again = await postJson(
      `${stack.url}/api/customers`,
      company(run, `us-${number.slice(0, 3)} ${number.slice(3)}`, 'accounts@contoso.example'),
      { prefer: 'wait=20' },
    );
    expect(again.status).toBe(201);
    expect(again.json).toMatchObject({ status: 'succeeded', outcome: 'linked' });
    const status = await (await fetch(again.headers.get('location')!)).json();
    expect(status).toMatchObject({ matchedOn: 'tax_number' });

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
});
