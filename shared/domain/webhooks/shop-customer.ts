import { MAX_ADDRESSES_PER_LIST } from '../customer-contract/limits';
import { toE164 } from '../phone-number';
import { ALPHA2_TO_ALPHA3 } from '../reference-data';

/**
 * What every shop mapping shares: the shop's configuration that its payloads do not carry, the
 * address and phone rules, and the result shape. The output is a body in our own contract,
 * `{"Customer": {...}}`, which the intake then validates like any other request.
 */
export interface ShopDefaults {
  legalEntity: string;
  currency: string;
  customerGroup?: string;
}

/** A shop's address, in the fields both Shopify and BigCommerce have (under their own names). */
export interface ShopAddress {
  street1?: unknown;
  street2?: unknown;
  city?: unknown;
  state?: unknown;
  postalCode?: unknown;
  countryAlpha2?: unknown;
  phone?: unknown;
}

export type ShopMapping =
  | { ok: true; body: { Customer: Record<string, unknown> } }
  /** Why the customer cannot become a D365 customer: field names and rules only, never values. */
  | { ok: false; reasons: string[] };

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/**
 * An E.164 number, or undefined when no candidate is one (a phone is optional). A number without an
 * international prefix is read in the country of the first address that has a known one (issue 32).
 */
export function phoneNumber(addresses: readonly ShopAddress[], ...candidates: unknown[]): string | undefined {
  const alpha2 = addresses
    .map((a) => text(a.countryAlpha2)?.toUpperCase())
    .find((c) => c && ALPHA2_TO_ALPHA3.has(c));
  const country = alpha2 === undefined ? undefined : ALPHA2_TO_ALPHA3.get(alpha2);
  for (const candidate of candidates) {
    const value = text(candidate);
    if (value === undefined) continue;
    const checked = toE164(value, country);
    if ('value' in checked) return checked.value;
  }
  return undefined;
}

/** One contract address of `type`; undefined when it lacks a street or a known country. */
function contractAddress(
  address: ShopAddress,
  type: 'Billing' | 'Shipping',
  primary: boolean,
): Record<string, unknown> | undefined {
  const street = [text(address.street1), text(address.street2)].filter(Boolean).join(', ');
  const alpha2 = text(address.countryAlpha2)?.toUpperCase();
  const country = alpha2 === undefined ? undefined : ALPHA2_TO_ALPHA3.get(alpha2);
  if (street === '' || country === undefined) return undefined;
  return {
    Street: street,
    Addresstype: type,
    PrimaryAddress: primary ? 'Yes' : 'No',
    ...(text(address.postalCode) && { PostalCode: text(address.postalCode) }),
    ...(text(address.city) && { City: text(address.city) }),
    CountryCode: country,
    ...(text(address.state) && { State: text(address.state) }),
  };
}

/** The addresses as both billing and shipping lists (the default one first and primary). */
export function addressLists(addresses: ShopAddress[]): Record<string, unknown> {
  const usable = addresses.slice(0, MAX_ADDRESSES_PER_LIST);
  const list = (type: 'Billing' | 'Shipping') =>
    usable
      .map((address, index) => contractAddress(address, type, index === 0))
      .filter((a): a is Record<string, unknown> => a !== undefined);
  const billing = list('Billing');
  if (billing.length === 0) return {};
  // The first usable address is the primary one even when the first given was not usable.
  const primaryFirst = (items: Record<string, unknown>[]) =>
    items.map((item, index) => ({ ...item, PrimaryAddress: index === 0 ? 'Yes' : 'No' }));
  return { BillingAddress: primaryFirst(billing), ShippingAddress: primaryFirst(list('Shipping')) };
}

/** The contract body from a shop customer's parts, or why there is none. */
export function contractBody(
  parts: { firstName?: unknown; lastName?: unknown; email?: unknown; phone?: string },
  addresses: ShopAddress[],
  defaults: ShopDefaults,
): ShopMapping {
  const firstName = text(parts.firstName);
  const lastName = text(parts.lastName);
  const email = text(parts.email);
  const reasons = [
    ...(firstName === undefined && lastName === undefined ? ['the customer has no name'] : []),
    // The contract needs an e-mail address or a phone: how D365 duplicates are found (issue 32).
    ...(email === undefined && parts.phone === undefined
      ? ['the customer has neither an e-mail address nor a valid phone number']
      : []),
  ];
  if (reasons.length > 0) return { ok: false, reasons };
  return {
    ok: true,
    body: {
      Customer: {
        LegalEntity: defaults.legalEntity,
        // A customer with only a last name (allowed by both shops) keeps it as the first name D365 requires.
        FirstName: firstName ?? lastName,
        ...(firstName !== undefined && lastName !== undefined && { LastName: lastName }),
        ...(parts.phone !== undefined && { ContactNumber: parts.phone }),
        CurrencyCode: defaults.currency,
        ...(email !== undefined && { EmailAddress: email }),
        ...(defaults.customerGroup !== undefined && { CustomerGroup: defaults.customerGroup }),
        ...addressLists(addresses),
      },
    },
  };
}
