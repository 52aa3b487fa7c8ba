import { contractBody, phoneNumber, ShopAddress, ShopDefaults, ShopMapping } from './shop-customer';

/**
 * Shopify's customer payload (REST representation, as the `customers/create` and
 * `customers/update` webhooks send it:
 * https://shopify.dev/docs/api/admin-rest/latest/resources/customer and the payload example under
 * https://shopify.dev/docs/api/webhooks?reference=toml#list-customers/create) to our contract.
 * `email` is null for phone-only customers; `phone` is E.164 when set, else the default address's
 * phone is tried; `currency` is the shop's, not the customer's, so it comes from the configuration.
 */
interface ShopifyAddress {
  address1?: unknown;
  address2?: unknown;
  city?: unknown;
  province_code?: unknown;
  zip?: unknown;
  country_code?: unknown;
  phone?: unknown;
  default?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const toShopAddress = (a: ShopifyAddress): ShopAddress => ({
  street1: a.address1,
  street2: a.address2,
  city: a.city,
  state: a.province_code,
  postalCode: a.zip,
  countryAlpha2: a.country_code,
  phone: a.phone,
});

/**
 * The shop's customer ID as text. Shopify's numeric IDs exceed 2^53 (the docs' sample is
 * 706405506930370084), so JSON.parse rounds `id`; `admin_graphql_api_id` keeps it exact.
 */
export function shopifyCustomerId(payload: unknown): string | undefined {
  if (!isObject(payload)) return undefined;
  const gid = payload.admin_graphql_api_id;
  if (typeof gid === 'string') {
    const match = /^gid:\/\/shopify\/Customer\/(\d{1,20})$/.exec(gid);
    if (match) return match[1];
  }
  const id = payload.id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? String(id) : undefined;
}

/**
 * Whether Shopify says the customer's e-mail is verified (`verified_email`, in the signed body; a
 * sign-up's e-mail is not necessarily verified): the identity the ownership policy trusts.
 */
export function shopifyVerifiedEmail(payload: unknown): boolean {
  return isObject(payload) && payload.verified_email === true;
}

export function mapShopifyCustomer(payload: unknown, defaults: ShopDefaults): ShopMapping {
  if (!isObject(payload)) return { ok: false, reasons: ['the payload is not a customer object'] };
  const defaultAddress = isObject(payload.default_address)
    ? (payload.default_address as ShopifyAddress)
    : undefined;
  const others = (Array.isArray(payload.addresses) ? payload.addresses : [])
    .filter(isObject)
    .map((a) => a as ShopifyAddress)
    .filter((a) => a.default !== true);
  const addresses = [...(defaultAddress ? [defaultAddress] : []), ...others].map(toShopAddress);
  return contractBody(
    {
      firstName: payload.first_name,
      lastName: payload.last_name,
      email: payload.email,
      phone: phoneNumber(addresses, payload.phone, defaultAddress?.phone),
    },
    addresses,
    defaults,
  );
}
