import fc from 'fast-check';
import { parseCustomerRequest } from '../../domain/customer-contract';
import {
  buildCustomerBatchLookupQuery,
  buildCustomerLookupQuery,
  buildEqFilter,
  CUSTOMER_LOOKUP_SELECT,
  CUSTOMER_LOOKUP_TOP,
  buildNameAndPhoneLookupQuery,
  isSafeODataValue,
  odataString,
  UnsafeODataValueError,
  unsafeODataValueReason,
} from './odata-filter';

/**
 * Reads a filter the way an OData server does, for the grammar this module produces:
 * `Name eq 'literal' (and Name eq 'literal')*`. Throws on anything else, so a value that escaped its
 * literal (an injected `or`, a stray quote) fails the test.
 */
function readFilter(filter: string): [string, string][] {
  const clauses: [string, string][] = [];
  let i = 0;
  const expect = (pattern: RegExp): string => {
    pattern.lastIndex = i;
    const match = pattern.exec(filter);
    if (!match) throw new Error(`unexpected input at ${i}`);
    i = pattern.lastIndex;
    return match[1] ?? match[0];
  };
  for (;;) {
    const name = expect(/([A-Za-z_][A-Za-z0-9_]*) eq /y);
    const literal = expect(/'((?:[^']|'')*)'/y).replace(/''/g, "'");
    clauses.push([name, literal]);
    if (i === filter.length) return clauses;
    expect(/ and /y);
  }
}

/** Splits the lookup query into its parameters, as a server does (no `+`-as-space decoding in paths). */
function queryParameters(query: string): Map<string, string> {
  return new Map(
    query.split('&').map((part) => {
      const at = part.indexOf('=');
      return [decodeURIComponent(part.slice(0, at)), decodeURIComponent(part.slice(at + 1))];
    }),
  );
}

describe('odataString', () => {
  it.each([
    ['Alex', "'Alex'"],
    ["O'Neil", "'O''Neil'"],
    ["' or 1 eq 1", "''' or 1 eq 1'"],
    ["''", "''''''"],
    ['', "''"],
    ['back\\slash', "'back\\slash'"],
    ['王 ä 😀', "'王 ä 😀'"],
  ])('%j becomes %s', (value, literal) => {
    expect(odataString(value)).toBe(literal);
  });
});

