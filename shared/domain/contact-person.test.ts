import { contactPersonOf, isSameContact } from './contact-person';
import type { CustomerRequest } from './customer-contract';

const organisation = (fields: Partial<CustomerRequest['Customer']> = {}): CustomerRequest => ({
  Customer: {
    LegalEntity: 'USRT',
    PartyType: 'Organization',
    OrganizationName: 'Contoso',
    FirstName: 'Jana',
    LastName: 'Novak',
    EmailAddress: 'jana@contoso.example',
    ContactNumber: '+14255550100',
    CurrencyCode: 'USD',
    CustomerGroup: '30',
    ...fields,
  },
});

describe('contactPersonOf', () => {
  it('takes an organisation’s names, e-mail and phone', () => {
    expect(contactPersonOf(organisation({ MiddleName: 'K' }))).toEqual({
      firstName: 'Jana',
      middleName: 'K',
      lastName: 'Novak',
      email: 'jana@contoso.example',
      phone: '+14255550100',
    });
  });

  it('leaves out what the request does not give (empty names too)', () => {
    expect(
      contactPersonOf(
        organisation({ MiddleName: '', LastName: '', EmailAddress: undefined, ContactNumber: undefined }),
      ),
    ).toEqual({ firstName: 'Jana' });
  });

  it('gives none for a person', () => {
    expect(
      contactPersonOf(organisation({ PartyType: undefined, OrganizationName: undefined })),
    ).toBeUndefined();
  });
});

describe('isSameContact', () => {
  const jana = { firstName: 'Jana', lastName: 'Novak', email: 'jana@contoso.example' };

  it('is the same contact by e-mail, in any case, whatever the names', () => {
    expect(isSameContact(jana, { firstName: 'J.', lastName: 'Novak', email: 'JANA@contoso.example' })).toBe(
      true,
    );
  });

  it('two contacts with one name and different e-mails are two people', () => {
    expect(isSameContact(jana, { ...jana, email: 'other@contoso.example' })).toBe(false);
  });

  it('without an e-mail on either side, the same first and last name (case, trailing spaces)', () => {
    expect(
      isSameContact({ firstName: 'Jana', lastName: 'Novak' }, { firstName: 'JANA ', lastName: 'novak' }),
    ).toBe(true);
    expect(
      isSameContact({ firstName: 'Jana', lastName: 'Novak' }, { firstName: 'Jan', lastName: 'Novak' }),
    ).toBe(false);
    expect(isSameContact(jana, { firstName: 'Jana', lastName: 'Novak' })).toBe(true);
  });
});
