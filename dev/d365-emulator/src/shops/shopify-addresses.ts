import { customerIdOf, requireScope, ResolverContext } from './shopify-metafields';
import { ShopifyCustomer } from './shopify-store';

/**
 * `customerAddressUpdate` and `customerAddressCreate` of the GraphQL Admin API (2025-04 on):
 * - update: `customerId`, `addressId` and `address: MailingAddressInput!` required; replaces the given
 *   fields of that address of that customer; `setAsDefault: true` makes it the default, without it
 *   the default does not change
 *   (https://shopify.dev/docs/api/admin-graphql/latest/mutations/customerAddressUpdate);
 * - create: adds an address to an existing customer, the default with `setAsDefault: true`
 *   (https://shopify.dev/docs/api/admin-graphql/latest/mutations/customerAddressCreate);
 * - `MailingAddressInput.countryCode` is the `CountryCode` enum (ISO 3166-1 alpha-2), `provinceCode`
 *   a code (https://shopify.dev/docs/api/admin-graphql/latest/input-objects/MailingAddressInput): the
 *   emulator checks two upper-case letters; an unknown customer or address is a user error
 *   (best-effort message); a change fires `customers/update` as any customer change does.
 * Addresses are kept REST-shaped (the webhook's `addresses`, the first the `default_address`).
 */
export interface MailingAddressInput {
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  provinceCode?: string | null;
  zip?: string | null;
  countryCode?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
}

type UserError = { field: string[]; message: string };
const REST_NAMES: Record<keyof MailingAddressInput, string> = {
  address1: 'address1',
  address2: 'address2',
  city: 'city',
  provinceCode: 'province_code',
  zip: 'zip',
  countryCode: 'country_code',
  firstName: 'first_name',
  lastName: 'last_name',
  phone: 'phone',
};

/** An address's REST ID: its own once pinned, else its position's (the seed's addresses have none). */
export const addressIdOf = (c: ShopifyCustomer, index: number): number =>
  typeof c.addresses[index]?.id === 'number'
    ? (c.addresses[index].id as number)
    : Number(c.id.slice(-6)) * 10 + index;

/** Gives every address its ID for good, so moving one to the front changes none. */
function pinIds(c: ShopifyCustomer): void {
  c.addresses.forEach((address, index) => (address.id = addressIdOf(c, index)));
}

function inputErrors(input: MailingAddressInput): UserError[] {
  if (input.countryCode != null && !/^[A-Z]{2}$/.test(input.countryCode))
    return [{ field: ['address', 'countryCode'], message: 'Country is invalid' }];
  return [];
}

function apply(
  ctx: ResolverContext,
  c: ShopifyCustomer,
  index: number,
  input: MailingAddressInput,
  asDefault: boolean,
) {
  pinIds(c);
  const address = c.addresses[index]!;
  const before = JSON.stringify(c.addresses);
  for (const [name, rest] of Object.entries(REST_NAMES) as [keyof MailingAddressInput, string][])
    if (input[name] !== undefined) address[rest] = input[name];
  if (asDefault && index > 0) c.addresses = [address, ...c.addresses.filter((a) => a !== address)];
  if (JSON.stringify(c.addresses) !== before) {
    c.updatedAt = new Date().toISOString();
    ctx.changed.add(c);
  }
  return { id: `gid://shopify/MailingAddress/${String(address.id)}` };
}

export function customerAddressUpdate(
  args: {
    customerId: string;
    addressId: string;
    address: MailingAddressInput;
    setAsDefault?: boolean | null;
  },
  ctx: ResolverContext,
) {
  requireScope(ctx, 'write_customers', 'customerAddressUpdate');
  const c = ctx.shop.customers.get(customerIdOf(args.customerId) ?? '');
  if (!c)
    return { address: null, userErrors: [{ field: ['customerId'], message: 'Customer does not exist' }] };
  const wanted = /^gid:\/\/shopify\/MailingAddress\/(\d+)/.exec(args.addressId)?.[1];
  const index = c.addresses.findIndex((_, i) => String(addressIdOf(c, i)) === wanted);
  if (index < 0)
    return { address: null, userErrors: [{ field: ['addressId'], message: 'Address does not exist' }] };
  const errors = inputErrors(args.address);
  if (errors.length > 0) return { address: null, userErrors: errors };
  return { address: apply(ctx, c, index, args.address, args.setAsDefault === true), userErrors: [] };
}

export function customerAddressCreate(
  args: { customerId: string; address: MailingAddressInput; setAsDefault?: boolean | null },
  ctx: ResolverContext,
) {
  requireScope(ctx, 'write_customers', 'customerAddressCreate');
  const c = ctx.shop.customers.get(customerIdOf(args.customerId) ?? '');
  if (!c)
    return { address: null, userErrors: [{ field: ['customerId'], message: 'Customer does not exist' }] };
  const errors = inputErrors(args.address);
  if (errors.length > 0) return { address: null, userErrors: errors };
  pinIds(c);
  const ids = c.addresses.map((_, i) => addressIdOf(c, i));
  c.addresses.push({ id: Math.max(Number(c.id.slice(-6)) * 10, ...ids) + 1 });
  const asDefault = args.setAsDefault === true || c.addresses.length === 1;
  return { address: apply(ctx, c, c.addresses.length - 1, args.address, asDefault), userErrors: [] };
}
