import { AppStack, postJson, startAppStack } from '../support/app-stack';

/**
 * Organisations (issue 32, "Done when": an organisation lands as an Organization in D365 on both
 * targets). Each target: a company with a contact person and a VAT number is created as a D365
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
    stack = await startAppStack({ settings: { D365_TARGET: target, DUPLICATE_POLICY: 'link' } });
  });

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
});
