import { CustomerRecord } from './customers-store';
import { LOCATION_ROLES } from './location-roles';

/**
 * A customer's postal addresses, as F&O's `CustomerPostalAddresses` entity shows them (CDM
 * `CustomerPostalAddressEntity`, backed by DirPartyLocation + LogisticsPostalAddress): one row per
 * party location, keyed by dataAreaId, CustomerAccountNumber, CustomerLegalEntityId, AddressLocationId
 * and Effective (the entity key in F&O's `$metadata`, as the SAP Cloud SDK client generated from it
 * shows: github.com/ntrtd/d365-agent packages/client/src/CustomerPostalAddressesApi.ts).
 *
 * F&O does not refuse a second location with the same street, city, state, ZIP and country: every
 * POST adds a location (which is why the app looks before it posts, and why the audits count
 * `duplicates` here).
 */
export interface PostalAddressRecord {
  /** Company of the customer (upper case) and its account. */
  legalEntity: string;
  account: string;
  /** LogisticsLocation.LocationId (a number sequence of its own). */
  locationId: string;
  /** ISO timestamps: F&O's ValidFrom/ValidTo of the party location (ValidTo: never, 2154-12-31). */
  effective: string;
  expiration: string;
  description: string;
  street: string;
  city: string;
  state: string;
  zipCode: string;
  countryRegionId: string;
  /** LogisticsLocationRole names, canonical case. */
  roles: string[];
  isPrimary: boolean;
  /** How it came: a CustomersV3 create (its Address*, InvoiceAddress*, DeliveryAddress* groups) or a POST. */
  via: 'customersV3' | 'postalAddresses';
}

export const NEVER_EXPIRES = '2154-12-31T23:59:59Z';

export interface PostalAddressesStore {
  all(): PostalAddressRecord[];
  forCustomer(legalEntity: string, account: string): PostalAddressRecord[];
  add(record: Omit<PostalAddressRecord, 'locationId' | 'effective' | 'expiration'>): PostalAddressRecord;
  /** The locations a CustomersV3 create gives the party: its primary, invoice and delivery addresses. */
  addFromCustomer(customer: CustomerRecord): void;
  /** Addresses of a customer at the same place (collated as SQL Server does) as an earlier one. */
  duplicates(): number;
  clear(): void;
}

/** Street, city, state, ZIP and country as SQL Server's collation compares them (case, trailing spaces). */
export function placeKey(
  record: Pick<PostalAddressRecord, 'street' | 'city' | 'state' | 'zipCode' | 'countryRegionId'>,
): string {
  return [record.street, record.city, record.state, record.zipCode, record.countryRegionId]
    .map((value) => value.toLowerCase().replace(/ +$/, ''))
    .join('\u0000');
}

/** `;`-separated role names → canonical names (unknown names are refused before this). */
export function canonicalRoles(value: string): string[] {
  return value
    .split(';')
    .map((role) => role.trim())
    .filter((role) => role !== '')
    .map((role) => LOCATION_ROLES.find((known) => known.toLowerCase() === role.toLowerCase()) ?? role);
}

export function createPostalAddressesStore(): PostalAddressesStore {
  let records: PostalAddressRecord[] = [];
  let locationSequence = 0;
  const ofCustomer = (le: string, account: string) => (r: PostalAddressRecord) =>
    r.legalEntity === le.toUpperCase() && r.account.toUpperCase() === account.toUpperCase();

  const store: PostalAddressesStore = {
    all: () => [...records],
    forCustomer: (le, account) => records.filter(ofCustomer(le, account)),
    add(input) {
      locationSequence += 1;
      const record: PostalAddressRecord = {
        ...input,
        legalEntity: input.legalEntity.toUpperCase(),
        locationId: String(locationSequence).padStart(9, '0'),
        // F&O's utcDateTime has whole seconds.
        effective: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        expiration: NEVER_EXPIRES,
      };
      // A party has one primary address: a new primary one takes the flag from the others.
      if (record.isPrimary)
        for (const other of records.filter(ofCustomer(record.legalEntity, record.account)))
          other.isPrimary = false;
      records.push(record);
      return record;
    },
    addFromCustomer(customer) {
      const groups = [
        { prefix: 'Address', roles: String(customer.fields.AddressLocationRoles ?? ''), isPrimary: true },
        { prefix: 'InvoiceAddress', roles: 'Invoice', isPrimary: false },
        { prefix: 'DeliveryAddress', roles: 'Delivery', isPrimary: false },
      ];
      for (const { prefix, roles, isPrimary } of groups) {
        const field = (name: string): string => String(customer.fields[`${prefix}${name}`] ?? '');
        if (field('CountryRegionId') === '' && field('Street') === '') continue;
        store.add({
          legalEntity: customer.legalEntity,
          account: customer.account,
          description: field('Description'),
          street: field('Street'),
          city: field('City'),
          state: field('State'),
          zipCode: field('ZipCode'),
          countryRegionId: field('CountryRegionId'),
          roles: canonicalRoles(roles),
          isPrimary,
          via: 'customersV3',
        });
      }
    },
    duplicates() {
      const seen = new Set<string>();
      let count = 0;
      for (const record of records) {
        const key = `${record.legalEntity}\u0000${record.account.toUpperCase()}\u0000${placeKey(record)}`;
        if (seen.has(key)) count += 1;
        else seen.add(key);
      }
      return count;
    },
    clear() {
      records = [];
    },
  };
  return store;
}