describe('buildEqFilter', () => {
  it('joins eq clauses with "and", in the order given', () => {
    expect(buildEqFilter({ dataAreaId: 'usrt', PrimaryContactEmail: "O'Neil@x.com" })).toBe(
      "dataAreaId eq 'usrt' and PrimaryContactEmail eq 'O''Neil@x.com'",
    );
    expect(buildEqFilter({ CustomerAccount: 'US-001' })).toBe("CustomerAccount eq 'US-001'");
  });

  it('refuses property names that are not identifiers, and an empty filter', () => {
    expect(() => buildEqFilter({ 'dataAreaId eq 1 or x': 'a' })).toThrow(RangeError);
    expect(() => buildEqFilter({})).toThrow(RangeError);
  });

  it.each([
    ['*', /wildcard/],
    ['abc*@x.com', /wildcard/],
    ['a?c@x.com', /wildcard/],
    ['a..b', /range/],
    ['!abc', /operators/],
    ['<abc', /operators/],
    ['abc>', /operators/],
    ['a,b', /operators/],
    ['"a"', /double quote/],
    ['a\\b', /backslash/],
    ['f(x)', /parenthesis/],
    ['a\u0000b', /control character/],
    ['a\nb', /control character/],
    ['\uD800', /unpaired/],
    ['', /empty/],
    ['   ', /empty/],
  ])('refuses %j rather than escaping it', (value, reason) => {
    expect(isSafeODataValue(value)).toBe(false);
    expect(unsafeODataValueReason(value)).toMatch(reason);
    let error: unknown;
    try {
      buildEqFilter({ PrimaryContactEmail: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnsafeODataValueError);
    expect((error as UnsafeODataValueError).field).toBe('PrimaryContactEmail');
    expect((error as Error).message).toMatch(/^Cannot filter PrimaryContactEmail by this value: it /);
  });

  it('never puts the refused value in the error message', () => {
    const value = 'secret.person*@example.com';
    expect(() => buildEqFilter({ PrimaryContactEmail: value })).toThrow(UnsafeODataValueError);
    try {
      buildEqFilter({ PrimaryContactEmail: value });
    } catch (error) {
      expect((error as Error).message).not.toContain('secret');
    }
  });
});

describe('buildCustomerLookupQuery', () => {
  it.each([
    [
      'abc1234@gmail.com',
      "cross-company=true&$filter=dataAreaId%20eq%20'usrt'%20and%20PrimaryContactEmail%20eq%20'abc1234%40gmail.com'&$select=dataAreaId,CustomerAccount,PrimaryContactEmail,PartyType&$top=10",
    ],
    [
      "' or 1 eq 1",
      "cross-company=true&$filter=dataAreaId%20eq%20'usrt'%20and%20PrimaryContactEmail%20eq%20'''%20or%201%20eq%201'&$select=dataAreaId,CustomerAccount,PrimaryContactEmail,PartyType&$top=10",
    ],
    [
      '%27',
      "cross-company=true&$filter=dataAreaId%20eq%20'usrt'%20and%20PrimaryContactEmail%20eq%20'%2527'&$select=dataAreaId,CustomerAccount,PrimaryContactEmail,PartyType&$top=10",
    ],
    [
      'a+b@x.com',
      "cross-company=true&$filter=dataAreaId%20eq%20'usrt'%20and%20PrimaryContactEmail%20eq%20'a%2Bb%40x.com'&$select=dataAreaId,CustomerAccount,PrimaryContactEmail,PartyType&$top=10",
    ],
    [
      "O'Neil@x.com",
      "cross-company=true&$filter=dataAreaId%20eq%20'usrt'%20and%20PrimaryContactEmail%20eq%20'O''Neil%40x.com'&$select=dataAreaId,CustomerAccount,PrimaryContactEmail,PartyType&$top=10",
    ],
    [
      'jörg@bücher.de',
      "cross-company=true&$filter=dataAreaId%20eq%20'usrt'%20and%20PrimaryContactEmail%20eq%20'j%C3%B6rg%40b%C3%BCcher.de'&$select=dataAreaId,CustomerAccount,PrimaryContactEmail,PartyType&$top=10",
    ],
    [
      'a&$top=1000#x@y.z',
      "cross-company=true&$filter=dataAreaId%20eq%20'usrt'%20and%20PrimaryContactEmail%20eq%20'a%26%24top%3D1000%23x%40y.z'&$select=dataAreaId,CustomerAccount,PrimaryContactEmail,PartyType&$top=10",
    ],
  ])('%j gives the exact query, whose filter decodes to exactly one literal for it', (email, query) => {
    expect(buildCustomerLookupQuery('USRT', email)).toBe(query);
    const parameters = queryParameters(query);
    expect([...parameters.keys()]).toEqual(['cross-company', '$filter', '$select', '$top']);
    expect(readFilter(parameters.get('$filter') ?? '')).toEqual([
      ['dataAreaId', 'usrt'],
      ['PrimaryContactEmail', email],
    ]);
  });

  it('keeps "+" as "+" for a server that reads the query as a form (URLSearchParams)', () => {
    const parameters = new URLSearchParams(buildCustomerLookupQuery('usrt', 'a+b@x.com'));
    expect(parameters.get('$filter')).toBe("dataAreaId eq 'usrt' and PrimaryContactEmail eq 'a+b@x.com'");
  });

  it('refuses wildcard emails and malformed legal entities', () => {
    expect(() => buildCustomerLookupQuery('USRT', '*')).toThrow(UnsafeODataValueError);
    expect(() => buildCustomerLookupQuery('USRT', '*@x.com')).toThrow(UnsafeODataValueError);
    expect(() => buildCustomerLookupQuery("usrt' or 1 eq 1", 'a@b.co')).toThrow(RangeError);
    expect(() => buildCustomerLookupQuery('', 'a@b.co')).toThrow(RangeError);
  });

  it('round-trips any safe value as exactly one literal (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
          fc.string({
            unit: fc.constantFrom(...("'%&=+#? /@.*!<>,a" as string)),
            minLength: 1,
            maxLength: 20,
          }),
        ),
        (value) => {
          if (!isSafeODataValue(value)) {
            expect(() => buildCustomerLookupQuery('usrt', value)).toThrow(UnsafeODataValueError);
            return;
          }
          const parameters = queryParameters(buildCustomerLookupQuery('usrt', value));
          expect(parameters.size).toBe(4);
          expect(readFilter(parameters.get('$filter') ?? '')).toEqual([
            ['dataAreaId', 'usrt'],
            ['PrimaryContactEmail', value],
          ]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('can look up every email address the customer contract accepts (property)', () => {
    let accepted = 0;
    const local = fc.stringMatching(/^[A-Za-z0-9_'+-]{1,12}(\.[A-Za-z0-9_'+-]{1,12}){0,2}$/);
    fc.assert(
      fc.property(local, fc.domain(), (localPart, domain) => {
        const parsed = parseCustomerRequest(
          {
            Customer: {
              LegalEntity: 'USRT',
              FirstName: 'A',
              CurrencyCode: 'USD',
              EmailAddress: `${localPart}@${domain}`,
            },
          },
          { defaultCustomerGroup: '30' },
        );
        if (!parsed.ok) return;
        accepted += 1;
        const email = parsed.value.Customer.EmailAddress!;
        expect(isSafeODataValue(email)).toBe(true);
        expect(
          readFilter(decodeURIComponent(buildCustomerLookupQuery('USRT', email).split('&')[1]!.slice(8))),
        ).toEqual([
          ['dataAreaId', 'usrt'],
          ['PrimaryContactEmail', email],
        ]);
      }),
    );
    // Most generated addresses are valid, so the property is not passing vacuously.
    expect(accepted).toBeGreaterThan(50);
  });
});

describe('the batched customer lookup query', () => {
  it('ors the e-mails inside the legal entity, quoting each as the single lookup does', () => {
    const query = buildCustomerBatchLookupQuery('USRT', ["o'neil@example.com", 'a+b@example.com']);
    const params = new URLSearchParams(query);
    expect(params.get('cross-company')).toBe('true');
    expect(params.get('$filter')).toBe(
      "dataAreaId eq 'usrt' and (PrimaryContactEmail eq 'o''neil@example.com' or PrimaryContactEmail eq 'a+b@example.com')",
    );
    expect(params.get('$top')).toBe(String(2 * CUSTOMER_LOOKUP_TOP));
    expect(params.get('$select')).toBe(CUSTOMER_LOOKUP_SELECT);
  });

  it('is the single lookup’s filter for one e-mail', () => {
    expect(new URLSearchParams(buildCustomerBatchLookupQuery('usrt', ['a@example.com'])).get('$filter')).toBe(
      new URLSearchParams(buildCustomerLookupQuery('usrt', 'a@example.com')).get('$filter'),
    );
  });

  it('refuses the whole batch when any e-mail cannot be filtered exactly, and an empty one', () => {
    expect(() => buildCustomerBatchLookupQuery('usrt', ['a@example.com', '*@example.com'])).toThrow(
      UnsafeODataValueError,
    );
    expect(() => buildCustomerBatchLookupQuery('usrt', [])).toThrow(RangeError);
    expect(() => buildCustomerBatchLookupQuery('us rt', ['a@example.com'])).toThrow(RangeError);
  });
});

describe('the recovery lookup by name and phone', () => {
  const filterOf = (query: string): string => decodeURIComponent(/\$filter=([^&]*)/.exec(query)?.[1] ?? '');

  it('filters first name, last name and phone in the legal entity, selecting what the re-check reads, with the e-mail lookup’s $top', () => {
    const query = buildNameAndPhoneLookupQuery('USRT', {
      firstName: 'Ann-Marie',
      lastName: "O'Neil",
      phone: '+14255550100',
    });
    expect(readFilter(filterOf(query))).toEqual([
      ['dataAreaId', 'usrt'],
      ['PersonFirstName', 'Ann-Marie'],
      ['PersonLastName', "O'Neil"],
      ['PrimaryContactPhone', '+14255550100'],
    ]);
    expect(query).toContain('%2B14255550100');
    expect(query).toMatch(/^cross-company=true&/);
    expect(query).toMatch(
      /&\$select=dataAreaId,CustomerAccount,PrimaryContactEmail,PartyType,PersonFirstName,PersonLastName,PrimaryContactPhone&\$top=10$/,
    );
  });

  it('leaves the last name out when there is none (an empty value would match every row)', () => {
    const query = buildNameAndPhoneLookupQuery('USRT', { firstName: 'Cust', phone: '+923004000101' });
    expect(readFilter(filterOf(query)).map(([name]) => name)).toEqual([
      'dataAreaId',
      'PersonFirstName',
      'PrimaryContactPhone',
    ]);
  });

  it('refuses a name it cannot filter on exactly, naming the field, never the value', () => {
    for (const firstName of ['Ann, Marie', 'Ann (Marie)']) {
      let caught: unknown;
      try {
        buildNameAndPhoneLookupQuery('USRT', { firstName, phone: '+14255550100' });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UnsafeODataValueError);
      expect((caught as UnsafeODataValueError).field).toBe('PersonFirstName');
      expect((caught as Error).message).not.toContain('Marie');
    }
  });
});
