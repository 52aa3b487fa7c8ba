import { createHash } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { hasLoneSurrogate, quotePropertyName, toJsonPointer } from './json-body';
import { ALPHA2_TO_ALPHA3, isCountryAlpha3, isCurrencyCode } from './reference-data';

/**
 * The customer request contract: what a POS terminal or web shop sends, and what D365's CreateCustomer
 * custom service receives once it is normalised. Pure: no I/O, no configuration reads, no clock unless
 * the caller leaves `now` out.
 *
 * The body is the source article's `{"Customer": {...}}` with its spellings (`Addresstitle`,
 * `Addresstype`). Every string is trimmed and NFC-normalised before it is measured, and each is bounded
 * by the length of the F&O field it is stored in (UTF-16 code units, as SQL Server's nvarchar counts):
 *
 * | field | limit | F&O field (extended data type) |
 * |---|---|---|
 * | LegalEntity | 4 | DataArea id (`DataAreaId`) |
 * | FirstName / MiddleName / LastName | 25 each | DirPersonName (`FirstName`, `MiddleName`, `LastName`) |
 * | ContactNumber | 16 (E.164) | LogisticsElectronicAddress.Locator (`LogisticsElectronicAddressLocator`, 255) |
 * | CurrencyCode | 3 | CustTable.Currency (`CurrencyCode`) |
 * | EmailAddress | 254 (RFC 5321 path) | LogisticsElectronicAddress.Locator (`LogisticsElectronicAddressLocator`, 255) |
 * | CustomerGroup | 10 | CustTable.CustGroup (`CustGroupId`) |
 * | Addresstitle | 60 | LogisticsLocation.Description (`Description`) |
 * | Street | 250 | LogisticsPostalAddress.Street (`LogisticsAddressStreet`) |
 * | City | 60 | LogisticsPostalAddress.City (`LogisticsAddressCityName`) |
 * | PostalCode | 10 | LogisticsPostalAddress.ZipCode (`LogisticsAddressZipCodeId`) |
 * | State | 10 | LogisticsPostalAddress.State (`LogisticsAddressStateId`) |
 * | Country | 60 | country/region name (`LogisticsAddressCountryRegionName`) |
 * | CountryCode | 3 | LogisticsPostalAddress.CountryRegionId (`LogisticsAddressCountryRegionId`, 10) |
 *
 * `docs/customer-contract.md` has the full rules, the sources and the decisions behind them.
 */

// ---------------------------------------------------------------------------------------------------
// Public types and constants

export const GENDERS = ['Unknown', 'Male', 'Female', 'NonSpecific'] as const;
export type Gender = (typeof GENDERS)[number];
export type AddressType = 'Billing' | 'Shipping';
export type YesNo = 'Yes' | 'No';

/** One normalised address. Optional fields are absent (never `""` or `null`) when not given. */
export interface CustomerAddress {
  Addresstitle?: string;
  Street: string;
  Addresstype: AddressType;
  PrimaryAddress?: YesNo;
  PostalCode?: string;
  City?: string;
  Country?: string;
  CountryCode: string;
  State?: string;
}

/** The normalised customer: what the CreateCustomer custom service receives. */
export interface NormalisedCustomer {
  /** Upper case, e.g. `USRT`. */
  LegalEntity: string;
  FirstName: string;
  MiddleName?: string;
  LastName?: string;
  /** E.164, e.g. `+923004000101`. */
  ContactNumber?: string;
  /** Upper case ISO 4217. */
  CurrencyCode: string;
  /** Local part as given, domain lower case (and in its ASCII `xn--` form). */
  EmailAddress: string;
  /** `MM/DD/YYYY`, zero-padded: the form the custom service was written for. */
  DateOfBirth?: string;
  Gender?: Gender;
  /** As given, or the configured default. */
  CustomerGroup: string;
  BillingAddress?: CustomerAddress[];
  ShippingAddress?: CustomerAddress[];
}

export interface CustomerRequest {
  Customer: NormalisedCustomer;
}

/** One problem with a request: an RFC 6901 pointer into the body and a message for a POS developer. */
export interface FieldError {
  pointer: string;
  detail: string;
}

export interface ParseCustomerOptions {
  /** Used when the request has no `CustomerGroup` (F&O requires one). */
  defaultCustomerGroup: string;
  /** The current time, for "DateOfBirth is in the past". Default: the system clock. */
  now?: Date;
}

