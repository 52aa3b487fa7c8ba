import {
  LookupRow,
  MatchKey,
  matchKeyOf,
  rowIsPossibleDuplicate,
  rowMatchesKey,
} from '../../shared/domain/customer-match';
import type { NormalisedCustomer } from '../../shared/domain/customer-contract';
import { decideRecoveryMatch } from '../../shared/domain/recovery-match';

export type Person = Pick<NormalisedCustomer, 'EmailAddress' | 'FirstName' | 'LastName' | 'ContactNumber'> &
  Partial<
    Pick<
      NormalisedCustomer,
      'PartyType' | 'OrganizationName' | 'TaxNumber' | 'BillingAddress' | 'ShippingAddress'
    >
  >;

/**
 * A D365 as loose as the Business Central connector's searches were (issue 32): an e-mail search
 * returns every row whose e-mail holds the local part (microsoft/BCApps#6459), a name-and-phone
 * search every row with the phone's last seven digits whatever the name (#10256). Phones are stored
 * as people typed them: every other one formatted. The policy under test must find the same
 * customers in it as in an exact D365, by its re-check.
 */
export function looseD365() {
  const rows: (LookupRow & { CustomerAccount: string })[] = [];
  const digits = (text: unknown) =>
    String(text ?? '')
      .replace(/\D/g, '')
      .slice(-7);
  return {
    rows,
    search(key: MatchKey): LookupRow[] {
      if (key.kind === 'email') {
        const local = key.email.split('@')[0]!;
        return rows.filter((r) =>
          String(r.PrimaryContactEmail ?? '')
            .toLowerCase()
            .includes(local),
        );
      }
      if (key.kind === 'name_and_phone')
        return rows.filter((r) => digits(r.PrimaryContactPhone) === digits(key.phone));
      // Organisations: every organisation (the re-check decides).
      return rows.filter((r) => r.PartyType === 'Organization');
    },
    create(person: Person): string {
      const account = `C-${rows.length + 1}`;
      const phone = person.ContactNumber;
      rows.push({
        CustomerAccount: account,
        PartyType: person.PartyType ?? 'Person',
        OrganizationName: person.OrganizationName,
        TaxExemptNumber: person.TaxNumber,
        AddressCountryRegionId: person.BillingAddress?.[0]?.CountryCode,
        PrimaryContactEmail: person.EmailAddress,
        PersonFirstName: person.FirstName,
        PersonLastName: person.LastName,
        PrimaryContactPhone: rows.length % 2 === 0 ? phone : phone?.replace(/^(\+\d)(\d{3})/, '$1 ($2) '),
      });
      return account;
    },
  };
}

/** What the policy gave a person who went to an operator (a possible duplicate): nothing created. */
export const REVIEW = 'review:';

/**
 * The duplicate policy (link) over `people` in `order`, against one loose D365: each person's
 * account (found by the policy's key and re-check, else created), or, for a person without an
 * e-mail whom nobody matches exactly but who is a possible duplicate (an initial for a first name:
 * `rowIsPossibleDuplicate`), `review:` and the accounts an operator is shown (nothing created).
 */
export function linkInOrder(people: readonly Person[], order: readonly number[]): Map<number, string> {
  const d365 = looseD365();
  const accountOf = new Map<number, string>();
  for (const index of order) {
    const person = people[index]!;
    const key = matchKeyOf(person);
    const exact = d365.search(key).filter((row) => rowMatchesKey(row, key));
    const accounts = exact.map((row) => row.CustomerAccount as string);
    const match =
      key.kind === 'email'
        ? decideRecoveryMatch(accounts, undefined)
        : decideRecoveryMatch(
            [],
            accounts.map((account) => ({ account, hasEmail: false })),
          );
    if (match.kind === 'ambiguous') throw new Error('the policy never creates a second customer of one key');
    if (match.kind === 'none' && key.kind === 'name_and_phone') {
      const possible = d365.search(key).filter((row) => rowIsPossibleDuplicate(row, key));
      if (possible.length > 0) {
        accountOf.set(index, `${REVIEW}${possible.map((row) => row.CustomerAccount).join(',')}`);
        continue;
      }
    }
    accountOf.set(index, match.kind === 'found' ? match.account : d365.create(person));
  }
  return accountOf;
}
