import { contractBody, phoneNumber, ShopAddress, ShopDefaults, ShopMapping } from './shop-customer';
import { stateIdFor } from '../state-codes';

/**
 * BigCommerce: the `store/customer/created` webhook names the customer only
 * (`{scope, store_id, data: {type, id}, hash, created_at, producer}`:
 * https://developer.bigcommerce.com/docs/integrations/webhooks/events#customers); the worker reads it
 * from the V3 Customers API (`GET /stores/{hash}/v3/customers?id:in={id}&include=addresses`:
 * https://developer.bigcommerce.com/docs/rest-management/customers#get-all-customers) and maps it here.
 */
export interface BigCommerceEvent {
  scope: string;
  storeHash: string;
  /** `data.id` of a customer event. */
  customerId?: number;
  /**
   * `data.company_id` of a B2B Edition company event (`store/company/created`: `{scope, store_id,
   * data: {company_id}, hash, created_at, producer}`,
   * https://developer.bigcommerce.com/docs/integrations/webhooks/events/b2b-edition#companies).
   */
  companyId?: number;
  hash: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

/** The webhook's envelope, or undefined when it is not one. */
export function parseBigCommerceEvent(payload: unknown): BigCommerceEvent | undefined {
  if (!isObject(payload) || !isObject(payload.data)) return undefined;
  const { scope, hash, producer } = payload;
  const store = typeof producer === 'string' ? /^stores\/([a-z0-9]{1,32})$/.exec(producer)?.[1] : undefined;
  if (typeof scope !== 'string' || typeof hash !== 'string' || !/^[0-9a-f]{40}$/i.test(hash))
    return undefined;
  if (store === undefined) return undefined;
  const base = { scope, storeHash: store, hash: hash.toLowerCase() };
  // B2B Edition's company events name the company; every other scope the API takes names `data.id`.
  if (scope.startsWith('store/company/')) {
    return isId(payload.data.company_id) ? { ...base, companyId: payload.data.company_id } : undefined;
  }
  return isId(payload.data.id) ? { ...base, customerId: payload.data.id } : undefined;
}

interface BigCommerceAddress {
  address1?: unknown;
  address2?: unknown;
  city?: unknown;
  state_or_province?: unknown;
  postal_code?: unknown;
  country_code?: unknown;
  phone?: unknown;
}

export function mapBigCommerceCustomer(customer: unknown, defaults: ShopDefaults): ShopMapping {
  if (!isObject(customer)) return { ok: false, reasons: ['the store returned no customer object'] };
  const addresses = (Array.isArray(customer.addresses) ? customer.addresses : [])
    .filter(isObject)
    .map((a): ShopAddress => ({
      street1: (a as BigCommerceAddress).address1,
      street2: (a as BigCommerceAddress).address2,
      city: (a as BigCommerceAddress).city,
      // BigCommerce gives the state's name (e.g. "Texas"); D365's State field is the state's ID
      // (`TX`): a US or Canadian name becomes its ID; one that is not left out, not failing the customer.
      state:
        typeof a.state_or_province === 'string'
          ? stateIdFor(typeof a.country_code === 'string' ? a.country_code : '', a.state_or_province)
          : undefined,
      postalCode: (a as BigCommerceAddress).postal_code,
      countryAlpha2: (a as BigCommerceAddress).country_code,
      phone: (a as BigCommerceAddress).phone,
    }));
  return contractBody(
    {
      firstName: customer.first_name,
      lastName: customer.last_name,
      email: customer.email,
      phone: phoneNumber(addresses, customer.phone, ...addresses.map((a) => a.phone)),
    },
    addresses,
    defaults,
  );
}