export type ParseCustomerResult = { ok: true; value: CustomerRequest } | { ok: false; errors: FieldError[] };

/** Maximum lengths after trimming and NFC normalisation, in UTF-16 code units. */
export const FIELD_LIMITS = {
  LegalEntity: 4,
  FirstName: 25,
  MiddleName: 25,
  LastName: 25,
  ContactNumber: 16,
  CurrencyCode: 3,
  EmailAddress: 254,
  CustomerGroup: 10,
  Addresstitle: 60,
  Street: 250,
  City: 60,
  PostalCode: 10,
  State: 10,
  Country: 60,
  CountryCode: 3,
} as const;

/** At most this many addresses in each of BillingAddress and ShippingAddress. */
export const MAX_ADDRESSES_PER_LIST = 10;

/** At most this many errors are reported for one request (the rest are summarised in one more entry). */
export const MAX_REPORTED_ERRORS = 50;

/** Earliest accepted date of birth. */
export const EARLIEST_DATE_OF_BIRTH = '1900-01-01';

/**
 * Contract fields that hold personal data, for a redaction layer. Gender is included: it is personal
 * data under the GDPR even though it is an enum.
 */
export const personalFields = [
  'FirstName',
  'MiddleName',
  'LastName',
  'ContactNumber',
  'EmailAddress',
  'DateOfBirth',
  'Gender',
  'Addresstitle',
  'Street',
  'PostalCode',
  'City',
  'State',
] as const;
export type PersonalField = (typeof personalFields)[number];

export const CUSTOMER_FIELDS = [
  'LegalEntity',
  'FirstName',
  'MiddleName',
  'LastName',
  'ContactNumber',
  'CurrencyCode',
  'EmailAddress',
  'DateOfBirth',
  'Gender',
  'CustomerGroup',
  'BillingAddress',
  'ShippingAddress',
] as const satisfies readonly (keyof NormalisedCustomer)[];

export const ADDRESS_FIELDS = [
  'Addresstitle',
  'Street',
  'Addresstype',
  'PrimaryAddress',
  'PostalCode',
  'City',
  'Country',
  'CountryCode',
  'State',
] as const satisfies readonly (keyof CustomerAddress)[];

// ---------------------------------------------------------------------------------------------------
// Field rules. Messages name the field and the rule, never the value.

type Check<T> = { value: T } | { error: string };

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
/**
 * Letters, marks and digits of any script, punctuation and spaces; also the zero-width (non-)joiners
 * U+200C and U+200D that Persian and Indic names need, which `disallowedCharacter` lets through.
 */
const NAME_DISALLOWED = /[^\p{L}\p{M}\p{N}\p{P}\p{Zs}]/u;
/** As names, plus the symbols addresses use: `+`, `°`, `№`. */
const ADDRESS_DISALLOWED = /[^\p{L}\p{M}\p{N}\p{P}\p{Zs}+°№]/u;
const STATE_DISALLOWED = /[^\p{L}\p{M}\p{N}\p{Zs}.-]/u;

const JOINERS = /\u200C|\u200D/g;

/** Raw input longer than this many times a field's limit is refused before normalisation costs anything. */
const RAW_LENGTH_FACTOR = 4;

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function disallowedCharacter(
  name: string,
  text: string,
  disallowed: RegExp,
  allowed: string,
): string | undefined {
  const match = disallowed.exec(text.replace(JOINERS, ''));
  return match
    ? `${name} contains a character that is not allowed (${codePoint(match[0])}); ${allowed}.`
    : undefined;
}

function freeText(name: string, max: number, disallowed: RegExp, allowed: string) {
  return (text: string): Check<string> => {
    if (text.length > max) {
      return {
        error: `${name} must be at most ${max} characters long (the size of the D365 field); it has ${text.length}.`,
      };
    }
    const bad = disallowedCharacter(name, text, disallowed, allowed);
    return bad ? { error: bad } : { value: text };
  };
}

const nameText = (name: string, max: number) =>
  freeText(name, max, NAME_DISALLOWED, 'use letters, marks, digits, punctuation and spaces of any script');
const addressText = (name: string, max: number) =>
  freeText(
    name,
    max,
    ADDRESS_DISALLOWED,
    'use letters, marks, digits, punctuation and spaces of any script (no emoji or other symbols)',
  );

