import { randomBytes } from 'node:crypto';

/**
 * Valid customers in the source article's contract, each with its own e-mail address (the
 * duplicate policy links customers that share one). The body is also what the article's custom
 * service accepts as it is, so the naive proxy can forward it unchanged.
 */
export function customerBody(tag: string, n: number): string {
  return JSON.stringify({
    Customer: {
      LegalEntity: 'USRT',
      FirstName: 'Bench',
      MiddleName: '',
      LastName: `Customer${n}`,
      ContactNumber: '+923004000101',
      CurrencyCode: 'USD',
      EmailAddress: customerEmail(tag, n),
      DateOfBirth: '11/10/1997',
      Gender: 'Male',
      CustomerGroup: '30',
      BillingAddress: [
        {
          Addresstitle: 'Johar town Branch',
          Street: '185 aba road safari villas 8888 phase 7 johar town',
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
  });
}

export const customerEmail = (tag: string, n: number): string => `bench.${tag}.${n}@example.com`;

/** A short tag that keeps e-mail addresses unique across runs and phases. */
export const newTag = (): string => randomBytes(3).toString('hex');
