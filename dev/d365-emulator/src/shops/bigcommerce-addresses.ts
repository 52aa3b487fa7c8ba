import { RequestContext, sendJson } from '../http';
import { problem, readArray } from './bigcommerce-api';
import { BigCommerceStore, fireCustomerEvent } from './bigcommerce-store';

/**
 * `PUT|POST /v3/customers/addresses` of the BigCommerce V3 Customers API
 * (https://developer.bigcommerce.com/docs/rest-management/customers/addresses):
 * - PUT updates up to 10 addresses, each named by its `id` with its `customer_id` (both required; an
 *   address that is not the customer's: 422), the other fields as given;
 * - POST creates up to 10; `customer_id`, `first_name`, `last_name`, `address1`, `city` and
 *   `country_code` are required (422 otherwise);
 * - `country_code` is ISO 3166-1 alpha-2 (two upper-case letters; 422 otherwise);
 * - `state_or_province` is "the state or province name spelled out in full ... State or province
 *   codes not accepted": a two-letter one of a US or Canadian address is a 422 here.
 * A customer's addresses are its `addresses` (what `GET /v3/customers?include=addresses` shows), each
 * with its own `id` and `customer_id`. Whether an address write fires `store/customer/updated` is not
 * documented (best-effort): it does when `writesFireUpdate`, as a customer update does.
 */
type Address = Record<string, unknown>;

/** The customer's addresses, each given an ID and its customer's ID (seeds may leave them out). */
export function addressesOf(store: BigCommerceStore, customer: Record<string, unknown>): Address[] {
  const list = Array.isArray(customer.addresses) ? (customer.addresses as Address[]) : [];
  for (const address of list) {
    if (typeof address.id !== 'number') address.id = store.nextId++;
    address.customer_id = Number(customer.id);
  }
  customer.addresses = list;
  return list;
}

const CREATE_REQUIRED = ['first_name', 'last_name', 'address1', 'city', 'country_code'] as const;

function itemErrors(
  store: BigCommerceStore,
  item: Address,
  i: number,
  create: boolean,
): Record<string, string> {
  const errors: Record<string, string> = {};
  const customer = store.customers.find((c) => Number(c.id) === Number(item.customer_id));
  if (item.customer_id === undefined) errors[`${i}.customer_id`] = 'customer_id is required';
  else if (!customer) errors[`${i}.customer_id`] = 'customer does not exist';
  if (!create && typeof item.id !== 'number') errors[`${i}.id`] = 'id is required';
  else if (!create && customer && !addressesOf(store, customer).some((a) => a.id === item.id))
    errors[`${i}.id`] = 'address does not exist for this customer';
  if (create)
    for (const field of CREATE_REQUIRED)
      if (typeof item[field] !== 'string' || item[field] === '')
        errors[`${i}.${field}`] = `${field} is required`;
  if (item.country_code !== undefined && !/^[A-Z]{2}$/.test(String(item.country_code)))
    errors[`${i}.country_code`] = 'country_code must be an ISO 3166-1 alpha-2 code';
  // "The state or province name spelled out in full ... State or province codes not accepted."
  if (
    ['US', 'CA'].includes(String(item.country_code)) &&
    /^[A-Za-z]{2}$/.test(String(item.state_or_province ?? ''))
  )
    errors[`${i}.state_or_province`] = 'state_or_province must be the name spelled out in full';
  return errors;
}

export function writeAddresses(
  store: BigCommerceStore,
  ctx: RequestContext,
  headers: Record<string, string>,
  create: boolean,
): void {
  const items = readArray(ctx, headers);
  if (!items) return;
  const errors = Object.assign({}, ...items.map((item, i) => itemErrors(store, item, i, create))) as Record<
    string,
    string
  >;
  if (Object.keys(errors).length > 0)
    return problem(ctx, 422, 'The customer addresses were not valid.', headers, errors);
  const now = new Date().toISOString();
  const changed = new Set<number>();
  const data = items.map((item) => {
    const customer = store.customers.find((c) => Number(c.id) === Number(item.customer_id))!;
    const list = addressesOf(store, customer);
    let address = create ? undefined : list.find((a) => a.id === item.id);
    if (!address) {
      address = { id: store.nextId++, customer_id: Number(customer.id) };
      list.push(address);
    }
    const before = JSON.stringify(address);
    Object.assign(address, item, { id: address.id, customer_id: Number(customer.id) });
    if (JSON.stringify(address) !== before || create) {
      customer.date_modified = now;
      changed.add(Number(customer.id));
    }
    return address;
  });
  if (store.writesFireUpdate)
    for (const id of changed) fireCustomerEvent(store, 'store/customer/updated', id, 'api');
  sendJson(ctx.res, 200, { data, meta: {} }, headers);
}
