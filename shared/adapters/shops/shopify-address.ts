import type { ShopPrimaryAddress } from '../../domain/fo-events/primary-address';
import type { ShopCallOptions, ShopCustomerChanges, ShopWriteResult } from '../../ports';
import { SHOPIFY_QUERIES } from './shopify-queries';

/**
 * A D365 primary address written as the Shopify customer's default address (issue 29), in the
 * pinned GraphQL Admin API (SHOPIFY_API_VERSION, 2026-10):
 * - `customerAddressUpdate(customerId, addressId, address: MailingAddressInput!, setAsDefault)`
 *   replaces the fields of one address and, with `setAsDefault`, makes it the default
 *   (https://shopify.dev/docs/api/admin-graphql/latest/mutations/customerAddressUpdate, 2025-04 on);
 * - a customer without a default address gets one with `customerAddressCreate(customerId, address,
 *   setAsDefault)` (https://shopify.dev/docs/api/admin-graphql/latest/mutations/customerAddressCreate).
 * `MailingAddressInput` takes `countryCode` (alpha-2) and `provinceCode`
 * (https://shopify.dev/docs/api/admin-graphql/latest/input-objects/MailingAddressInput).
 * Costs: the read 2 points (the customer 1, its `defaultAddress` 1); a mutation 10.
 */
export const SHOPIFY_ADDRESS_QUERIES = {
  defaultAddress: `query DefaultAddress($id: ID!) {
    customer(id: $id) { id defaultAddress { id } }
  }`,
  update: `mutation AddressUpdate($customerId: ID!, $addressId: ID!, $address: MailingAddressInput!) {
    customerAddressUpdate(customerId: $customerId, addressId: $addressId, address: $address, setAsDefault: true) {
      address { id }
      userErrors { field message }
    }
  }`,
  create: `mutation AddressCreate($customerId: ID!, $address: MailingAddressInput!) {
    customerAddressCreate(customerId: $customerId, address: $address, setAsDefault: true) {
      address { id }
      userErrors { field message }
    }
  }`,
} as const;

type Request = (
  query: string,
  variables: Record<string, unknown>,
  cost: number,
  call?: ShopCallOptions,
) => Promise<unknown>;

type Payload = { userErrors: { field: string[] | null; message: string }[] };

/**
 * A D365 change written to the Shopify customer: names, e-mail and phone with `customerUpdate`
 * (10 points), then the primary address as the default address. `exists` reads the customer when
 * Shopify refused the update (a user error for a customer that is gone means `not_found`).
 */
export async function updateShopifyCustomer(
  request: Request,
  customerGid: string,
  { address, ...scalars }: ShopCustomerChanges,
  exists: () => Promise<unknown>,
  call?: ShopCallOptions,
): Promise<ShopWriteResult> {
  if (Object.keys(scalars).length > 0) {
    const data = (await request(
      SHOPIFY_QUERIES.customerUpdate,
      { input: { id: customerGid, ...scalars } },
      10,
      call,
    )) as { customerUpdate: Payload };
    const errors = data.customerUpdate.userErrors;
    if (errors.length > 0) {
      if (!(await exists())) return { kind: 'not_found' };
      return { kind: 'rejected', reason: errors.map((e) => (e.field ?? []).join('.')).join(', ') };
    }
  }
  if (address) return writeDefaultAddress(request, customerGid, address, call);
  return { kind: 'written', changed: true };
}

export async function writeDefaultAddress(
  request: Request,
  customerGid: string,
  address: ShopPrimaryAddress,
  call?: ShopCallOptions,
): Promise<ShopWriteResult> {
  const read = (await request(SHOPIFY_ADDRESS_QUERIES.defaultAddress, { id: customerGid }, 2, call)) as {
    customer: { defaultAddress: { id: string } | null } | null;
  };
  if (!read.customer) return { kind: 'not_found' };
  const input = {
    address1: address.street1,
    address2: address.street2,
    city: address.city,
    provinceCode: address.state,
    zip: address.postalCode,
    countryCode: address.countryAlpha2,
  };
  const addressId = read.customer.defaultAddress?.id;
  const data = (
    addressId
      ? await request(
          SHOPIFY_ADDRESS_QUERIES.update,
          { customerId: customerGid, addressId, address: input },
          10,
          call,
        )
      : await request(SHOPIFY_ADDRESS_QUERIES.create, { customerId: customerGid, address: input }, 10, call)
  ) as { customerAddressUpdate?: Payload; customerAddressCreate?: Payload };
  const errors = (data.customerAddressUpdate ?? data.customerAddressCreate)?.userErrors ?? [];
  if (errors.length === 0) return { kind: 'written', changed: true };
  return { kind: 'rejected', reason: errors.map((e) => (e.field ?? []).join('.')).join(', ') };
}
