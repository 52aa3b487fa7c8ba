import { fixture } from '../../../test/contract/helpers';
import { FULL_SAMPLE_NORMALISED, MINIMAL_SAMPLE_NORMALISED } from '../../../test/fixtures/sample-customers';
import { CustomerAddress, CustomerRequest, parseCustomerRequest } from '../../domain/customer-contract';
import {
  CUSTOMERS_V3_UNSUPPORTED_FIELDS,
  mapToCustomersV3,
  toCustomersV3Body,
  toCustomServiceBody,
} from './d365-payload';

const OPTIONS = { defaultCustomerGroup: '30', now: new Date('2025-06-01T00:00:00Z') };

function request(body: unknown): CustomerRequest {
  const result = parseCustomerRequest(body, OPTIONS);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

const full = () => request(fixture('full'));
const minimal = () => request(fixture('minimal'));

const address = (overrides: Partial<CustomerAddress>): CustomerAddress => ({
  Street: '1 Main St',
  Addresstype: 'Billing',
  CountryCode: 'USA',
  ...overrides,
});

describe('toCustomServiceBody', () => {
  it('sends the full sample with the contract field names, normalised, absent fields left out', () => {
    const body = toCustomServiceBody(full());
    // The custom service receives the normalised contract as it is, in contract field order.
    expect(JSON.stringify(body)).toBe(JSON.stringify(FULL_SAMPLE_NORMALISED));
  });

  it('sends the minimal sample exactly', () => {
    expect(JSON.stringify(toCustomServiceBody(minimal()))).toBe(JSON.stringify(MINIMAL_SAMPLE_NORMALISED));
  });

  it('never sends null, and puts the fields in contract order whatever order the request object has', () => {
    const shuffled: CustomerRequest = {
      Customer: {
        ShippingAddress: [{ CountryCode: 'PAK', Addresstype: 'Shipping', Street: 'x' }],
        EmailAddress: 'a@b.co',
        CustomerGroup: '30',
        CurrencyCode: 'PKR',
        FirstName: 'Ali',
        LegalEntity: 'USRT',
        MiddleName: undefined,
      },
    };
    const text = JSON.stringify(toCustomServiceBody(shuffled));
    expect(text).toBe(
      '{"Customer":{"LegalEntity":"USRT","FirstName":"Ali","CurrencyCode":"PKR","EmailAddress":"a@b.co","CustomerGroup":"30","ShippingAddress":[{"Street":"x","Addresstype":"Shipping","CountryCode":"PAK"}]}}',
    );
    expect(text).not.toContain('null');
  });

  it('does not change the request it is given', () => {
    const value = full();
    const before = JSON.stringify(value);
    toCustomServiceBody(value);
    expect(JSON.stringify(value)).toBe(before);
  });
});

describe('toCustomersV3Body', () => {
  it('maps the full sample: billing (primary) to Address*, shipping to DeliveryAddress*', () => {
    expect(JSON.stringify(toCustomersV3Body(full()))).toBe(
      JSON.stringify({
        dataAreaId: 'usrt',
        PartyType: 'Person',
        PersonFirstName: 'Cust',
        PersonGender: 'Male',
        CustomerGroupId: '30',
        SalesCurrencyCode: 'USD',
        PrimaryContactEmail: 'abc1234@gmail.com',
        PrimaryContactPhone: '+923004000101',
        AddressDescription: 'Johar town Branch',
        AddressStreet: '185 aba road safari villas 8888 phase 7 johar town',
        AddressCity: 'Acworth',
        AddressState: 'NH',
        AddressZipCode: '00210',
        AddressCountryRegionId: 'USA',
        AddressLocationRoles: 'Invoice',
        DeliveryAddressDescription: 'Johar town Branch 2',
        DeliveryAddressStreet: '185 aba road safari villas 10 phase 7 johar town2',
        DeliveryAddressCity: 'Alton Bay',
        DeliveryAddressState: 'NH',
        DeliveryAddressZipCode: '00210',
        DeliveryAddressCountryRegionId: 'USA',
      }),
    );
  });

  it('maps the minimal sample: shipping (primary) to Address*, billing to InvoiceAddress*', () => {
    expect(JSON.stringify(toCustomersV3Body(minimal()))).toBe(
      JSON.stringify({
        dataAreaId: 'usrt',
        PartyType: 'Person',
        PersonFirstName: 'Alex',
        PersonLastName: 'Trump',
        PersonGender: 'Male',
        CustomerGroupId: '30',
        SalesCurrencyCode: 'USD',
        PrimaryContactEmail: 'alex.trump@example.com',
        PrimaryContactPhone: '+923004000101',
        AddressDescription: 'Johar town Branch 2',
        AddressStreet: '185 aba road safari villas 10 phase 7 johar town2',
        AddressCountryRegionId: 'USA',
        AddressLocationRoles: 'Delivery',
        InvoiceAddressDescription: 'Johar town Branch',
        InvoiceAddressStreet: '185 aba road safari villas 8888 phase 7 johar town',
        InvoiceAddressCountryRegionId: 'USA',
      }),
    );
  });

  it('gives one address in both lists both roles (Invoice;Delivery) and sends it once', () => {
    const place = {
      Street: '1 Main St',
      City: 'Acworth',
      State: 'NH',
      PostalCode: '00210',
      CountryCode: 'USA',
    };
    const { body, unmapped } = mapToCustomersV3({
      Customer: {
        ...MINIMAL_SAMPLE_NORMALISED.Customer,
        BillingAddress: [{ ...place, Addresstitle: 'Home', Addresstype: 'Billing', PrimaryAddress: 'Yes' }],
        ShippingAddress: [{ ...place, Addresstitle: 'Home too', Addresstype: 'Shipping' }],
      },
    });
    expect(body).toMatchObject({ AddressStreet: '1 Main St', AddressLocationRoles: 'Invoice;Delivery' });
    expect(Object.keys(body).filter((k) => k.startsWith('Delivery') || k.startsWith('Invoice'))).toEqual([]);
    expect(unmapped).toEqual(['/Customer/DateOfBirth']);
  });

  it('sends no AddressLocationRoles without an address', () => {
    const { BillingAddress: _b, ShippingAddress: _s, ...customer } = MINIMAL_SAMPLE_NORMALISED.Customer;
    expect(toCustomersV3Body({ Customer: customer })).not.toHaveProperty('AddressLocationRoles');
  });

  it('lists what CustomersV3 cannot hold: the date of birth', () => {
    expect(mapToCustomersV3(full()).unmapped).toEqual(['/Customer/DateOfBirth']);
    expect(CUSTOMERS_V3_UNSUPPORTED_FIELDS).toContain('DateOfBirth');
  });

  it('sends only the fields a customer without options sets', () => {
    const bare: CustomerRequest = {
      Customer: {
        LegalEntity: 'DEMF',
        FirstName: 'Jörg',
        CurrencyCode: 'EUR',
        EmailAddress: 'j@x.de',
        CustomerGroup: '10',
      },
    };
    expect(mapToCustomersV3(bare)).toEqual({
      body: {
        dataAreaId: 'demf',
        PartyType: 'Person',
        PersonFirstName: 'Jörg',
        CustomerGroupId: '10',
        SalesCurrencyCode: 'EUR',
        PrimaryContactEmail: 'j@x.de',
      },
      unmapped: [],
      further: [],
    });
  });

  it('chooses the primary address of a list, and gives the addresses it cannot place as further addresses with their role', () => {
    const value: CustomerRequest = {
      Customer: {
        LegalEntity: 'USRT',
        FirstName: 'A',
        CurrencyCode: 'USD',
        EmailAddress: 'a@b.co',
        CustomerGroup: '30',
        BillingAddress: [address({ Street: 'B0' }), address({ Street: 'B1', PrimaryAddress: 'Yes' })],
        ShippingAddress: [
          address({ Street: 'S0', Addresstype: 'Shipping' }),
          address({ Street: 'S1', Addresstype: 'Shipping' }),
        ],
      },
    };
    const { body, unmapped, further } = mapToCustomersV3(value);
    expect(body).toMatchObject({ AddressStreet: 'B1', DeliveryAddressStreet: 'S0' });
    expect(body).not.toHaveProperty('InvoiceAddressStreet');
    // They land through CustomerPostalAddresses after the create: no longer lost, so not in `unmapped`.
    expect(unmapped).toEqual([]);
    expect(further.map(({ pointer, role, street }) => ({ pointer, role, street }))).toEqual([
      { pointer: '/Customer/BillingAddress/0', role: 'Invoice', street: 'B0' },
      { pointer: '/Customer/ShippingAddress/1', role: 'Delivery', street: 'S1' },
    ]);
    expect(further[0]).toMatchObject({ countryRegionId: expect.any(String) });
    expect(further[0]).not.toHaveProperty('Addresstype');
  });

  it('uses the first address as the primary one when none is marked', () => {
    const value: CustomerRequest = {
      Customer: {
        LegalEntity: 'USRT',
        FirstName: 'A',
        CurrencyCode: 'USD',
        EmailAddress: 'a@b.co',
        CustomerGroup: '30',
        ShippingAddress: [
          address({ Street: 'S0', Addresstype: 'Shipping', City: 'Lahore', CountryCode: 'PAK' }),
        ],
      },
    };
    expect(toCustomersV3Body(value)).toMatchObject({
      AddressStreet: 'S0',
      AddressCity: 'Lahore',
      AddressCountryRegionId: 'PAK',
    });
    expect(toCustomersV3Body(value)).not.toHaveProperty('DeliveryAddressStreet');
  });
});
