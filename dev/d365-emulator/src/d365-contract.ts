import { GENDER_VALUES } from './customer-entity';
import { isPlainObject } from './http';

/**
 * The CreateCustomer operation's data contracts and F&O's (Json.NET-based) deserialization of them:
 * member names match case-insensitively; an unknown member, a value of the wrong JSON type, or null for
 * an enum fails the whole call with XppServicesDeserializationException. Strings may be null (read as "").
 * Enums accept their name (any case) or their integer value. Stricter than Json.NET in one respect:
 * numbers and booleans are not converted to strings.
 */
type MemberType = 'str' | { enum: string; values: readonly string[] } | { list: ContractType };

interface ContractType {
  name: string;
  members: Record<string, MemberType>;
}

const ADDRESS_CONTRACT: ContractType = {
  name: 'CreateCustomerAddressContract',
  members: {
    Addresstitle: 'str',
    Street: 'str',
    Addresstype: 'str',
    PrimaryAddress: { enum: 'NoYes', values: ['No', 'Yes'] },
    PostalCode: 'str',
    City: 'str',
    Country: 'str',
    CountryCode: 'str',
    State: 'str',
  },
};

export const CUSTOMER_CONTRACT: ContractType = {
  name: 'CreateCustomerContract',
  members: {
    LegalEntity: 'str',
    // Issue 32: the organisation members of our X++ contract (README, "What each target needs").
    PartyType: 'str',
    OrganizationName: 'str',
    TaxNumber: 'str',
    FirstName: 'str',
    MiddleName: 'str',
    LastName: 'str',
    ContactNumber: 'str',
    CurrencyCode: 'str',
    EmailAddress: 'str',
    DateOfBirth: 'str',
    Gender: { enum: 'DirPersonGender', values: GENDER_VALUES },
    CustomerGroup: 'str',
    BillingAddress: { list: ADDRESS_CONTRACT },
    ShippingAddress: { list: ADDRESS_CONTRACT },
  },
};

export interface AddressContract {
  Addresstitle: string;
  Street: string;
  Addresstype: string;
  PrimaryAddress: 'No' | 'Yes';
  PostalCode: string;
  City: string;
  Country: string;
  CountryCode: string;
  State: string;
}

export interface CustomerContract {
  LegalEntity: string;
  PartyType: string;
  OrganizationName: string;
  TaxNumber: string;
  FirstName: string;
  MiddleName: string;
  LastName: string;
  ContactNumber: string;
  CurrencyCode: string;
  EmailAddress: string;
  DateOfBirth: string;
  Gender: (typeof GENDER_VALUES)[number];
  CustomerGroup: string;
  BillingAddress: AddressContract[];
  ShippingAddress: AddressContract[];
}

export type Deserialized<T> = { ok: true; value: T } | { ok: false; message: string };

const describe = (value: unknown): string => (value === null ? '{null}' : JSON.stringify(value));

const conversionError = (value: unknown, type: string, path: string): { ok: false; message: string } => ({
  ok: false,
  message: `Error converting value ${describe(value)} to type '${type}'. Path '${path}'.`,
});

function deserializeMember(value: unknown, type: MemberType, path: string): Deserialized<unknown> {
  if (type === 'str') {
    if (value === null) return { ok: true, value: '' };
    return typeof value === 'string' ? { ok: true, value } : conversionError(value, 'System.String', path);
  }
  if ('enum' in type) {
    if (typeof value === 'string') {
      const name = type.values.find((v) => v.toLowerCase() === value.trim().toLowerCase());
      if (name !== undefined) return { ok: true, value: name };
    }
    if (typeof value === 'number' && Number.isInteger(value) && type.values[value] !== undefined) {
      return { ok: true, value: type.values[value] };
    }
    return conversionError(value, type.enum, path);
  }
  if (value === null) return { ok: true, value: [] };
  if (!Array.isArray(value)) return conversionError(value, `List<${type.list.name}>`, path);
  const items: unknown[] = [];
  for (const [index, item] of value.entries()) {
    const result = deserializeContract(item, type.list, `${path}[${index}]`);
    if (!result.ok) return result;
    items.push(result.value);
  }
  return { ok: true, value: items };
}

/** Deserializes one data contract (all members present in the result, blanks as F&O defaults them). */
export function deserializeContract(
  value: unknown,
  type: ContractType,
  path: string,
): Deserialized<Record<string, unknown>> {
  if (!isPlainObject(value)) return conversionError(value, type.name, path);
  const byLowerName = new Map(Object.keys(type.members).map((name) => [name.toLowerCase(), name]));
  const result: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    const member = byLowerName.get(key.toLowerCase());
    if (member === undefined) {
      return {
        ok: false,
        message: `Could not find member '${key}' on object of type '${type.name}'. Path '${path}.${key}'.`,
      };
    }
    const memberType = type.members[member] as MemberType;
    const converted = deserializeMember(raw, memberType, `${path}.${key}`);
    if (!converted.ok) return converted;
    result[member] = converted.value;
  }
  for (const [member, memberType] of Object.entries(type.members)) {
    if (member in result) continue;
    result[member] = memberType === 'str' ? '' : 'enum' in memberType ? memberType.values[0] : [];
  }
  return { ok: true, value: result };
}

export function deserializeCustomer(value: unknown): Deserialized<CustomerContract> {
  const result = deserializeContract(value, CUSTOMER_CONTRACT, 'Customer');
  return result.ok ? { ok: true, value: result.value as unknown as CustomerContract } : result;
}
