import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCustomerRequest } from '../customer-contract';
import { matchKeyOf } from '../customer-match';
import { mapShopifyCompanyLocation, shopifyCompanyLocationId } from './shopify-company';

/** Shopify B2B (issue 32): a company location (the documented `company_locations/create` payload) is an organisation. */
const documented = () =>
  JSON.parse(
    readFileSync(
      join(__dirname, '../../../test/fixtures/webhooks/shopify-company-locations-create.json'),
      'utf8',
    ),
  ) as Record<string, unknown>;
const defaults = { legalEntity: 'USRT', currency: 'CAD', customerGroup: '30' };

describe('a Shopify company location', () => {
  it('maps the documented payload to an organisation: the company’s name, the tax registration ID, the recipient as contact', () => {
    const mapped = mapShopifyCompanyLocation(documented(), defaults);
    expect(mapped).toMatchObject({
      ok: true,
      body: {
        Customer: {
          LegalEntity: 'USRT',
          PartyType: 'Organization',
          OrganizationName: 'Example Company',
          TaxNumber: '1214214141',
          FirstName: 'Adam Felix',
          CurrencyCode: 'CAD',
          CustomerGroup: '30',
          BillingAddress: [
            {
              Street: '175 Sherbrooke Street West',
              City: 'Montreal',
              State: 'QC',
              PostalCode: 'H3A 0G4',
              CountryCode: 'CAN',
              PrimaryAddress: 'Yes',
            },
            { CountryCode: 'CAN', PrimaryAddress: 'No' },
          ],
        },
      },
    });
    if (!mapped.ok) return;
    expect(mapped.body.Customer).not.toHaveProperty('EmailAddress');
    const parsed = parseCustomerRequest(mapped.body, { defaultCustomerGroup: '30' });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    // Matched on its tax registration ID, never on an e-mail.
    expect(matchKeyOf(parsed.value.Customer)).toEqual({ kind: 'tax_number', taxNumber: '1214214141' });
  });

  it('takes the billing address’s names as the contact person when given, and the older tax_registration.tax_id', () => {
    const payload = documented();
    const billing = payload.billing_address as Record<string, unknown>;
    payload.billing_address = { ...billing, first_name: 'Adam', last_name: 'Felix' };
    delete payload.tax_settings;
    const mapped = mapShopifyCompanyLocation(payload, defaults);
    expect(mapped).toMatchObject({
      ok: true,
      body: { Customer: { FirstName: 'Adam', LastName: 'Felix', TaxNumber: '1214214141' } },
    });
  });

  it('without a tax ID is matched on its name and country (its billing address’s)', () => {
    const payload = documented();
    delete payload.tax_settings;
    delete payload.tax_registration;
    const mapped = mapShopifyCompanyLocation(payload, defaults);
    if (!mapped.ok) throw new Error(mapped.reasons.join());
    const parsed = parseCustomerRequest(mapped.body, { defaultCustomerGroup: '30' });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(matchKeyOf(parsed.value.Customer)).toEqual({
      kind: 'name_and_country',
      name: 'example company',
      country: 'CAN',
    });
  });

  it('is unmappable without a company name or a contact person (reasons name fields, never values)', () => {
    const payload = documented();
    payload.company = {};
    payload.billing_address = { ...(payload.billing_address as object), recipient: null };
    payload.shipping_address = null;
    expect(mapShopifyCompanyLocation(payload, defaults)).toEqual({
      ok: false,
      reasons: [
        'the company has no name',
        'the company location names no contact person (billing address first_name, last_name or recipient)',
      ],
    });
  });

  it('is referenced as CompanyLocation:{id} (never confused with a customer ID)', () => {
    expect(shopifyCompanyLocationId(documented())).toBe('CompanyLocation:408372092144951419');
    expect(shopifyCompanyLocationId({ admin_graphql_api_id: 'gid://shopify/Customer/1' })).toBeUndefined();
  });
});
