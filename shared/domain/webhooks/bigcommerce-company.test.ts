import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCustomerRequest } from '../customer-contract';
import { matchKeyOf } from '../customer-match';
import { BigCommerceCompanyParts, mapBigCommerceCompany } from './bigcommerce-company';
import { parseBigCommerceEvent } from './bigcommerce-customer';
import { sourceReferenceOf } from './source-reference';

/** BigCommerce B2B Edition (issue 32): a company (the documented API answers) is an organisation. */
const fixtures = join(__dirname, '../../../test/fixtures/webhooks');
const documented = () =>
  JSON.parse(readFileSync(join(fixtures, 'bigcommerce-b2b-company.json'), 'utf8')) as {
    company: Record<string, unknown>;
    addresses: Record<string, unknown>[];
    users: Record<string, unknown>[];
  } & BigCommerceCompanyParts;
const defaults = { legalEntity: 'USRT', currency: 'USD', taxNumberExtraField: 'Customer Tax Code' };

describe('a BigCommerce B2B Edition company', () => {
  it('maps to an organisation: the company’s name, the tax extra field, the admin as contact, a valid phone, its address', () => {
    const mapped = mapBigCommerceCompany(documented(), defaults);
    expect(mapped).toEqual({
      ok: true,
      body: {
        Customer: {
          LegalEntity: 'USRT',
          PartyType: 'Organization',
          OrganizationName: 'Great Buys Inc',
          TaxNumber: 'US-74-1234567',
          FirstName: 'Marie',
          LastName: 'Curie',
          EmailAddress: 'marie.curie@greatbuys.com',
          // The reference's company (800-123-4567) and admin (+1-555-123-4567) numbers are not valid
          // numbers: the first valid one is the address's.
          ContactNumber: '+15122001234',
          CurrencyCode: 'USD',
          BillingAddress: [
            {
              Street: '512 Bluebonnet Lane, Building 1',
              Addresstype: 'Billing',
              PrimaryAddress: 'Yes',
              PostalCode: '78704',
              City: 'Austin',
              CountryCode: 'USA',
              State: 'TX',
            },
          ],
          ShippingAddress: [expect.objectContaining({ Addresstype: 'Shipping', CountryCode: 'USA' })],
        },
      },
    });
    if (!mapped.ok) return;
    const parsed = parseCustomerRequest(mapped.body, { defaultCustomerGroup: '30' });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    // Matched on its tax number, never on the admin's e-mail.
    expect(matchKeyOf(parsed.value.Customer)).toEqual({ kind: 'tax_number', taxNumber: 'US741234567' });
  });

  it('without the tax extra field configured is matched on its name and country', () => {
    const mapped = mapBigCommerceCompany(documented(), { legalEntity: 'USRT', currency: 'USD' });
    if (!mapped.ok) throw new Error(mapped.reasons.join());
    expect(mapped.body.Customer).not.toHaveProperty('TaxNumber');
    const parsed = parseCustomerRequest(mapped.body, { defaultCustomerGroup: '30' });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(matchKeyOf(parsed.value.Customer)).toEqual({
      kind: 'name_and_country',
      name: 'great buys inc',
      country: 'USA',
    });
  });

  it('puts the default billing address first (primary), and takes only an admin (role 0) as contact', () => {
    const parts = documented();
    const austin = parts.addresses[0]!;
    parts.addresses = [
      { ...austin, city: 'Dallas', isBilling: false, isDefaultBilling: false, isDefaultShipping: false },
      austin,
    ];
    parts.users = [
      { ...parts.users[0], firstName: 'Junior', role: 2 },
      { ...parts.users[0], firstName: 'Ada', lastName: 'Admin', role: 0 },
    ];
    const mapped = mapBigCommerceCompany(parts, defaults);
    expect(mapped).toMatchObject({
      ok: true,
      body: {
        Customer: {
          FirstName: 'Ada',
          LastName: 'Admin',
          BillingAddress: [
            { City: 'Austin', PrimaryAddress: 'Yes' },
            { City: 'Dallas', PrimaryAddress: 'No' },
          ],
        },
      },
    });
  });

  it('is unmappable without a name or an admin user (reasons name fields, never values)', () => {
    const parts = documented();
    parts.company = { ...parts.company, companyName: ' ' };
    parts.users = [{ ...parts.users[0], role: 1 }];
    expect(mapBigCommerceCompany(parts, defaults)).toEqual({
      ok: false,
      reasons: [
        'the company has no companyName',
        'the company has no admin user with a name (the contact person)',
      ],
    });
    expect(mapBigCommerceCompany({ company: null, addresses: [], users: [] }, defaults)).toEqual({
      ok: false,
      reasons: ['the store returned no company object'],
    });
  });

  it('the documented store/company/created event names the company; a reference round-trips', () => {
    const event = JSON.parse(readFileSync(join(fixtures, 'bigcommerce-store-company-created.json'), 'utf8'));
    expect(parseBigCommerceEvent(event)).toEqual({
      scope: 'store/company/created',
      storeHash: 'abc123',
      companyId: 1234,
      hash: '352e4afc6dd3fc85ea26bfdf3f91852604d57528',
    });
    // A company event names `company_id`; one without it is no event (not a customer ID either).
    expect(parseBigCommerceEvent({ ...event, data: { id: 1234 } })).toBeUndefined();
    const reference = { kind: 'bigcommerce-company', source: 's', companyId: 1234 } as const;
    expect(sourceReferenceOf({ $fetch: reference })).toEqual(reference);
    expect(sourceReferenceOf({ $fetch: { ...reference, companyId: '1234' } })).toBeUndefined();
  });
});