function legalEntity(text: string): Check<string> {
  return /^[A-Za-z0-9]{1,4}$/.test(text)
    ? { value: text.toUpperCase() }
    : {
        error:
          'LegalEntity must be the D365 legal entity (company) ID: 1 to 4 letters or digits, such as USRT.',
      };
}

function customerGroup(text: string): Check<string> {
  return /^[A-Za-z0-9](?:[A-Za-z0-9 _.-]{0,8}[A-Za-z0-9_.-])?$/.test(text)
    ? { value: text }
    : {
        error:
          'CustomerGroup must be a D365 customer group ID: 1 to 10 letters, digits, spaces, "-", "_" or "." (for example 30).',
      };
}

function contactNumber(text: string): Check<string> {
  const compact = text.replace(/[\s.()-]/g, '');
  return /^\+[1-9][0-9]{6,14}$/.test(compact)
    ? { value: compact }
    : {
        error:
          'ContactNumber must be an international phone number: "+", the country code and the number, 7 to 15 digits in all (spaces, dashes, dots and parentheses are ignored), such as +14255550100.',
      };
}

function currencyCode(text: string): Check<string> {
  const code = text.toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) {
    return { error: 'CurrencyCode must be a 3-letter ISO 4217 currency code such as USD.' };
  }
  return isCurrencyCode(code)
    ? { value: code }
    : {
        error:
          'CurrencyCode must be an ISO 4217 code of a currency in use, such as USD, EUR or GBP; this code is not one.',
      };
}

const EMAIL_LOCAL = /^[A-Za-z0-9_'+-]+(?:\.[A-Za-z0-9_'+-]+)*$/;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LEVEL_DOMAIN = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const EMAIL_HELP = 'EmailAddress must be a valid email address such as name@example.com';

function emailAddress(text: string): Check<string> {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return { error: `${EMAIL_HELP}.` };
  const local = text.slice(0, at);
  if (!EMAIL_LOCAL.test(local)) {
    return {
      error: `${EMAIL_HELP}; the part before the @ may hold ASCII letters, digits, ".", "_", "-", "+" and "'".`,
    };
  }
  if (local.length > 64)
    return { error: `${EMAIL_HELP}; the part before the @ may be at most 64 characters long.` };
  // Internationalised domains are stored in their ASCII (xn--) form; domainToASCII also lower-cases.
  const domain = domainToASCII(text.slice(at + 1));
  const labels = domain.split('.');
  const tld = labels[labels.length - 1] ?? '';
  if (
    domain === '' ||
    labels.length < 2 ||
    !labels.every((label) => DOMAIN_LABEL.test(label)) ||
    !TOP_LEVEL_DOMAIN.test(tld)
  ) {
    return { error: `${EMAIL_HELP}; the part after the @ is not a valid domain name.` };
  }
  const email = `${local}@${domain}`;
  if (email.length > FIELD_LIMITS.EmailAddress) {
    return { error: `EmailAddress must be at most ${FIELD_LIMITS.EmailAddress} characters long.` };
  }
  return { value: email };
}

const DATE_HELP = 'DateOfBirth must be a real date in the past, as MM/DD/YYYY or YYYY-MM-DD';

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function dateOfBirth(now: () => Date) {
  return (text: string): Check<string> => {
    const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
    const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    const [year, month, day] = us
      ? [Number(us[3]), Number(us[1]), Number(us[2])]
      : iso
        ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
        : [NaN, NaN, NaN];
    if (!(month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month))) {
      return { error: `${DATE_HELP}.` };
    }
    const isoText = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
    const today = now().toISOString().slice(0, 10);
    if (isoText > today) return { error: `${DATE_HELP}; it is in the future.` };
    if (isoText < EARLIEST_DATE_OF_BIRTH) return { error: `${DATE_HELP}; it must not be before 01/01/1900.` };
    return { value: `${pad(month, 2)}/${pad(day, 2)}/${pad(year, 4)}` };
  };
}

/** Converts a normalised `MM/DD/YYYY` date of birth to ISO `YYYY-MM-DD`. */
export function dateOfBirthToIso(mmddyyyy: string): string {
  const match = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(mmddyyyy);
  if (!match) throw new RangeError('expected a normalised date of birth (MM/DD/YYYY)');
  return `${match[3]}-${match[1]}-${match[2]}`;
}

function oneOf<T extends string>(name: string, values: readonly T[]) {
  const byLowerCase = new Map(values.map((value) => [value.toLowerCase(), value]));
  return (text: string): Check<T> => {
    const value = byLowerCase.get(text.toLowerCase());
    return value ? { value } : { error: `${name} must be one of ${values.join(', ')}.` };
  };
}

