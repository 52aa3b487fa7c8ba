import { randomInt } from 'node:crypto';
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
  /**
   * F&O's RecVersion: 1 after the insert, a different number after every update (optimistic
   * concurrency; the OData ETag carries it, so the ETag changes with every update).
   */
  recVersion: number;
  /** The updates applied since the create (the fleet audit's update phase reads them). */
  updates: CustomerUpdates;
}

export type UpdateVia = 'odata' | 'operator';

/** One update applied to a customer: when, through what, and the fields it set (as written). */
export interface AppliedUpdate {
  at: string;
  via: UpdateVia;
  fields: CustomerEntity;
  /** The ETag before and after the update. */
  etagBefore: string;
  etagAfter: string;
  /**
   * OData updates: what their If-Match was: `match` (the current ETag), `*`, or `none` (no header; F&O
   * applies it unconditionally). An audit tells "applied over a change made in D365" from these.
   */
  ifMatch?: 'match' | '*' | 'none';
}

export interface UpdateOptions {
  via: UpdateVia;
  /** The ETag of a record (d365-odata-entity.ts), to note it before and after the update. */
  etag: (record: CustomerRecord) => string;
  ifMatch?: AppliedUpdate['ifMatch'];
}

export interface CustomerUpdates {
  /** Applied OData PATCHes (the app's updates) and operator changes (control API). */
  odata: number;
  operator: number;
  /** The newest applied updates, oldest first (at most `UPDATE_HISTORY_LIMIT`). */
  history: AppliedUpdate[];
  /** How many older entries `history` no longer holds. */
  dropped: number;
}

export const UPDATE_HISTORY_LIMIT = 50;

export interface CustomersStore {
  all(): CustomerRecord[];
  find(legalEntity: string, account: string): CustomerRecord | undefined;
  /** The next account number of the company's number sequence (skipping any taken by hand). */
  nextAccount(legalEntity: string): string;
  nextPartyNumber(): string;
  add(record: Omit<CustomerRecord, 'recId' | 'createdAt' | 'recVersion' | 'updates'>): CustomerRecord;
  /**
   * Writes `changes` over the customer's fields and gives it a new RecVersion (so a new ETag), as an
   * F&O update does; records the update in the customer's history. Returns the entry.
   */
  update(record: CustomerRecord, changes: CustomerEntity, options: UpdateOptions): AppliedUpdate;
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
      const stored: CustomerRecord = {
        ...record,
        recId: recIdSequence,
        createdAt: new Date().toISOString(),
        recVersion: 1,
        updates: { odata: 0, operator: 0, history: [], dropped: 0 },
      };
      customers.push(stored);
      byKey.set(key(stored.legalEntity, stored.account), stored);
      return stored;
    },
    update(record, changes, { via, etag, ifMatch }) {
      const etagBefore = etag(record);
      Object.assign(record.fields, changes);
      // X++ gives the row a new RecVersion on every update ("changed to a different number": Packt, Extending
      // Microsoft Dynamics 365 Finance and Supply Chain Management Cookbook); any other value will do.
      let next: number;
      do next = randomInt(1, 2 ** 31 - 1);
      while (next === record.recVersion);
      record.recVersion = next;
      const entry: AppliedUpdate = {
        at: new Date().toISOString(),
        via,
        fields: { ...changes },
        etagBefore,
        etagAfter: etag(record),
        ...(ifMatch !== undefined && { ifMatch }),
      };
      record.updates[via] += 1;
      record.updates.history.push(entry);
      if (record.updates.history.length > UPDATE_HISTORY_LIMIT) {
        record.updates.history.shift();
        record.updates.dropped += 1;
      }
      return entry;
    },
    clear() {
      customers = [];
      byKey.clear();
    },
  };
}
