import fc from 'fast-check';
import {
  identityKeyOf,
  LookupRow,
  MatchKey,
  matchKeyOf,
  nameAndPhoneKey,
  rowMatchesKey,
  sameCustomer,
} from './customer-match';
import { customerIdentityKey } from './customer-identity';
import { linkInOrder, looseD365, Person } from '../../test/support/matching-policy';

const email = (address: string): MatchKey => ({ kind: 'email', email: address });

describe('the exact re-check of rows a lookup returned', () => {
  // microsoft/BCApps#6459: the Shopify connector's e-mail search was tokenised, and a customer was
  // matched to another whose e-mail merely shared a part of it. Each of these rows is someone else.
  it.each([
    ['a longer address sharing the local part', 'john.smith@contoso.com'],
    ['a partial address', 'john@contoso.co'],
    ['the same local part at another domain', 'john@fabrikam.com'],
    ['an address containing it', 'ajohn@contoso.com'],
    ['a sub-address', 'john+shop@contoso.com'],
  ])('BCApps#6459: %s is not the customer', (_what, stored) => {
    const row: LookupRow = { CustomerAccount: 'C-2', PrimaryContactEmail: stored };
    expect(rowMatchesKey(row, email('john@contoso.com'))).toBe(false);
  });

  it('takes the same address in any case and with trailing spaces (F&O compares so)', () => {
    expect(rowMatchesKey({ PrimaryContactEmail: 'John@Contoso.COM ' }, email('john@contoso.com'))).toBe(true);
  });

  const anna = nameAndPhoneKey({ firstName: 'Anna', lastName: 'Berg', phone: '+14255550100' });

  // microsoft/BCApps#10256: a phone with spaces matched an unrelated customer. Here a phone is the
  // same number only when it reads as the same E.164 number.
  it.each([
    ['a neighbouring number, formatted', '+1 425 555 0101'],
    ['the digits without a country (national: unreadable without one)', '425 555 0100'],
    ['a prefix of the number', '+1 425 555 01'],
    ['the number inside a longer one', '+1 425 555 0100 99'],
    ['the same digits in another country', '+44 4255 550100'],
  ])('BCApps#10256: %s is not the customer', (_what, phone) => {
    const row = { PersonFirstName: 'Anna', PersonLastName: 'Berg', PrimaryContactPhone: phone };
    expect(rowMatchesKey(row, anna)).toBe(false);
  });

  it('takes the same number however D365 formats it, and the names in any case or spacing', () => {
    for (const phone of ['+14255550100', '+1 (425) 555-0100', '+1.425.555.0100', '001 425 555 0100']) {
      expect(
        rowMatchesKey(
          { PersonFirstName: ' ANNA', PersonLastName: 'berg ', PrimaryContactPhone: phone },
          anna,
        ),
      ).toBe(true);
    }
  });

  it('never takes a row with an e-mail for a customer without one, nor another name on the phone', () => {
    const base = { PersonFirstName: 'Anna', PersonLastName: 'Berg', PrimaryContactPhone: '+14255550100' };
    expect(rowMatchesKey({ ...base, PrimaryContactEmail: 'anna@example.com' }, anna)).toBe(false);
    expect(rowMatchesKey({ ...base, PersonFirstName: 'Anne' }, anna)).toBe(false); // a family's shared phone
    expect(rowMatchesKey({ ...base, PersonLastName: '' }, anna)).toBe(false);
    const noLast = nameAndPhoneKey({ firstName: 'Anna', phone: '+14255550100' });
    expect(rowMatchesKey(base, noLast)).toBe(false); // "Anna" is not "Anna Berg"
    expect(rowMatchesKey({ ...base, PersonLastName: undefined }, noLast)).toBe(true);
  });
});

