import fc from 'fast-check';
import { mapToCustomersV3 } from '../../adapters/d365/d365-payload';
import { CUSTOMERS_V3_FIELDS_BY_MEMBER } from '../../adapters/d365/d365-entity-fields';
import { parseCustomerRequest } from '../../domain/customer-contract';
import { changedFields, digestFields, isAsSent, withSent } from '../../domain/customer-update';
import {
  primaryAddressFieldsOf,
  ShopPrimaryAddress,
  toShopAddress,
} from '../../domain/fo-events/primary-address';
import { ECHOED_ADDRESS_FIELDS, entityValuesOf, shopFieldsOf } from '../../domain/fo-events/shop-fields';
import { stateNameFor } from '../../domain/state-codes';
import { mapBigCommerceCustomer } from '../../domain/webhooks/bigcommerce-customer';
import { mapShopifyCustomer } from '../../domain/webhooks/shopify-customer';
import type { ShopMapping } from '../../domain/webhooks/shop-customer';

/**
 * No loops (issue 29): after a D365 primary address is written to the shop, the shop's echo of it
 * goes through the shop's own mapping (webhook payload → contract → CustomersV3) and is diffed with
 * the link's digests, which recordWrittenToShop set to `entityValuesOf` before the shop call. That
 * diff must be empty for every address: the real mappings here, no copy of their rules.
 */
const defaults = { legalEntity: 'USRT', currency: 'USD' };

/** What the Shopify client writes (MailingAddressInput) as the webhook's REST `default_address`. */
const shopifyEcho = (a: ShopPrimaryAddress): ShopMapping =>
  mapShopifyCustomer(
    {
      id: 1,
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'ada@example.com',
      default_address: {
        address1: a.street1,
        address2: a.street2,
        city: a.city,
        province_code: a.state,
        zip: a.postalCode,
        country_code: a.countryAlpha2,
        default: true,
      },
    },
    defaults,
  );

/** What the BigCommerce client writes (`PUT /v3/customers/addresses`) as the customer read back. */
const bigCommerceEcho = (a: ShopPrimaryAddress): ShopMapping =>
  mapBigCommerceCustomer(
    {
      id: 1,
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'ada@example.com',
      addresses: [
        {
          address1: a.street1,
          address2: a.street2,
          city: a.city,
          state_or_province: stateNameFor(a.countryAlpha2, a.state),
          postal_code: a.postalCode,
          country_code: a.countryAlpha2,
        },
      ],
    },
    defaults,
  );

/** The PATCH the echo would send: its CustomersV3 address fields against the recorded digests. */
function echoPatch(record: Record<string, string>, echo: (a: ShopPrimaryAddress) => ShopMapping) {
  const value = shopFieldsOf(record).address!;
  const shop = toShopAddress(primaryAddressFieldsOf(record)!)!;
  const mapped = echo(shop);
  if (!mapped.ok) throw new Error(mapped.reasons.join('; '));
  const parsed = parseCustomerRequest(mapped.body, { defaultCustomerGroup: '30' });
  if (!parsed.ok) throw new Error('the echo is not a valid request');
  const next = mapToCustomersV3(parsed.value).body as unknown as Record<string, unknown>;
  // The link as the customer's create left it (no address), then our write to the shop recorded.
  const sent = withSent(
    digestFields({ PersonFirstName: 'Ada' }, undefined),
    entityValuesOf('address', value),
  );
  const determined = CUSTOMERS_V3_FIELDS_BY_MEMBER.BillingAddress!;
  return changedFields(next, determined, (field, v) => isAsSent(sent, field, v));
}