function postalCode(text: string): Check<string> {
  const code = text.toUpperCase();
  if (code.length > FIELD_LIMITS.PostalCode || !/^[A-Z0-9](?:[A-Z0-9 -]*[A-Z0-9])?$/.test(code)) {
    return {
      error: `PostalCode must be at most ${FIELD_LIMITS.PostalCode} letters, digits, spaces or hyphens (the size of the D365 ZIP/postal code field).`,
    };
  }
  return { value: code };
}

function countryCode(text: string): Check<string> {
  const code = text.toUpperCase();
  const help = 'CountryCode must be an ISO 3166-1 alpha-3 code such as USA';
  if (/^[A-Z]{3}$/.test(code)) {
    return isCountryAlpha3(code) ? { value: code } : { error: `${help}; this code is not assigned.` };
  }
  if (/^[A-Z]{2}$/.test(code)) {
    const alpha3 = ALPHA2_TO_ALPHA3.get(code);
    return { error: `${help}; got a 2-letter code${alpha3 ? ` (use ${alpha3} for ${code})` : ''}.` };
  }
  if (/^\d{3}$/.test(code)) return { error: `${help}; got a numeric code.` };
  return { error: `${help}.` };
}

// ---------------------------------------------------------------------------------------------------
// Schema

const NEVER = z.NEVER;

/**
 * A string field: absent/null allowed unless `required`; then type, unpaired surrogates, a cheap raw
 * length cap, trim + NFC, control characters, emptiness, and finally the field's own rule.
 */
function textField<T>(name: string, rawLimit: number, required: boolean, rule: (text: string) => Check<T>) {
  return z.unknown().transform((input, ctx): T | undefined => {
    const fail = (message: string): never => {
      ctx.addIssue({ code: 'custom', message });
      return NEVER;
    };
    if (input === undefined || input === null) {
      return required ? fail(`${name} is required.`) : undefined;
    }
    if (typeof input !== 'string') return fail(`${name} must be a string.`);
    if (input.length > rawLimit * RAW_LENGTH_FACTOR + 64) {
      return fail(`${name} must be at most ${rawLimit} characters long (the size of the D365 field).`);
    }
    if (hasLoneSurrogate(input)) {
      return fail(`${name} contains an invalid character (an unpaired UTF-16 surrogate).`);
    }
    const text = input.trim().normalize('NFC').trim();
    if (CONTROL.test(text)) {
      return fail(`${name} must not contain control characters such as tabs or line breaks.`);
    }
    if (text === '') return required ? fail(`${name} must not be empty.`) : undefined;
    const checked = rule(text);
    return 'error' in checked ? fail(checked.error) : checked.value;
  });
}

const required = <T>(name: string, limit: number, rule: (text: string) => Check<T>) =>
  textField(name, limit, true, rule);
const optional = <T>(name: string, limit: number, rule: (text: string) => Check<T>) =>
  textField(name, limit, false, rule).optional();

function objectError(name: string) {
  return (issue: { code: string; input?: unknown }): string | undefined => {
    if (issue.code !== 'invalid_type') return undefined;
    return issue.input === undefined || issue.input === null
      ? `${name} is required.`
      : `${name} must be a JSON object.`;
  };
}

function addressSchema(list: 'BillingAddress' | 'ShippingAddress') {
  const expectedType: AddressType = list === 'BillingAddress' ? 'Billing' : 'Shipping';
  const anyType = oneOf('Addresstype', ['Billing', 'Shipping'] as const);
  return z
    .strictObject(
      {
        Addresstitle: optional(
          'Addresstitle',
          FIELD_LIMITS.Addresstitle,
          addressText('Addresstitle', FIELD_LIMITS.Addresstitle),
        ),
        Street: required('Street', FIELD_LIMITS.Street, addressText('Street', FIELD_LIMITS.Street)),
        Addresstype: required('Addresstype', 16, (text): Check<AddressType> => {
          const checked = anyType(text);
          if ('error' in checked) return checked;
          return checked.value === expectedType
            ? checked
            : { error: `Addresstype must be ${expectedType} for an address in ${list}.` };
        }),
        PrimaryAddress: optional('PrimaryAddress', 8, oneOf('PrimaryAddress', ['Yes', 'No'] as const)),
        PostalCode: optional('PostalCode', FIELD_LIMITS.PostalCode, postalCode),
        City: optional('City', FIELD_LIMITS.City, addressText('City', FIELD_LIMITS.City)),
        Country: optional('Country', FIELD_LIMITS.Country, addressText('Country', FIELD_LIMITS.Country)),
        CountryCode: required('CountryCode', 16, countryCode),
        State: optional(
          'State',
          FIELD_LIMITS.State,
          freeText('State', FIELD_LIMITS.State, STATE_DISALLOWED, 'use letters, digits, spaces, "." and "-"'),
        ),
      },
      {
        error: (issue) =>
          issue.code === 'invalid_type' ? `Each item of ${list} must be a JSON object.` : undefined,
      },
    )
    .transform(
      (address): CustomerAddress => canonical(address, ADDRESS_FIELDS) as unknown as CustomerAddress,
    );
}

