import { CORE, fieldPattern } from './field-patterns';
import { FIELD_LIMITS, MAX_ADDRESSES_PER_LIST } from './limits';
import { RAW_LENGTH_FACTOR } from './field-rules';
import { GENDERS } from './types';

/**
 * Each request field's JSON Schema (draft 2020-12), attached to its zod schema as metadata so that
 * `z.toJSONSchema` of the contract is the OpenAPI request schema: `type`, `maxLength` (the raw length
 * the app refuses before normalising), `pattern` (the rule, with the white space it trims) and a
 * description of what no keyword can say (lengths after normalisation, cross-field rules, dates
 * relative to today).
 */

export type FieldJsonSchema = Record<string, unknown>;

const AFTER = 'after trimming and Unicode NFC normalisation, in UTF-16 code units';
const TRIMMED = 'Surrounding white space is trimmed.';

interface FieldDoc {
  core: string;
  description: string;
  examples?: string[];
}

const freeText = (what: string, limit: number): string =>
  `${what}; at most ${limit} characters ${AFTER} (the pattern counts characters as sent, so text in decomposed form, NFD, that normalising shortens may be refused by it).`;

/** The rule of each field (Addresstype depends on the list it is in). */
function fieldDoc(name: string, list?: 'BillingAddress' | 'ShippingAddress'): FieldDoc {
  switch (name) {
    case 'LegalEntity':
      return {
        core: CORE.LegalEntity,
        description: `D365 legal entity (company) ID: 1 to ${FIELD_LIMITS.LegalEntity} letters or digits, any case.`,
        examples: ['USRT'],
      };
    case 'PartyType':
      return {
        core: CORE.PartyType,
        description:
          '`Person` (the default) or `Organization` (any case): a company, D365 `PartyType = Organization` (issue 32). An organisation needs `OrganizationName`; its `FirstName`, `LastName`, `EmailAddress` and `ContactNumber` are its contact person\u2019s (on the CustomersV3 target a D365 contact person of the organisation, status `contactPerson`); it is matched on `TaxNumber`, else on its name and country, never on an e-mail.',
        examples: ['Organization'],
      };
    case 'OrganizationName':
      return {
        core: CORE.Name(FIELD_LIMITS.OrganizationName),
        description: freeText(
          'An organisation\u2019s name (required when `PartyType` is `Organization`, refused otherwise): letters of any script, marks, digits, punctuation and spaces',
          FIELD_LIMITS.OrganizationName,
        ),
        examples: ['Contoso Ltd'],
      };
    case 'TaxNumber':
      return {
        core: CORE.TaxNumber,
        description:
          'An organisation\u2019s tax or VAT registration number (only with `PartyType` `Organization`): 2 to 20 letters and digits; spaces, dots, dashes and slashes are dropped and letters upper-cased (D365 `TaxExemptNumber`, 20). The organisation\u2019s identity for the duplicate policy.',
        examples: ['DE123456789'],
      };
    case 'FirstName':
    case 'MiddleName':
    case 'LastName':
      return {
        core: CORE.Name(FIELD_LIMITS[name]),
        description: freeText(
          'Letters of any script, marks, digits, punctuation and spaces',
          FIELD_LIMITS[name],
        ),
        examples: [name === 'FirstName' ? 'Alex' : 'Trump'],
      };
    case 'ContactNumber':
      return {
        core: CORE.ContactNumber,
        description:
          'Phone number, read with libphonenumber (issue 32): international (`+` or `00`, the country code and the number) or national, read in the country of the primary billing address (else the first address); spaces, dots, dashes, slashes and parentheses are dropped. A number no numbering plan assigns is refused. Stored as E.164, e.g. `+923004000101`. Required when there is no `EmailAddress`: with it, the duplicate policy matches a customer without an e-mail on first name, last name and this number.',
        examples: ['+923004000101', '+1 (425) 555-0100', '(425) 555-0100'],
      };
    case 'CurrencyCode':
      return {
        core: CORE.CurrencyCode,
        description: 'ISO 4217 code of a currency in use, any case (the pattern lists them).',
        examples: ['USD'],
      };
    case 'EmailAddress':
      return {
        core: CORE.EmailAddress,
        description: `E-mail address: ASCII letters, digits and \`.\` \`_\` \`-\` \`+\` \`'\` before the @ (at most 64), a domain name after it; at most ${FIELD_LIMITS.EmailAddress} characters. An internationalised domain is stored in its ASCII (\`xn--\`) form and checked in it, and an \`xn--\` label must be valid Punycode: the pattern checks neither, only the characters. The domain is stored in lower case. Optional when \`ContactNumber\` is given (a customer needs one of the two): how the duplicate policy finds the customer.`,
        examples: ['abc1234@gmail.com'],
      };
    case 'DateOfBirth':
      return {
        core: CORE.DateOfBirth,
        description:
          '`MM/DD/YYYY` (as the source article) or `YYYY-MM-DD`; a real calendar date (no 02/30), from 01/01/1900 up to today (which no pattern can say). Stored as `MM/DD/YYYY`.',
        examples: ['11/10/1997'],
      };
    case 'Gender':
      return {
        core: CORE.Gender,
        description: `One of ${GENDERS.join(', ')}, any case.`,
        examples: ['Male'],
      };
    case 'CustomerGroup':
      return {
        core: CORE.CustomerGroup,
        description: `D365 customer group ID: 1 to ${FIELD_LIMITS.CustomerGroup} letters, digits, spaces, \`-\`, \`_\` or \`.\`; default \`DEFAULT_CUSTOMER_GROUP\`.`,
        examples: ['30'],
      };
    case 'Addresstitle':
    case 'Street':
    case 'City':
    case 'Country':
      return {
        core: CORE.Address(FIELD_LIMITS[name]),
        description: freeText(
          'Address text: letters, marks, digits, punctuation and spaces of any script, `+`, `°`, `№`',
          FIELD_LIMITS[name],
        ),
      };
    case 'Addresstype': {
      const type = list === 'ShippingAddress' ? 'Shipping' : 'Billing';
      return {
        core: CORE.Addresstype(type),
        description: `\`${type}\` (any case) in ${list}.`,
        examples: [type],
      };
    }
    case 'PrimaryAddress':
      return {
        core: CORE.PrimaryAddress,
        description:
          '`Yes` or `No` (any case); at most one `Yes` per list (a rule across items no pattern can say).',
        examples: ['Yes'],
      };
    case 'PostalCode':
      return {
        core: CORE.PostalCode,
        description: `Letters, digits, spaces or hyphens, at most ${FIELD_LIMITS.PostalCode}; stored in upper case.`,
        examples: ['00210'],
      };
    case 'CountryCode':
      return {
        core: CORE.CountryCode,
        description:
          'ISO 3166-1 alpha-3 code of an assigned country, any case (the pattern lists them), e.g. `USA`; a 2-letter code is refused, naming its alpha-3 form.',
        examples: ['USA'],
      };
    case 'State':
      return {
        core: CORE.State,
        description: freeText('Letters, digits, spaces, `.` and `-`', FIELD_LIMITS.State),
        examples: ['NH'],
      };
    default:
      throw new Error(`no JSON Schema for the contract's field ${name}`);
  }
}

/** The JSON Schema of one string field, as zod metadata. `rawLimit` is the rule's own limit. */
export function fieldJsonSchema(
  name: string,
  rawLimit: number,
  required: boolean,
  list?: 'BillingAddress' | 'ShippingAddress',
): FieldJsonSchema {
  const { core, description, examples } = fieldDoc(name, list);
  return {
    type: required ? 'string' : ['string', 'null'],
    maxLength: rawLimit * RAW_LENGTH_FACTOR + 64,
    pattern: fieldPattern(core, required),
    description: `${description} ${TRIMMED}${required ? '' : ' Optional; `null` or blank is the same as absent.'}`,
    ...(examples ? { examples } : {}),
  };
}

export const ADDRESS_LIST_JSON_SCHEMA: FieldJsonSchema = {
  type: ['array', 'null'],
  maxItems: MAX_ADDRESSES_PER_LIST,
  description: `Up to ${MAX_ADDRESSES_PER_LIST} addresses, at most one with \`PrimaryAddress: Yes\`; \`null\` or \`[]\` is the same as absent.`,
};
