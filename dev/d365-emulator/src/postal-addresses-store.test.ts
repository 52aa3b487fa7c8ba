import { canonicalRoles, createPostalAddressesStore, placeKey } from './postal-addresses-store';

const base = {
  legalEntity: 'usrt',
  account: 'US-000001',
  description: 'Home',
  street: '1 Main St',
  city: 'Seattle',
  state: 'WA',
  zipCode: '98101',
  countryRegionId: 'USA',
  roles: ['Delivery'],
  isPrimary: false,
  via: 'postalAddresses' as const,
};

describe('postal addresses store', () => {
  it('gives every row its own location id and counts a second row at the same place (collated) as a duplicate', () => {
    const store = createPostalAddressesStore();
    const a = store.add(base);
    const b = store.add({ ...base, street: '1 MAIN ST  ', description: 'Other label', roles: ['Invoice'] });
    expect(a.locationId).not.toBe(b.locationId);
    expect(a.legalEntity).toBe('USRT');
    expect(store.duplicates()).toBe(1);
    store.add({ ...base, account: 'US-000002' }); // another customer's address is not a duplicate
    expect(store.duplicates()).toBe(1);
    expect(store.forCustomer('USRT', 'us-000001')).toHaveLength(2);
  });

  it('keeps one primary address per customer', () => {
    const store = createPostalAddressesStore();
    const first = store.add({ ...base, isPrimary: true });
    store.add({ ...base, street: '2 Main St', isPrimary: true });
    expect(first.isPrimary).toBe(false);
    expect(store.all().filter((r) => r.isPrimary)).toHaveLength(1);
  });

  it('compares places as SQL Server collates (case, trailing spaces), leading spaces count', () => {
    expect(placeKey({ ...base, city: 'SEATTLE ' })).toBe(placeKey(base));
    expect(placeKey({ ...base, city: ' Seattle' })).not.toBe(placeKey(base));
    expect(canonicalRoles('invoice; DELIVERY;')).toEqual(['Invoice', 'Delivery']);
  });
});