const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .'-]{0,14}[A-Za-z0-9]$/);
const places = fc.constantFrom(
  { AddressCountryRegionId: 'USA', AddressState: 'WA', AddressZipCode: '98052' },
  { AddressCountryRegionId: 'usa', AddressState: 'NY', AddressZipCode: '10001' },
  { AddressCountryRegionId: 'USA', AddressState: 'DC', AddressZipCode: '' },
  { AddressCountryRegionId: 'CAN', AddressState: 'BC', AddressZipCode: 'V6B 1A1' },
  { AddressCountryRegionId: 'CAN', AddressState: 'NL', AddressZipCode: 'A1C 5M2' },
  { AddressCountryRegionId: 'GBR', AddressState: '', AddressZipCode: 'SW1A 1AA' },
  { AddressCountryRegionId: 'DEU', AddressState: 'BY', AddressZipCode: '80331' },
);
const records = fc.record({
  lines: fc.array(word, { minLength: 1, maxLength: 3 }),
  city: word,
  place: places,
  newline: fc.constantFrom('\n', '\r\n'),
});
type Generated = { lines: string[]; city: string; place: Record<string, string>; newline: string };
const toRecord = ({ lines, city, place, newline }: Generated): Record<string, string> => ({
  AddressStreet: lines.join(newline),
  AddressCity: city,
  ...place,
});

describe("the shop's echo of a D365 address write (no loops)", () => {
  it('records every field the echo maps back to, and nothing else', () => {
    const value = shopFieldsOf({
      AddressStreet: '500 Pine St\nSuite 2',
      AddressCity: 'Seattle',
      AddressState: 'WA',
      AddressZipCode: '98101',
      AddressCountryRegionId: 'usa',
    }).address!;
    expect(Object.keys(entityValuesOf('address', value)).sort()).toEqual(
      [...CUSTOMERS_V3_FIELDS_BY_MEMBER.BillingAddress!].sort(),
    );
    expect(ECHOED_ADDRESS_FIELDS).toEqual(CUSTOMERS_V3_FIELDS_BY_MEMBER.ShippingAddress);
    expect(entityValuesOf('address', value)).toMatchObject({
      AddressStreet: '500 Pine St, Suite 2',
      AddressCountryRegionId: 'USA',
      AddressLocationRoles: 'Invoice;Delivery',
      InvoiceAddressStreet: '',
      AddressDescription: '',
    });
  });

  it('a Shopify echo diffs to nothing: 0 fields to PATCH', () => {
    fc.assert(
      fc.property(records, (r) => {
        expect(echoPatch(toRecord(r), shopifyEcho)).toEqual({});
      }),
      { numRuns: 300 },
    );
  });

  it('a BigCommerce echo diffs to nothing (the state written as its name, read back as its ID)', () => {
    fc.assert(
      fc.property(records, (r) => {
        expect(echoPatch(toRecord(r), bigCommerceEcho)).toEqual({});
      }),
      { numRuns: 300 },
    );
  });

  it('without the roles and the empty fields recorded, the echo would PATCH them (the defect)', () => {
    const record = {
      AddressStreet: '500 Pine St\nSuite 2',
      AddressCity: 'Seattle',
      AddressState: 'WA',
      AddressZipCode: '98101',
      AddressCountryRegionId: 'USA',
    };
    const mapped = shopifyEcho(toShopAddress(record)!);
    const parsed = mapped.ok && parseCustomerRequest(mapped.body, { defaultCustomerGroup: '30' });
    if (!parsed || !parsed.ok) throw new Error('invalid');
    const next = mapToCustomersV3(parsed.value).body as unknown as Record<string, unknown>;
    // D365's own form of the address recorded (its "\n" street, no roles): the echo PATCHes street and roles.
    const sent = withSent(digestFields({}, undefined), record);
    const patch = changedFields(next, CUSTOMERS_V3_FIELDS_BY_MEMBER.BillingAddress!, (f, v) =>
      isAsSent(sent, f, v),
    );
    expect(Object.keys(patch).sort()).toEqual(['AddressLocationRoles', 'AddressStreet']);
  });

  it('writes US and Canadian states to BigCommerce as names', () => {
    expect(stateNameFor('US', 'WA')).toBe('Washington');
    expect(stateNameFor('US', 'dc')).toBe('District of Columbia');
    expect(stateNameFor('CA', 'NL')).toBe('Newfoundland and Labrador');
    expect(stateNameFor('DE', 'BY')).toBe('BY');
    expect(stateNameFor('US', 'XX')).toBe('XX');
  });
});