describe('the match key', () => {
  it('is the e-mail when there is one (a name and phone never join a customer with an e-mail)', () => {
    expect(matchKeyOf({ EmailAddress: 'A@B.com', FirstName: 'A', ContactNumber: '+14255550100' })).toEqual(
      email('a@b.com'),
    );
  });

  it('keeps the e-mail identity key it had before issue 32, and hashes the phone key', () => {
    expect(identityKeyOf('usrt', email('a@b.com'))).toBe(customerIdentityKey('USRT', ' A@B.com'));
    const key = identityKeyOf('USRT', matchKeyOf({ FirstName: 'Anna', ContactNumber: '+14255550100' }));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toBe(
      identityKeyOf('USRT', matchKeyOf({ FirstName: 'Anne', ContactNumber: '+14255550100' })),
    );
  });

  const person: fc.Arbitrary<Person> = fc.record(
    {
      EmailAddress: fc.constantFrom('a@x.com', 'A@X.com', 'b@x.com'),
      FirstName: fc.constantFrom('Anna', 'anna ', 'Anne'),
      LastName: fc.constantFrom('Berg', 'BERG'),
      ContactNumber: fc.constantFrom('+14255550100', '+14255550101'),
    },
    { requiredKeys: ['FirstName', 'ContactNumber'] },
  );

  it('is an equivalence: reflexive, symmetric and transitive', () => {
    fc.assert(
      fc.property(person, person, person, (a, b, c) => {
        expect(sameCustomer(a, a)).toBe(true);
        expect(sameCustomer(a, b)).toBe(sameCustomer(b, a));
        if (sameCustomer(a, b) && sameCustomer(b, c)) expect(sameCustomer(a, c)).toBe(true);
      }),
      { seed: 32, numRuns: 1000 },
    );
  });
});

/** The duplicate policy (link) over the people in this order: which people ended on one account. */
function linksOf(people: readonly Person[], order: readonly number[]): number[][] {
  const groups = new Map<string, number[]>();
  for (const [index, account] of linkInOrder(people, order))
    groups.set(account, [...(groups.get(account) ?? []), index]);
  return [...groups.values()].map((g) => g.sort((a, b) => a - b)).sort((a, b) => a[0]! - b[0]!);
}

describe('order independence (BCApps: "the result depended on export order")', () => {
  // One household's phone and a shared name, with and without e-mails: the connectors' "e-mail or
  // phone" rule joined Anna without an e-mail to whichever Anna with one came first.
  const people: Person[] = [
    { EmailAddress: 'anna@example.com', FirstName: 'Anna', LastName: 'Berg', ContactNumber: '+14255550100' },
    { FirstName: 'Anna', LastName: 'Berg', ContactNumber: '+14255550100' },
    { FirstName: 'anna', LastName: 'BERG', ContactNumber: '+1 425 555 0100'.replace(/ /g, '') },
    {
      EmailAddress: 'anna.berg@example.com',
      FirstName: 'Anna',
      LastName: 'Berg',
      ContactNumber: '+14255550100',
    },
    { FirstName: 'Erik', LastName: 'Berg', ContactNumber: '+14255550100' },
    { FirstName: 'Erik', LastName: 'Berg', ContactNumber: '+14255550101' },
    { EmailAddress: 'ANNA@example.com', FirstName: 'Annie', ContactNumber: '+16135550135' },
    { EmailAddress: 'john@contoso.com', FirstName: 'John' },
    { EmailAddress: 'john.smith@contoso.com', FirstName: 'John' },
    { FirstName: 'Lena', ContactNumber: '+14255550100' },
    { FirstName: 'Lena', LastName: 'Berg', ContactNumber: '+14255550100' },
  ];
  const expected = [[0, 6], [1, 2], [3], [4], [5], [7], [8], [9], [10]];

  it('gives the same links in 200 orders, the policy’s own partition, and joins nobody through a third', () => {
    const orders = fc.sample(fc.shuffledSubarray([...people.keys()], { minLength: people.length }), {
      seed: 32,
      numRuns: 200,
    });
    const distinct = new Set(orders.map((o) => o.join(',')));
    expect(distinct.size).toBeGreaterThan(150);
    for (const order of orders) expect(linksOf(people, order)).toEqual(expected);
    // The partition is the equivalence of the key, pair by pair.
    for (const group of expected)
      for (const other of expected)
        expect(sameCustomer(people[group[0]!]!, people[other[0]!]!)).toBe(group === other);
  });

  it('would depend on the order without the re-check (the loose searches alone)', () => {
    const looseLinks = (order: number[]) => {
      const d365 = looseD365();
      const accountOf = new Map<number, string>();
      for (const index of order) {
        const rows = d365.search(matchKeyOf(people[index]!));
        accountOf.set(index, (rows[0]?.CustomerAccount as string | undefined) ?? d365.create(people[index]!));
      }
      return JSON.stringify([...accountOf.entries()].sort((a, b) => a[0] - b[0]).map(([, a]) => a));
    };
    const forward = [...people.keys()];
    expect(looseLinks(forward)).not.toEqual(looseLinks([...forward].reverse()));
  });
});
