import { z } from 'zod';
import type { CsvRecord } from './csv';
import type { ShopAddress } from './webhooks/shop-customer';

/**
 * A Shopify customer export (Customers → Export, a CSV file) as the source of a backfill (issue 30).
 * Columns, as Shopify's help center describes the customer CSV file
 * (https://help.shopify.com/en/manual/customers/import-export-customers): `First Name`, `Last Name`,
 * `Email` (the column must be there, its value may be blank), `Company`, `Address1`, `Address2`,
 * `City`, `Province`, `Province Code`, `Country`, `Country Code`, `Zip`, `Phone`,
 * `Accepts Email Marketing`, `Accepts SMS Marketing`, `Total Spent`, `Total Orders`, `Tags`, `Note`,
 * `Tax Exempt`; headers are case-sensitive.
 * Not confirmed from Shopify's own pages (read from exports seen in the wild, so taken when present,
 * never required): `Customer ID` (the shop's customer ID, sometimes written with a leading `'` so
 * spreadsheets keep every digit) and the `Default Address …` prefixed names of the address columns
 * (`Default Address Address1`, `… City`, `… Province Code`, `… Country Code`, `… Zip`, `… Phone`).
 * Other columns are ignored (marketing consent, totals, tags and notes are not sync data).
 *
 * A row's key is its `Customer ID` when the file has one, else its e-mail (lower-cased): the same
 * customer in a later upload, or in the same file twice, is the same request.
 */
export interface CsvCustomer {
  /** The shop's customer ID, or `email:<address>` when the file has none. */
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  addresses: ShopAddress[];
}

/** A bad row or header: an RFC 9457 `errors[]` item; `pointer` is `/rows/<0-based data row>/<column>`. */
export interface CsvRowError {
  pointer: string;
  detail: string;
}

const COLUMNS = {
  id: ['Customer ID'],
  firstName: ['First Name'],
  lastName: ['Last Name'],
  email: ['Email'],
  phone: ['Phone'],
  street1: ['Address1', 'Default Address Address1'],
  street2: ['Address2', 'Default Address Address2'],
  city: ['City', 'Default Address City'],
  state: ['Province Code', 'Default Address Province Code'],
  countryAlpha2: ['Country Code', 'Default Address Country Code'],
  postalCode: ['Zip', 'Default Address Zip'],
  addressPhone: ['Default Address Phone'],
} as const;

type Field = keyof typeof COLUMNS;

const email = z.email();

/** The rows of a Shopify customer export: the customers to send and the rows that cannot be. */
export function customersOfCsv(records: CsvRecord[]): {
  customers: CsvCustomer[];
  errors: CsvRowError[];
} {
  const [header, ...rows] = records;
  if (!header) return { customers: [], errors: [{ pointer: '/header', detail: 'The file is empty.' }] };
  const names = header.fields.map((name) => name.trim());
  if (!names.includes('Email'))
    return {
      customers: [],
      errors: [
        {
          pointer: '/header/Email',
          detail: "Shopify's customer CSV has an `Email` column (its value may be blank).",
        },
      ],
    };
  const at = Object.fromEntries(
    (Object.keys(COLUMNS) as Field[]).map((field) => [
      field,
      COLUMNS[field].map((name) => names.indexOf(name)).find((index) => index >= 0),
    ]),
  ) as Record<Field, number | undefined>;
  const customers: CsvCustomer[] = [];
  const errors: CsvRowError[] = [];
  const seen = new Map<string, number>();
  rows.forEach((record, index) => {
    const read = (field: Field): string | null => {
      const column = at[field];
      const value = column === undefined ? '' : (record.fields[column] ?? '').trim();
      return value === '' ? null : value;
    };
    const pointer = (field: Field) => `/rows/${index}/${COLUMNS[field][0]}`;
    const problem = (field: Field, detail: string) =>
      errors.push({ pointer: pointer(field), detail: `Line ${record.line}: ${detail}` });
    if (record.fields.length !== names.length)
      return void errors.push({
        pointer: `/rows/${index}`,
        detail: `Line ${record.line}: ${record.fields.length} fields, the header has ${names.length}.`,
      });
    const rawId = read('id')?.replace(/^'/, '') ?? null;
    const address = read('email');
    if (rawId !== null && !/^\d{1,20}$/.test(rawId))
      return void problem('id', 'not a Shopify customer ID (digits).');
    if (address !== null && !email.safeParse(address).success)
      return void problem('email', 'not an e-mail address.');
    if (rawId === null && address === null)
      return void problem('email', 'neither a Customer ID nor an e-mail: the row cannot be keyed.');
    const country = read('countryAlpha2');
    if (country !== null && !/^[A-Za-z]{2}$/.test(country))
      return void problem('countryAlpha2', 'not a two-letter country code (ISO 3166-1 alpha-2).');
    const id = rawId ?? `email:${address!.toLowerCase()}`;
    const first = seen.get(id);
    if (first !== undefined)
      return void problem(rawId ? 'id' : 'email', `the same customer as data row ${first}.`);
    seen.set(id, index);
    const street1 = read('street1');
    customers.push({
      id,
      email: address,
      firstName: read('firstName'),
      lastName: read('lastName'),
      phone: read('phone'),
      addresses:
        street1 || read('city')
          ? [
              {
                street1,
                street2: read('street2'),
                city: read('city'),
                state: read('state'),
                postalCode: read('postalCode'),
                countryAlpha2: country?.toUpperCase() ?? null,
                phone: read('addressPhone'),
              },
            ]
          : [],
    });
  });
  return { customers, errors };
}
