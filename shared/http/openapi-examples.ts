/**
 * Request examples for the OpenAPI document and the Postman collection: the two fixtures in
 * test/fixtures (a test checks they are equal), as the source article's readers send them.
 */
export const FULL_CUSTOMER_EXAMPLE = {
  Customer: {
    LegalEntity: 'USRT',
    FirstName: 'Cust',
    MiddleName: '',
    LastName: '',
    ContactNumber: '+923004000101',
    CurrencyCode: 'USD',
    EmailAddress: 'abc1234@gmail.com',
    DateOfBirth: '11/10/1997',
    Gender: 'Male',
    BillingAddress: [
      {
        Addresstitle: 'Johar town Branch',
        Street: '185 aba road safari villas 8888 phase 7 johar town ',
        Addresstype: 'Billing',
        PrimaryAddress: 'Yes',
        PostalCode: '00210',
        City: 'Acworth',
        Country: 'USA',
        CountryCode: 'USA',
        State: 'NH',
      },
    ],
    ShippingAddress: [
      {
        Addresstitle: 'Johar town Branch 2',
        Street: '185 aba road safari villas 10 phase 7 johar town2',
        Addresstype: 'Shipping',
        PrimaryAddress: 'No',
        PostalCode: '00210',
        City: 'Alton Bay',
        Country: 'USA',
        CountryCode: 'USA',
        State: 'NH',
      },
    ],
  },
};

export const MINIMAL_CUSTOMER_EXAMPLE = {
  Customer: {
    LegalEntity: 'USRT',
    FirstName: 'Alex',
    LastName: 'Trump',
    ContactNumber: '+923004000101',
    CurrencyCode: 'USD',
    EmailAddress: 'alex.trump@example.com',
    DateOfBirth: '11/10/1997',
    Gender: 'Male',
    BillingAddress: [
      {
        Addresstitle: 'Johar town Branch',
        Street: '185 aba road safari villas 8888 phase 7 johar town ',
        Addresstype: 'Billing',
        CountryCode: 'USA',
      },
    ],
    ShippingAddress: [
      {
        Addresstitle: 'Johar town Branch 2',
        Street: '185 aba road safari villas 10 phase 7 johar town2',
        Addresstype: 'Shipping',
        PrimaryAddress: 'Yes',
        CountryCode: 'USA',
      },
    ],
  },
};

/**
 * A POS customer known by name and phone only (issue 32): no e-mail, the phone as the cashier typed
 * it, read in the billing address's country (+14255550100). The duplicate policy matches it on first
 * name, last name and that number among D365's customers without an e-mail.
 */
export const PHONE_ONLY_CUSTOMER_EXAMPLE = {
  Customer: {
    LegalEntity: 'USRT',
    FirstName: 'Maria',
    LastName: 'Lopez',
    ContactNumber: '(425) 555-0100',
    CurrencyCode: 'USD',
    BillingAddress: [
      {
        Street: '1 Microsoft Way',
        Addresstype: 'Billing',
        PrimaryAddress: 'Yes',
        City: 'Redmond',
        CountryCode: 'USA',
        State: 'WA',
      },
    ],
  },
};
