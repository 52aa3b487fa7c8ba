import { parseCustomerRequest } from '../customer-contract';
import { mapBigCommerceCustomer } from './bigcommerce-customer';
import { mapShopifyCustomer } from './shopify-customer';

/** Shops' customers without an e-mail (issue 32): created by name and phone, no longer `unmappable`. */
const defaults = { legalEntity: 'USRT', currency: 'USD' };
const address = {
  address1: '1 Main St',
  city: 'Seattle',
  country_code: 'US',
  province_code: 'WA',
  zip: '98101',
};

describe('a shop customer without an e-mail', () => {
  it('Shopify: maps one with a phone (E.164), and reads a default address’s national phone in its country', () => {
    const mapped = mapShopifyCustomer(
      { first_name: 'Ana', last_name: 'Ruiz', email: null, phone: '+14255550100', default_address: address },
      defaults,
    );
    expect(mapped).toMatchObject({ ok: true, body: { Customer: { ContactNumber: '+14255550100' } } });
    if (!mapped.ok) return;
    expect(mapped.body.Customer).not.toHaveProperty('EmailAddress');
    expect(parseCustomerRequest(mapped.body, { defaultCustomerGroup: '30' }).ok).toBe(true);

    const national = mapShopifyCustomer(
      {
        first_name: 'Ana',
        email: null,
        phone: null,
        default_address: { ...address, phone: '(425) 555-0100' },
      },
      defaults,
    );
    expect(national).toMatchObject({ ok: true, body: { Customer: { ContactNumber: '+14255550100' } } });
  });

  it('BigCommerce: maps one with a phone on an address', () => {
    const mapped = mapBigCommerceCustomer(
      {
        first_name: 'Ana',
        last_name: 'Ruiz',
        email: '',
        phone: '',
        addresses: [{ address1: '1 Main St', city: 'Seattle', country_code: 'US', phone: '425-555-0100' }],
      },
      defaults,
    );
    expect(mapped).toMatchObject({ ok: true, body: { Customer: { ContactNumber: '+14255550100' } } });
  });

  it('is unmappable with neither an e-mail nor a valid phone, and the reason names no value', () => {
    const mapped = mapShopifyCustomer({ first_name: 'Ana', email: null, phone: '555-625-1199' }, defaults);
    expect(mapped).toEqual({
      ok: false,
      reasons: ['the customer has neither an e-mail address nor a valid phone number'],
    });
  });
});
