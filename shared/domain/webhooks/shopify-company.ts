import { addressLists, phoneNumber, ShopAddress, ShopDefaults, ShopMapping } from './shop-customer';

/**
 * Shopify B2B (issue 32): a company location, as the `company_locations/create` webhook sends it
 * (the topic's "Webhook payload" example, https://shopify.dev/docs/api/webhooks?reference=toml#list-company_locations/create;
 * resource CompanyLocation, https://shopify.dev/docs/api/admin-graphql/latest/objects/CompanyLocation):
 * `name` (the location's), `phone`, `company` (`name`, `external_id`, … of the Company), `billing_address`
 * and `shipping_address` (`address1`, `address2`, `city`, `zone_code`, `zip`, `country_code`, `phone`,
 * `recipient`, `first_name`, `last_name`), `tax_settings.tax_registration_id` (older payloads:
 * `tax_registration.tax_id`) and `admin_graphql_api_id` (`gid://shopify/CompanyLocation/{id}`). A
 * location is where a company buys (its billing address and tax registration), so it becomes one D365
 * organisation customer: `OrganizationName` the company's name, `TaxNumber` the location's tax
 * registration ID, the contact person the billing address's `first_name`/`last_name`, else its
 * `recipient` (whole, as `FirstName`: a name is never split by guess). The webhook carries no e-mail;
 * an organisation needs none (matched on its tax number, else its name and country).
 * `companies/create` itself carries no address or tax ID (only `name`, `note`, `external_id`,
 * `customer_since`, the main contact's ID): not enough to match an organisation, so it is not taken.
 */
interface CompanyAddress {
  address1?: unknown;
  address2?: unknown;
  city?: unknown;
  zone_code?: unknown;
  zip?: unknown;
  country_code?: unknown;
  phone?: unknown;
  recipient?: unknown;
  first_name?: unknown;
  last_name?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

const toShopAddress = (a: CompanyAddress): ShopAddress => ({
  street1: a.address1,
  street2: a.address2,
  city: a.city,
  state: a.zone_code,
  postalCode: a.zip,
  countryAlpha2: a.country_code,
  phone: a.phone,
});

/** The location's ID (`gid://shopify/CompanyLocation/{id}`) as the shop reference `CompanyLocation:{id}`. */
export function shopifyCompanyLocationId(payload: unknown): string | undefined {
  if (!isObject(payload) || typeof payload.admin_graphql_api_id !== 'string') return undefined;
  const match = /^gid:\/\/shopify\/CompanyLocation\/(\d{1,20})$/.exec(payload.admin_graphql_api_id);
  return match ? `CompanyLocation:${match[1]}` : undefined;
}

/** The contact person: the billing address's names, else its recipient (whole). */
function contactPerson(billing: CompanyAddress | undefined): { first?: string; last?: string } {
  const first = text(billing?.first_name);
  const last = text(billing?.last_name);
  if (first !== undefined || last !== undefined)
    return first === undefined ? { first: last } : { first, last };
  return { first: text(billing?.recipient) };
}

export function mapShopifyCompanyLocation(payload: unknown, defaults: ShopDefaults): ShopMapping {
  if (!isObject(payload)) return { ok: false, reasons: ['the payload is not a company location object'] };
  const company = isObject(payload.company) ? payload.company : {};
  const billing = isObject(payload.billing_address) ? (payload.billing_address as CompanyAddress) : undefined;
  const shipping = isObject(payload.shipping_address)
    ? (payload.shipping_address as CompanyAddress)
    : undefined;
  const addresses = [billing, shipping].filter((a) => a !== undefined).map(toShopAddress);
  const name = text(company.name);
  const contact = contactPerson(billing ?? shipping);
  const taxSettings = isObject(payload.tax_settings) ? payload.tax_settings : {};
  const registration = isObject(payload.tax_registration) ? payload.tax_registration : {};
  const taxNumber = text(taxSettings.tax_registration_id) ?? text(registration.tax_id);
  const reasons = [
    ...(name === undefined ? ['the company has no name'] : []),
    ...(contact.first === undefined
      ? ['the company location names no contact person (billing address first_name, last_name or recipient)']
      : []),
  ];
  if (reasons.length > 0) return { ok: false, reasons };
  const phone = phoneNumber(addresses, payload.phone, billing?.phone, shipping?.phone);
  return {
    ok: true,
    body: {
      Customer: {
        LegalEntity: defaults.legalEntity,
        PartyType: 'Organization',
        OrganizationName: name,
        ...(taxNumber !== undefined && { TaxNumber: taxNumber }),
        FirstName: contact.first,
        ...(contact.last !== undefined && { LastName: contact.last }),
        ...(phone !== undefined && { ContactNumber: phone }),
        CurrencyCode: defaults.currency,
        ...(defaults.customerGroup !== undefined && { CustomerGroup: defaults.customerGroup }),
        ...addressLists(addresses),
      },
    },
  };
}
