import { planShopUpdate, shopFieldsOf, valueDigest } from './shop-fields';

const record = (first: string, email = 'jane@example.com') => ({
  PersonFirstName: first,
  PersonLastName: 'Doe',
  PrimaryContactEmail: email,
  CustomerGroupId: '30',
});

describe('D365 → shop field stamps', () => {
  it('maps the four contract fields and leaves the rest', () => {
    expect(shopFieldsOf({ ...record('Jane'), PrimaryContactPhone: ' +15125550142 ' })).toEqual({
      firstName: 'Jane',
      lastName: 'Doe',
      email: 'jane@example.com',
      phone: '+15125550142',
    });
  });

  it('writes only the fields whose value changed since the last write', () => {
    const first = planShopUpdate(record('Jane'), 10, {});
    expect(first.changes).toEqual({ firstName: 'Jane', lastName: 'Doe', email: 'jane@example.com' });
    const second = planShopUpdate(record('Janet'), 11, first.stamps);
    expect(second.changes).toEqual({ firstName: 'Janet' });
    expect(second.stamps.firstName).toEqual({ n: 11, d: valueDigest('Janet') });
  });

  it('never lets an older event (late, reordered, repeated) overwrite a newer field', () => {
    const newer = planShopUpdate(record('Janet'), 12, planShopUpdate(record('Jane'), 10, {}).stamps);
    const late = planShopUpdate(record('Jane', 'old@example.com'), 11, newer.stamps);
    expect(late.changes).toEqual({});
    expect(late.stale.sort()).toEqual(['email', 'firstName', 'lastName']);
    const repeated = planShopUpdate(record('Janet'), 12, newer.stamps);
    expect(repeated).toEqual({ changes: {}, stamps: newer.stamps, stale: [] });
  });

  it('does not blank a shop field that D365 cleared', () => {
    const plan = planShopUpdate({ PersonFirstName: 'Jane', PrimaryContactEmail: '' }, 1, {});
    expect(plan.changes).toEqual({ firstName: 'Jane' });
  });
});
