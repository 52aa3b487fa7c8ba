import { completeEntity, CustomerEntity } from './customer-entity';
import { ODataQueryError, parseFilter } from './odata-filter';
import { matchesFilter } from './odata-filter-match';

const customer = (fields: CustomerEntity): CustomerEntity => completeEntity(fields);
const matches = (filter: string, entity: CustomerEntity): boolean =>
  matchesFilter(entity, parseFilter(filter));

describe('parseFilter / matchesFilter', () => {
  const oneil = customer({
    dataAreaId: 'usrt',
    PersonLastName: "O'Neil",
    PrimaryContactEmail: 'a+b@x.com',
    CreditLimit: 500,
  });

  it('reads doubled quotes inside string literals', () => {
    expect(matches("PersonLastName eq 'O''Neil'", oneil)).toBe(true);
    expect(matches("PersonLastName eq 'ONeil'", oneil)).toBe(false);
  });

  it('compares case-insensitively and ignores trailing spaces, as SQL Server does', () => {
    expect(matches("dataAreaId eq 'USRT'", oneil)).toBe(true);
    expect(matches("PersonLastName eq 'o''neil   '", oneil)).toBe(true);
  });

  it('treats * as a wildcard in eq and ne only', () => {
    expect(matches("PrimaryContactEmail eq '*@x.com'", oneil)).toBe(true);
    expect(matches("PrimaryContactEmail ne '*@x.com'", oneil)).toBe(false);
    expect(matches("PrimaryContactEmail eq 'a+b@x.co'", oneil)).toBe(false);
    expect(
      matches("PrimaryContactEmail eq 'a.b@x.com'", customer({ PrimaryContactEmail: 'axb@x.com' })),
    ).toBe(false);
  });

  it('combines with and, or, not and parentheses (and binds tighter than or)', () => {
    expect(matches("dataAreaId eq 'x' and PersonLastName eq 'y' or CreditLimit gt 100", oneil)).toBe(true);
    expect(matches("dataAreaId eq 'x' and (PersonLastName eq 'y' or CreditLimit gt 100)", oneil)).toBe(false);
    expect(matches("not (dataAreaId eq 'usrt')", oneil)).toBe(false);
    expect(matches("'usrt' eq dataAreaId", oneil)).toBe(true);
    expect(matches('CreditLimit ge 500 and CreditLimit lt 501', oneil)).toBe(true);
  });

  it('accepts enum literals in both plain and qualified form', () => {
    const male = customer({ PersonGender: 'Male' });
    expect(matches("PersonGender eq 'Male'", male)).toBe(true);
    expect(matches("PersonGender eq Microsoft.Dynamics.DataEntities.Gender'Male'", male)).toBe(true);
  });

  it.each([
    ["contains(PrimaryContactEmail,'a')", /unknown function with name 'contains'/],
    ["startswith(PersonLastName,'O')", /unknown function with name 'startswith'/],
    ["Foo eq 'x'", /Could not find a property named 'Foo'/],
    ["PersonLastName eq 'x", /unterminated string literal/],
    ["PersonLastName eq 'x' and", /Syntax error/],
    ['PersonLastName eq 5', /incompatible types/],
    ["CreditLimit eq 'x'", /incompatible types/],
    ['', /must not be empty/],
    ["PersonLastName has 'x'", /Syntax error/],
  ])('rejects %s', (filter, message) => {
    expect(() => parseFilter(filter)).toThrow(ODataQueryError);
    expect(() => parseFilter(filter)).toThrow(message);
  });
});
