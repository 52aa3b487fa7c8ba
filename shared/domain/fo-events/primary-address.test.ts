import {
  decodePrimaryAddress,
  encodePrimaryAddress,
  primaryAddressFieldsOf,
  toShopAddress,
} from './primary-address';
import { entityValuesOf, planShopUpdate, shopFieldsOf } from './shop-fields';

const redmond = {
  AddressStreet: ' 1 Microsoft Way ',
  AddressCity: 'Redmond',
  AddressState: 'WA',
  AddressZipCode: '98052',
  AddressCountryRegionId: 'USA',
};

describe('the D365 primary address for the shop', () => {
  it('maps CustomersV3 Address* to the shop address, alpha-3 country to alpha-2', () => {
    const fields = primaryAddressFieldsOf(redmond)!;
    expect(toShopAddress(fields)).toEqual({
      street1: '1 Microsoft Way',
      street2: '',
      city: 'Redmond',
      state: 'WA',
      postalCode: '98052',
      countryAlpha2: 'US',
    });
    expect(toShopAddress({ ...fields, AddressCountryRegionId: 'GBR' })?.countryAlpha2).toBe('GB');
    expect(toShopAddress({ ...fields, AddressCountryRegionId: 'DEU' })?.countryAlpha2).toBe('DE');
  });

  it("splits a multi-line F&O street into the shop's two lines", () => {
    const fields = primaryAddressFieldsOf({ ...redmond, AddressStreet: '500 Pine St\nSuite 2\nFloor 3' })!;
    expect(toShopAddress(fields)).toMatchObject({ street1: '500 Pine St', street2: 'Suite 2, Floor 3' });
  });

  it('sends no address a shop could not take: unknown country, no street', () => {
    expect(
      toShopAddress(primaryAddressFieldsOf({ ...redmond, AddressCountryRegionId: 'XXX' })!),
    ).toBeUndefined();
    expect(toShopAddress(primaryAddressFieldsOf({ ...redmond, AddressStreet: '' })!)).toBeUndefined();
    expect(planShopUpdate({ ...redmond, AddressCountryRegionId: 'XXX' }, 1, {}).changes).toEqual({});
    expect(primaryAddressFieldsOf({ PersonFirstName: 'Jane' })).toBeUndefined();
  });

  it('moves as one field: one stamp, written only when a part of it changed', () => {
    const first = planShopUpdate(redmond, 10, {});
    expect(Object.keys(first.changes)).toEqual(['address']);
    expect(decodePrimaryAddress(first.changes.address!)).toEqual(primaryAddressFieldsOf(redmond));
    expect(planShopUpdate(redmond, 11, first.stamps).changes).toEqual({});
    const moved = planShopUpdate({ ...redmond, AddressZipCode: '98053' }, 12, first.stamps);
    expect(Object.keys(moved.changes)).toEqual(['address']);
    const late = planShopUpdate(redmond, 11, moved.stamps);
    expect(late).toMatchObject({ changes: {}, stale: ['address'] });
  });

  it('stands for the D365 fields as the shop echo maps them back (street joined, both roles)', () => {
    const value = shopFieldsOf({ ...redmond, AddressStreet: '500 Pine St\nSuite 2' }).address!;
    expect(encodePrimaryAddress(decodePrimaryAddress(value)!)).toBe(value);
    expect(entityValuesOf('address', value)).toMatchObject({
      AddressDescription: '',
      InvoiceAddressStreet: '',
      DeliveryAddressStreet: '',
      AddressStreet: '500 Pine St, Suite 2',
      AddressCity: 'Redmond',
      AddressState: 'WA',
      AddressZipCode: '98052',
      AddressCountryRegionId: 'USA',
      AddressLocationRoles: 'Invoice;Delivery',
    });
    expect(entityValuesOf('firstName', 'Jane')).toEqual({ PersonFirstName: 'Jane' });
  });
});
