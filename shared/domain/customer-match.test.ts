import fc from 'fast-check';
import {
  identityKeyOf,
  LookupRow,
  MatchKey,
  matchKeyOf,
  claimKeyOf,
  firstNamesByInitial,
  nameAndPhoneKey,
  rowIsPossibleDuplicate,
  rowMatchesKey,
  sameCustomer,
} from './customer-match';
import { customerIdentityKey } from './customer-identity';
import { linkInOrder, looseD365, Person, REVIEW } from '../../test/support/matching-policy';

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
  for (const [index, linked] of linkInOrder(people, order)) {
    // A person for review has no account of their own yet: alone.
    const account = linked.startsWith(REVIEW) ? `${linked}#${index}` : linked;
    groups.set(account, [...(groups.get(account) ?? []), index]);
  }
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

describe('possible duplicates: a first name as an initial (issue 32)', () => {
  it.each([
    ['j.', 'john', true],
    ['john', 'j', true],
    ['j.', 'j', true],
    ['é.', 'élise', true],
    ['j.', 'j.', false], // the same name: a match, not a possible duplicate
    ['john', 'jane', false], // two names: two people (a household)
    ['a.', 'john', false],
    ['j.', 'a.', false],
    ['jo', 'john', false], // a short form is not an initial
  ])('%s and %s: %s', (a, b, expected) => {
    expect(firstNamesByInitial(a, b)).toBe(expected);
    expect(firstNamesByInitial(b, a)).toBe(expected);
  });

  const key = nameAndPhoneKey({ firstName: 'John', lastName: 'Smith', phone: '+14255550100' });
  const row = (fields: Partial<LookupRow>): LookupRow => ({
    CustomerAccount: 'C-1',
    PartyType: 'Person',
    PersonFirstName: 'J.',
    PersonLastName: 'SMITH',
    PrimaryContactPhone: '+1 (425) 555-0100',
    ...fields,
  });

  it('is a person without an e-mail, of the same last name and E.164 phone, whose first name is an initial of the other', () => {
    expect(rowIsPossibleDuplicate(row({}), key)).toBe(true);
    expect(rowMatchesKey(row({}), key)).toBe(false);
  });

  it.each([
    ['holds an e-mail', { PrimaryContactEmail: 'j@example.com' }],
    ['is an organisation', { PartyType: 'Organization' }],
    ['has another last name', { PersonLastName: 'Smyth' }],
    ['has another phone', { PrimaryContactPhone: '+14255550101' }],
    ['has the very same first name (a match)', { PersonFirstName: 'john' }],
    ['has another first name', { PersonFirstName: 'Jane' }],
  ])('is not when the row %s', (_what, fields) => {
    expect(rowIsPossibleDuplicate(row(fields), key)).toBe(false);
  });

  it('needs a last name on both: "J." alone says nothing', () => {
    const bare = nameAndPhoneKey({ firstName: 'John', phone: '+14255550100' });
    expect(rowIsPossibleDuplicate(row({ PersonLastName: '' }), bare)).toBe(false);
    expect(rowIsPossibleDuplicate(row({}), email('john@example.com'))).toBe(false);
  });

  it('sends J. Smith to an operator in any order, never merging Jane and John Smith of one phone', () => {
    const people: Person[] = [
      { FirstName: 'Jane', LastName: 'Smith', ContactNumber: '+14255550100' },
      { FirstName: 'John', LastName: 'Smith', ContactNumber: '+14255550100' },
      { FirstName: 'J.', LastName: 'Smith', ContactNumber: '+14255550100' },
    ];
    for (const order of [
      [0, 1, 2],
      [2, 0, 1],
      [1, 2, 0],
    ]) {
      const linked = linkInOrder(people, order);
      const created = [...linked.values()].filter((a) => !a.startsWith(REVIEW));
      // Nobody merged (no account twice); whoever came after another of their initial is for review:
      // J. first → Jane and John both; else J. only (Jane and John are two names: two people).
      expect(new Set(created).size).toBe(created.length);
      expect(created.length).toBe(order[0] === 2 ? 1 : 2);
      expect(linked.get(2)!.startsWith(REVIEW)).toBe(order[0] !== 2);
    }
  });
});

describe('the fleet-wide claim of a create (claimKeyOf)', () => {
  const key = (FirstName: string, LastName?: string, ContactNumber = '+14255550100') =>
    claimKeyOf('USRT', matchKeyOf({ FirstName, ...(LastName !== undefined && { LastName }), ContactNumber }));

  it('is one for a household without e-mails (last name and phone): Jane, John and J. Smith run one at a time', () => {
    expect(key('Jane', 'Smith')).toBe(key('John', 'Smith'));
    expect(key('J.', 'SMITH')).toBe(key('John', 'Smith'));
    // Another phone, another last name, another legal entity: another claim.
    expect(key('John', 'Smith', '+14255550101')).not.toBe(key('John', 'Smith'));
    expect(key('John', 'Smyth')).not.toBe(key('John', 'Smith'));
    expect(
      claimKeyOf('USMF', matchKeyOf({ FirstName: 'John', LastName: 'Smith', ContactNumber: '+14255550100' })),
    ).not.toBe(key('John', 'Smith'));
  });

  it('is the identity key otherwise (an e-mail; a first name without a last name; an organisation)', () => {
    const byEmail = matchKeyOf({ FirstName: 'John', EmailAddress: 'john@example.com' });
    expect(claimKeyOf('USRT', byEmail)).toBe(identityKeyOf('USRT', byEmail));
    const firstOnly = matchKeyOf({ FirstName: 'Lena', ContactNumber: '+14255550100' });
    expect(claimKeyOf('USRT', firstOnly)).toBe(identityKeyOf('USRT', firstOnly));
    expect(key('Lena')).not.toBe(key('Anna'));
  });
});
