import { CustomerEntity } from './customer-entity';

export type CreatedVia = 'custom-service' | 'odata';

/** One customer created in the emulated D365. */
export interface CustomerRecord {
  /** Customer account, unique within its legal entity. */
  account: string;
  /** Company (dataAreaId) in upper case. */
  legalEntity: string;
  /** The customer as the `CustomersV3` entity shows it. */
  fields: CustomerEntity;
  /** ISO timestamp. */
  createdAt: string;
  via: CreatedVia;
  /** The custom service's `Customer` data contract as deserialized (custom service only). */
  contract?: Record<string, unknown>;
  /** Record id, as F&O's RecId (used for the OData ETag). */
  recId: number;
}

export interface CustomersStore {
  all(): CustomerRecord[];
  find(legalEntity: string, account: string): CustomerRecord | undefined;
  /** The next account number of the company's number sequence (skipping any taken by hand). */
  nextAccount(legalEntity: string): string;
  nextPartyNumber(): string;
  add(record: Omit<CustomerRecord, 'recId' | 'createdAt'>): CustomerRecord;
  /** Forgets the customers; number sequences keep counting so an account is never handed out twice. */
  clear(): void;
}

/**
 * Account numbers: `<first two letters of the company>-<6 digits>`, one number sequence per company,
 * e.g. `US-000001` in USRT and `US-000001` in USMF too (the key is dataAreaId + CustomerAccount, as in F&O).
 */
export function formatAccount(legalEntity: string, n: number): string {
  return `${legalEntity.slice(0, 2).toUpperCase()}-${String(n).padStart(6, '0')}`;
}

export function createCustomersStore(): CustomersStore {
  let customers: CustomerRecord[] = [];
  const byKey = new Map<string, CustomerRecord>();
  const sequences = new Map<string, number>();
  let partySequence = 0;
  let recIdSequence = 5637144576;
  const key = (le: string, account: string): string => `${le.toUpperCase()}\u0000${account.toUpperCase()}`;

  return {
    all: () => [...customers],
    find: (le, account) => byKey.get(key(le, account)),
    nextAccount(le) {
      const company = le.toUpperCase();
      let n = sequences.get(company) ?? 0;
      let account: string;
      do {
        n += 1;
        account = formatAccount(company, n);
      } while (byKey.has(key(company, account)));
      sequences.set(company, n);
      return account;
    },
    nextPartyNumber() {
      partySequence += 1;
      return String(partySequence).padStart(9, '0');
    },
    add(record) {
      recIdSequence += 1;
      const stored: CustomerRecord = { ...record, recId: recIdSequence, createdAt: new Date().toISOString() };
      customers.push(stored);
      byKey.set(key(stored.legalEntity, stored.account), stored);
      return stored;
    },
    clear() {
      customers = [];
      byKey.clear();
    },
  };
}
