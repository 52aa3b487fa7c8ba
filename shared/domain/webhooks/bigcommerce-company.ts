import { addressLists, phoneNumber, ShopAddress, ShopDefaults, ShopMapping } from './shop-customer';

/**
 * BigCommerce B2B Edition (issue 32): a Company account, read by the worker after B2B Edition's
 * `store/company/created` webhook (which names only `data.company_id`:
 * https://developer.bigcommerce.com/docs/integrations/webhooks/events/b2b-edition#companies) from the
 * B2B Edition Server to Server API (https://api-b2b.bigcommerce.com/api/v3/io, bigcommerce/docs
 * `docs/b2b-edition/specs/api-v3/`):
 * - `GET /companies/{companyId}` → `data`: `companyId`, `companyName`, `companyEmail`, `companyPhone`,
 *   `companyStatus`, `extraFields[]` (`fieldName`, `fieldValue`), … — no address, no users
 *   (company/company.yaml, "Get Company Details", schema `companyData_RESPONSE`);
 * - `GET /addresses?companyId={id}` → `data[]`: `firstName`, `lastName`, `phoneNumber`, `addressLine1`,
 *   `addressLine2`, `city`, `stateCode`, `zipCode`, `countryCode` (ISO alpha-2), `isBilling`,
 *   `isShipping`, `isDefaultBilling`, `isDefaultShipping` (address/address.yaml, `addressFields_GET`);
 * - `GET /users?companyId={id}&roles=0` → `data[]`: `firstName`, `lastName`, `email`, `phoneNumber`,
 *   `role` (`0` admin, `1` senior buyer, `2` junior buyer) (user/user.yaml, "Get All B2B users").
 * The company becomes one D365 organisation customer: `OrganizationName` the company's name,
 * `TaxNumber` the extra field the source names (`taxNumberExtraField`: B2B Edition has no tax number
 * field of its own), the company's admin user as the contact person (names and e-mail), the company's
 * phone (else the admin's, else an address's), its addresses (the default billing one first). Like a
 * Shopify company location it is matched on its tax number, else its name and country; never on the
 * admin's e-mail.
 */
export interface BigCommerceCompanyParts {
  company: unknown;
  addresses: readonly unknown[];
  users: readonly unknown[];
}

export interface BigCommerceCompanyDefaults extends ShopDefaults {
  taxNumberExtraField?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

const toShopAddress = (a: Record<string, unknown>): ShopAddress => ({
  street1: a.addressLine1,
  street2: a.addressLine2,
  city: a.city,
  state: a.stateCode,
  postalCode: a.zipCode,
  countryAlpha2: a.countryCode,
  phone: a.phoneNumber,
});

/** Default billing first, then other billing, then the rest (a stable order: the first is primary). */
const rank = (a: Record<string, unknown>): number =>
  a.isDefaultBilling === true ? 0 : a.isBilling === true ? 1 : a.isDefaultShipping === true ? 2 : 3;

/** The value of the extra field named `name` (B2B Edition extra fields are merchant-defined). */
function extraField(company: Record<string, unknown>, name: string | undefined): string | undefined {
  if (name === undefined || !Array.isArray(company.extraFields)) return undefined;
  const field = company.extraFields.filter(isObject).find((f) => f.fieldName === name);
  return field === undefined ? undefined : text(field.fieldValue);
}

/** The company's admin (role 0): the first one B2B Edition lists. */
function adminUser(users: readonly unknown[]): Record<string, unknown> | undefined {
  return users.filter(isObject).find((u) => u.role === 0);
}

export function mapBigCommerceCompany(
  parts: BigCommerceCompanyParts,
  defaults: BigCommerceCompanyDefaults,
): ShopMapping {
  if (!isObject(parts.company)) return { ok: false, reasons: ['the store returned no company object'] };
  const company = parts.company;
  const addresses = parts.addresses
    .filter(isObject)
    .map((a, index) => ({ a, index }))
    .sort((x, y) => rank(x.a) - rank(y.a) || x.index - y.index)
    .map(({ a }) => toShopAddress(a));
  const admin = adminUser(parts.users);
  const name = text(company.companyName);
  const first = text(admin?.firstName);
  const last = text(admin?.lastName);
  const reasons = [
    ...(name === undefined ? ['the company has no companyName'] : []),
    ...(first === undefined && last === undefined
      ? ['the company has no admin user with a name (the contact person)']
      : []),
  ];
  if (reasons.length > 0) return { ok: false, reasons };
  const taxNumber = extraField(company, defaults.taxNumberExtraField);
  const email = text(admin?.email);
  const phone = phoneNumber(
    addresses,
    company.companyPhone,
    admin?.phoneNumber,
    ...addresses.map((a) => a.phone),
  );
  return {
    ok: true,
    body: {
      Customer: {
        LegalEntity: defaults.legalEntity,
        PartyType: 'Organization',
        OrganizationName: name,
        ...(taxNumber !== undefined && { TaxNumber: taxNumber }),
        // Only a last name: it becomes the first name D365 requires (as for a shop customer).
        FirstName: first ?? last,
        ...(first !== undefined && last !== undefined && { LastName: last }),
        ...(email !== undefined && { EmailAddress: email }),
        ...(phone !== undefined && { ContactNumber: phone }),
        CurrencyCode: defaults.currency,
        ...(defaults.customerGroup !== undefined && { CustomerGroup: defaults.customerGroup }),
        ...addressLists(addresses),
      },
    },
  };
}
