import { z } from 'zod';
import { hasLoneSurrogate } from '../json-body';
import { toE164 } from '../phone-number';
import {
  addressText,
  Check,
  contactNumber,
  CONTROL,
  countryCode,
  currencyCode,
  customerGroup,
  dateOfBirth,
  emailAddress,
  freeText,
  isNationalNumber,
  legalEntity,
  nameText,
  oneOf,
  postalCode,
  RAW_LENGTH_FACTOR,
  taxNumber,
  STATE_DISALLOWED,
} from './field-rules';
import { toFieldErrors } from './errors';
import { ADDRESS_LIST_JSON_SCHEMA, fieldJsonSchema } from './field-json-schema';
import { ADDRESS_FIELDS, CUSTOMER_FIELDS, FIELD_LIMITS, MAX_ADDRESSES_PER_LIST } from './limits';
import { GENDERS, PARTY_TYPES } from './types';
import type {
  AddressType,
  CustomerAddress,
  CustomerRequest,
  NormalisedCustomer,
  ParseCustomerOptions,
  ParseCustomerResult,
} from './types';

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

type List = 'BillingAddress' | 'ShippingAddress';
// Each field carries its JSON Schema (pattern, raw maxLength, description) as metadata: the OpenAPI
// request schema is `z.toJSONSchema` of this schema.
const required = <T>(name: string, limit: number, rule: (text: string) => Check<T>, list?: List) =>
  textField(name, limit, true, rule).meta(fieldJsonSchema(name, limit, true, list));
const optional = <T>(name: string, limit: number, rule: (text: string) => Check<T>) =>
  textField(name, limit, false, rule)
    .optional()
    .meta(fieldJsonSchema(name, limit, false));

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
        Addresstype: required(
          'Addresstype',
          16,
          (text): Check<AddressType> => {
            const checked = anyType(text);
            if ('error' in checked) return checked;
            return checked.value === expectedType
              ? checked
              : { error: `Addresstype must be ${expectedType} for an address in ${list}.` };
          },
          list,
        ),
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
    .transform((items) => (items && items.length > 0 ? items : undefined))
    .meta(ADDRESS_LIST_JSON_SCHEMA);
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
        EmailAddress: optional('EmailAddress', FIELD_LIMITS.EmailAddress, emailAddress),
        DateOfBirth: optional('DateOfBirth', 10, dateOfBirth(now)),
        Gender: optional('Gender', 16, oneOf('Gender', GENDERS)),
        CustomerGroup: optional('CustomerGroup', FIELD_LIMITS.CustomerGroup, customerGroup),
        BillingAddress: addressList('BillingAddress'),
        ShippingAddress: addressList('ShippingAddress'),
        PartyType: optional('PartyType', 16, oneOf('PartyType', PARTY_TYPES)),
        OrganizationName: optional(
          'OrganizationName',
          FIELD_LIMITS.OrganizationName,
          nameText('OrganizationName', FIELD_LIMITS.OrganizationName),
        ),
        TaxNumber: optional('TaxNumber', FIELD_LIMITS.TaxNumber, taxNumber),
      },
      { error: objectError('Customer') },
    )
    .transform((value, ctx): NormalisedCustomer => {
      const contactNumber = identityFields(value, ctx);
      organisationFields(value, ctx);
      return canonical(
        {
          ...value,
          // A person is the default: `Person` is not kept, so a person's payload is as before.
          PartyType: value.PartyType === 'Organization' ? 'Organization' : undefined,
          ContactNumber: contactNumber,
          CustomerGroup: value.CustomerGroup ?? defaultGroup.value,
        },
        CUSTOMER_FIELDS,
      ) as unknown as NormalisedCustomer;
    });
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

/**
 * The rules across fields (issue 32): the phone read as E.164, in the address country when it has no
 * `+` (the primary billing address's, else the first address's); and a customer needs an e-mail or a
 * phone, which is how the duplicate policy finds it. Returns the E.164 number.
 */
function identityFields(
  value: {
    PartyType?: string;
    OrganizationName?: string;
    TaxNumber?: string;
    EmailAddress?: string;
    ContactNumber?: string;
    BillingAddress?: CustomerAddress[];
    ShippingAddress?: CustomerAddress[];
  },
  ctx: { addIssue(issue: { code: 'custom'; message: string; path: string[] }): void },
): string | undefined {
  const addresses = [...(value.BillingAddress ?? []), ...(value.ShippingAddress ?? [])];
  const home =
    addresses.find((a) => a.PrimaryAddress === 'Yes' && a.Addresstype === 'Billing') ?? addresses[0];
  if (value.ContactNumber !== undefined) {
    if (!isNationalNumber(value.ContactNumber)) return value.ContactNumber; // E.164 already (field-rules.ts)
    const phone = toE164(value.ContactNumber, home?.CountryCode);
    if ('value' in phone) return phone.value;
    ctx.addIssue({ code: 'custom', message: phone.error, path: ['ContactNumber'] });
    return undefined;
  }
  if (value.EmailAddress === undefined && value.PartyType !== 'Organization')
    ctx.addIssue({
      code: 'custom',
      message:
        'EmailAddress is required when there is no ContactNumber: a customer needs an e-mail address or a phone number (how duplicates are found).',
      path: ['EmailAddress'],
    });
  return undefined;
}

/**
 * An organisation (issue 32): `PartyType` `Organization` needs an `OrganizationName`, and, without a
 * `TaxNumber`, an address (it is matched on its name and country); a person has neither field.
 */
function organisationFields(
  value: {
    PartyType?: string;
    OrganizationName?: string;
    TaxNumber?: string;
    BillingAddress?: CustomerAddress[];
    ShippingAddress?: CustomerAddress[];
  },
  ctx: { addIssue(issue: { code: 'custom'; message: string; path: string[] }): void },
): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', message, path: [path] });
  if (value.PartyType !== 'Organization') {
    if (value.OrganizationName !== undefined)
      issue(
        'OrganizationName',
        'OrganizationName is only for an organisation: send PartyType "Organization".',
      );
    if (value.TaxNumber !== undefined)
      issue('TaxNumber', 'TaxNumber is only for an organisation: send PartyType "Organization".');
    return;
  }
  if (value.OrganizationName === undefined)
    issue('OrganizationName', 'OrganizationName is required for an organisation (PartyType "Organization").');
  else if (value.TaxNumber === undefined && (value.BillingAddress ?? value.ShippingAddress) === undefined)
    issue(
      'TaxNumber',
      'An organisation needs a TaxNumber or an address: without a tax number it is matched on its name and country.',
    );
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