function addressList(list: 'BillingAddress' | 'ShippingAddress') {
  return z
    .preprocess(
      (value) => (value === null ? undefined : value),
      z
        .array(addressSchema(list), {
          error: (issue) =>
            issue.code === 'invalid_type' ? `${list} must be an array of address objects.` : undefined,
        })
        .max(MAX_ADDRESSES_PER_LIST, `${list} may hold at most ${MAX_ADDRESSES_PER_LIST} addresses.`)
        .superRefine(
          (items, ctx) => {
            // Runs even when some items are invalid (`when`), so this error is reported with the others.
            if (!Array.isArray(items) || items.length > MAX_ADDRESSES_PER_LIST) return;
            let primarySeen = false;
            items.forEach((item: unknown, index) => {
              if (
                typeof item === 'object' &&
                item !== null &&
                (item as { PrimaryAddress?: unknown }).PrimaryAddress === 'Yes'
              ) {
                if (primarySeen) {
                  ctx.addIssue({
                    code: 'custom',
                    path: [index, 'PrimaryAddress'],
                    message: `Only one address in ${list} may have PrimaryAddress "Yes".`,
                  });
                }
                primarySeen = true;
              }
            });
          },
          { when: () => true },
        )
        .optional(),
    )
    .transform((items) => (items && items.length > 0 ? items : undefined));
}

export interface CustomerSchemaOptions {
  /** Used when the request has no `CustomerGroup`. Must itself be a valid customer group ID. */
  defaultCustomerGroup: string;
  /** The clock for "DateOfBirth is in the past". Default: the system clock. */
  now?: () => Date;
}

/**
 * Builds the zod schema of the request body. Its output is the normalised `CustomerRequest`.
 * `parseCustomerRequest` is the usual entry point; use the schema directly to compose it elsewhere.
 */
export function createCustomerRequestSchema(options: CustomerSchemaOptions): z.ZodType<CustomerRequest> {
  const defaultGroup = customerGroup(String(options.defaultCustomerGroup ?? '').trim());
  if ('error' in defaultGroup) {
    throw new TypeError(`defaultCustomerGroup is not a valid customer group ID: ${defaultGroup.error}`);
  }
  const clock = options.now;
  // `parseCustomerRequest` lends its caller's time through `parseClock` while it parses.
  const now = (): Date => (parseClock ?? clock)?.() ?? new Date();
  const customer = z
    .strictObject(
      {
        LegalEntity: required('LegalEntity', FIELD_LIMITS.LegalEntity, legalEntity),
        FirstName: required(
          'FirstName',
          FIELD_LIMITS.FirstName,
          nameText('FirstName', FIELD_LIMITS.FirstName),
        ),
        MiddleName: optional(
          'MiddleName',
          FIELD_LIMITS.MiddleName,
          nameText('MiddleName', FIELD_LIMITS.MiddleName),
        ),
        LastName: optional('LastName', FIELD_LIMITS.LastName, nameText('LastName', FIELD_LIMITS.LastName)),
        ContactNumber: optional('ContactNumber', 32, contactNumber),
        CurrencyCode: required('CurrencyCode', FIELD_LIMITS.CurrencyCode, currencyCode),
        EmailAddress: required('EmailAddress', FIELD_LIMITS.EmailAddress, emailAddress),
        DateOfBirth: optional('DateOfBirth', 10, dateOfBirth(now)),
        Gender: optional('Gender', 16, oneOf('Gender', GENDERS)),
        CustomerGroup: optional('CustomerGroup', FIELD_LIMITS.CustomerGroup, customerGroup),
        BillingAddress: addressList('BillingAddress'),
        ShippingAddress: addressList('ShippingAddress'),
      },
      { error: objectError('Customer') },
    )
    .transform(
      (value): NormalisedCustomer =>
        canonical(
          { ...value, CustomerGroup: value.CustomerGroup ?? defaultGroup.value },
          CUSTOMER_FIELDS,
        ) as unknown as NormalisedCustomer,
    );
  return z.strictObject(
    { Customer: customer },
    {
      error: (issue) =>
        issue.code === 'invalid_type'
          ? 'The request body must be a JSON object such as {"Customer": {...}}.'
          : undefined,
    },
  ) as unknown as z.ZodType<CustomerRequest>;
}

