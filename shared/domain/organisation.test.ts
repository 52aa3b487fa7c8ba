import { parseCustomerRequest } from './customer-contract';
import { identityKeyOf, matchKeyOf, rowMatchesKey } from './customer-match';
import { mapToCustomersV3, toCustomServiceBody } from '../adapters/d365/d365-payload';

/** Organisations (issue 32): the contract, the match (tax number, else name and country) and D365's fields. */
const OPTIONS = { defaultCustomerGroup: '30' };
const address = { Street: '1 Main St', Addresstype: 'Billing', PrimaryAddress: 'Yes', CountryCode: 'DEU' };
const company = (fields: Record<string, unknown> = {}) => ({
  Customer: {
    LegalEntity: 'USRT',
    PartyType: 'organization',
    OrganizationName: ' Contoso  GmbH ',
    TaxNumber: 'de 123.456-789',
    FirstName: 'Jana',
    LastName: 'Novak',
    EmailAddress: 'purchasing@contoso.example',
    CurrencyCode: 'EUR',
    BillingAddress: [address],
    ...fields,
  },
});

function parsed(body: unknown) {
  const result = parseCustomerRequest(body, OPTIONS);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value.Customer;
}
const errors = (body: unknown) => {
  const result = parseCustomerRequest(body, OPTIONS);
  return result.ok ? [] : result.errors;
};

describe('an organisation in the contract', () => {
  it('takes the party type in any case, the name, and the tax number without separators, upper case', () => {
    const customer = parsed(company());
    expect(customer).toMatchObject({
      PartyType: 'Organization',
      OrganizationName: 'Contoso  GmbH',
      TaxNumber: 'DE123456789',
      FirstName: 'Jana',
    });
    // A person's body is as before: no PartyType kept.
    expect(
      parsed(company({ PartyType: 'Person', OrganizationName: null, TaxNumber: null })),
    ).not.toHaveProperty('PartyType');
  });

  it('needs a name; without a tax number an address; a person has neither field', () => {
    expect(errors(company({ OrganizationName: null }))).toEqual([
      {
        pointer: '/Customer/OrganizationName',
        detail: expect.stringMatching(/required for an organisation/),
      },
    ]);
    expect(errors(company({ TaxNumber: null, BillingAddress: null }))).toEqual([
      { pointer: '/Customer/TaxNumber', detail: expect.stringMatching(/TaxNumber or an address/) },
    ]);
    expect(errors(company({ PartyType: null })).map((e) => e.pointer)).toEqual([
      '/Customer/OrganizationName',
      '/Customer/TaxNumber',
    ]);
    expect(errors(company({ TaxNumber: 'DE#1' })).map((e) => e.pointer)).toEqual(['/Customer/TaxNumber']);
  });

  it('needs no e-mail or phone (its identity is its tax number or its name and country)', () => {
    expect(errors(company({ EmailAddress: null, ContactNumber: null }))).toEqual([]);
  });
});

describe('matching an organisation', () => {
  it('is by tax number, whatever the formatting, never by the contact’s e-mail', () => {
    const key = matchKeyOf(parsed(company()));
    expect(key).toEqual({ kind: 'tax_number', taxNumber: 'DE123456789' });
    const org = {
      PartyType: 'Organization',
      OrganizationName: 'Other name',
      TaxExemptNumber: 'DE 123 456 789',
    };
    expect(rowMatchesKey(org, key)).toBe(true);
    expect(rowMatchesKey({ ...org, TaxExemptNumber: 'DE123456788' }, key)).toBe(false);
    // A person with the contact's e-mail is someone else; and a person's e-mail key never takes an organisation.
    const person = { PartyType: 'Person', PrimaryContactEmail: 'purchasing@contoso.example' };
    expect(rowMatchesKey(person, key)).toBe(false);
    const personKey = matchKeyOf({ FirstName: 'Jana', EmailAddress: 'purchasing@contoso.example' });
    expect(rowMatchesKey({ ...org, PrimaryContactEmail: 'purchasing@contoso.example' }, personKey)).toBe(
      false,
    );
  });

  it('is by exact name and country among organisations without a tax number, when it has none', () => {
    const key = matchKeyOf(parsed(company({ TaxNumber: null })));
    expect(key).toEqual({ kind: 'name_and_country', name: 'contoso gmbh', country: 'DEU' });
    const row = {
      PartyType: 'Organization',
      OrganizationName: 'CONTOSO GMBH',
      AddressCountryRegionId: 'DEU',
    };
    expect(rowMatchesKey(row, key)).toBe(true);
    expect(rowMatchesKey({ ...row, AddressCountryRegionId: 'AUT' }, key)).toBe(false);
    expect(rowMatchesKey({ ...row, TaxExemptNumber: 'DE999' }, key)).toBe(false); // another, with a number
    expect(rowMatchesKey({ ...row, OrganizationName: 'Contoso' }, key)).toBe(false);
    expect(identityKeyOf('USRT', key)).not.toBe(
      identityKeyOf('USRT', { kind: 'name_and_country', name: 'contoso gmbh', country: 'AUT' }),
    );
  });
});

describe('an organisation in D365', () => {
  it('is a CustomersV3 Organization with its name and VAT number, without person fields', () => {
    const { body } = mapToCustomersV3({ Customer: parsed(company()) });
    expect(body).toMatchObject({
      PartyType: 'Organization',
      OrganizationName: 'Contoso  GmbH',
      TaxExemptNumber: 'DE123456789',
    });
    expect(body).not.toHaveProperty('PersonFirstName');
  });

  it('sends the custom service its organisation members, and a person’s body without them', () => {
    expect(toCustomServiceBody({ Customer: parsed(company()) }).Customer).toMatchObject({
      PartyType: 'Organization',
      OrganizationName: 'Contoso  GmbH',
      TaxNumber: 'DE123456789',
      FirstName: 'Jana',
    });
    const person = parsed(company({ PartyType: null, OrganizationName: null, TaxNumber: null }));
    expect(Object.keys(toCustomServiceBody({ Customer: person }).Customer)).not.toContain('PartyType');
  });
});
