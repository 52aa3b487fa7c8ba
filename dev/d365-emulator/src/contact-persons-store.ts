/**
 * An organisation's contact persons, as F&O's `CDSContactPersonsV2` entity shows them (a DirPerson
 * party in a ContactPerson row "for" another party: Microsoft Learn, AX 2012 reference, "ContactPerson
 * Table": "the contact persons for all organizations"). Keyed by dataAreaId,
 * ContactPersonPartyNumber, AssociatedContactType and AssociatedContactNumber (the entity key in
 * F&O's `$metadata`, as the SAP Cloud SDK client generated from it shows: CdsContactPersonsV2.ts,
 * `_keys`).
 *
 * F&O does not refuse a second contact person with the same name or e-mail for one customer: every
 * POST adds a person (which is why the app looks before it posts, and why the audits count
 * `duplicates` here).
 */
export interface ContactPersonRecord {
  /** Company (upper case). */
  legalEntity: string;
  /** DirPartyTable.PartyNumber of the person (the party number sequence). */
  partyNumber: string;
  /** ContactPerson.ContactPersonId (a number sequence of its own). */
  contactPersonId: string;
  associatedType: string;
  /** The customer account (or vendor account) the person is a contact of. */
  associatedNumber: string;
  firstName: string;
  middleName: string;
  lastName: string;
  email: string;
  phone: string;
}

export interface ContactPersonsStore {
  all(): ContactPersonRecord[];
  forCustomer(legalEntity: string, account: string): ContactPersonRecord[];
  /** Adds a person; without a party number the party number sequence gives one. */
  add(
    record: Omit<ContactPersonRecord, 'partyNumber' | 'contactPersonId'> & { partyNumber?: string },
  ): ContactPersonRecord;
  /** Contacts of a customer with the same e-mail, or without one the same name, as an earlier one. */
  duplicates(): number;
  clear(): void;
}

const collated = (value: string): string => value.toLowerCase().replace(/ +$/, '');

export function createContactPersonsStore(): ContactPersonsStore {
  let records: ContactPersonRecord[] = [];
  let sequence = 0;
  const ofCustomer = (le: string, account: string) => (r: ContactPersonRecord) =>
    r.legalEntity === le.toUpperCase() &&
    r.associatedType === 'Customer' &&
    r.associatedNumber.toUpperCase() === account.toUpperCase();
  return {
    all: () => [...records],
    forCustomer: (le, account) => records.filter(ofCustomer(le, account)),
    add(input) {
      sequence += 1;
      const record: ContactPersonRecord = {
        ...input,
        legalEntity: input.legalEntity.toUpperCase(),
        partyNumber: input.partyNumber ?? `CP${String(sequence).padStart(9, '0')}`,
        contactPersonId: String(sequence).padStart(6, '0'),
      };
      records.push(record);
      return record;
    },
    duplicates() {
      const seen = new Set<string>();
      let count = 0;
      for (const r of records) {
        const who =
          r.email !== '' ? `@${collated(r.email)}` : `${collated(r.firstName)}\u0000${collated(r.lastName)}`;
        const key = `${r.legalEntity}\u0000${r.associatedType}\u0000${r.associatedNumber.toUpperCase()}\u0000${who}`;
        if (seen.has(key)) count += 1;
        else seen.add(key);
      }
      return count;
    },
    clear() {
      records = [];
    },
  };
}