/** Copies the fields in contract order, leaving out those that are absent. */
function canonical(value: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (value[field] !== undefined) out[field] = value[field];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Parsing and errors

/** Schemas by default customer group (the configuration has one; the cap guards against misuse). */
const schemas = new Map<string, z.ZodType<CustomerRequest>>();

/**
 * The time of the parse in progress. Parsing is synchronous, so a single slot is enough, and it lets
 * every request use the cached schema instead of building one per `now` (which costs ~20 times the
 * parse itself).
 */
let parseClock: (() => Date) | undefined;

/**
 * Validates and normalises a request body (already parsed from JSON, e.g. by `parseJsonBody`).
 * Never throws for any body; throws a TypeError only when `defaultCustomerGroup` itself is invalid.
 */
export function parseCustomerRequest(body: unknown, options: ParseCustomerOptions): ParseCustomerResult {
  const { defaultCustomerGroup, now } = options;
  let schema = schemas.get(defaultCustomerGroup);
  if (!schema) {
    schema = createCustomerRequestSchema({ defaultCustomerGroup });
    if (schemas.size < 16) schemas.set(defaultCustomerGroup, schema);
  }
  const previous = parseClock;
  parseClock = now === undefined ? undefined : () => now;
  let result: ReturnType<typeof schema.safeParse>;
  try {
    result = schema.safeParse(body);
  } finally {
    parseClock = previous;
  }
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, errors: toFieldErrors(result.error.issues) };
}

const ALLOWED_PROPERTIES: Record<'body' | 'Customer' | 'address', readonly string[]> = {
  body: ['Customer'],
  Customer: CUSTOMER_FIELDS,
  address: ADDRESS_FIELDS,
};

function toFieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((token): token is string | number => typeof token !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors.push({ pointer: toJsonPointer([...path, key]), detail: unknownPropertyDetail(path, key) });
      }
    } else {
      errors.push({ pointer: toJsonPointer(path), detail: issue.message });
    }
  }
  if (errors.length <= MAX_REPORTED_ERRORS) return errors;
  return [
    ...errors.slice(0, MAX_REPORTED_ERRORS),
    {
      pointer: '',
      detail: `${errors.length - MAX_REPORTED_ERRORS} more errors were found and are not listed.`,
    },
  ];
}

function unknownPropertyDetail(path: readonly (string | number)[], key: string): string {
  const where = path.length === 0 ? 'body' : path.length === 1 ? 'Customer' : 'address';
  const allowed = ALLOWED_PROPERTIES[where];
  const place =
    where === 'body'
      ? 'the request body'
      : where === 'Customer'
        ? 'Customer'
        : `an address of ${String(path[1])}`;
  const suggestion = allowed.find((name) => name.toLowerCase() === key.trim().toLowerCase());
  const hint = suggestion ? `did you mean "${suggestion}"?` : `allowed: ${allowed.join(', ')}.`;
  return `Unknown property ${quotePropertyName(key)} in ${place}; ${hint}`;
}

// ---------------------------------------------------------------------------------------------------
// Fingerprint

/**
 * SHA-256 (hex) of the canonical JSON of a normalised request: object keys sorted, arrays in order, no
 * whitespace. Two bodies that differ only in key order, whitespace, surrounding spaces, Unicode
 * normalisation form, the case of codes (LegalEntity, CurrencyCode, CountryCode, Gender, ...), the
 * case of the email's domain, or `""`/`null` versus an absent optional field get the same fingerprint.
 */
export function customerFingerprint(request: CustomerRequest): string {
  return createHash('sha256').update(canonicalJson(request), 'utf8').digest('hex');
}

/** JSON with object keys sorted by UTF-16 code unit order; `undefined` members are left out. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
