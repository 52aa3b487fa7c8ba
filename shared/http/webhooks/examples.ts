/**
 * The webhook request examples of the OpenAPI document and the Postman collection: the shops'
 * documented payloads, byte for byte as test/fixtures/webhooks holds them (test/api/openapi.test.ts
 * checks they are equal). Kept as text because Shopify's `id` (706405506930370084) exceeds 2^53:
 * parsed, it rounds, which is why the app takes the shop's customer ID from `admin_graphql_api_id`.
 */
export const SHOPIFY_CUSTOMERS_CREATE_TEXT = `{
  "id": 706405506930370084,
  "created_at": "2021-12-31T19:00:00-05:00",
  "updated_at": "2021-12-31T19:00:00-05:00",
  "first_name": "Bob",
  "last_name": "Biller",
  "state": "disabled",
  "note": "This customer loves ice cream",
  "verified_email": true,
  "multipass_identifier": null,
  "tax_exempt": false,
  "email": "bob@biller.com",
  "phone": null,
  "currency": "USD",
  "addresses": [],
  "tax_exemptions": [],
  "admin_graphql_api_id": "gid://shopify/Customer/706405506930370084",
  "default_address": {
    "id": 12321,
    "customer_id": 706405506930370084,
    "first_name": "Bob",
    "last_name": "Biller",
    "company": null,
    "address1": "151 O'Connor Street",
    "address2": null,
    "city": "Ottawa",
    "province": "ON",
    "country": "CA",
    "zip": "K2P 2L8",
    "phone": "555-555-5555",
    "name": "Bob Biller",
    "province_code": "ON",
    "country_code": "CA",
    "country_name": "CA",
    "default": true
  }
}
`;

export const BIGCOMMERCE_CUSTOMER_CREATED_TEXT = `{
  "scope": "store/customer/created",
  "store_id": "1025646",
  "data": {
    "type": "customer",
    "id": 32
  },
  "hash": "352e4afc6dd3fc85ea26bfdf3f91852604d57528",
  "created_at": 1561482670,
  "producer": "stores/abc123"
}
`;

/** B2B Edition's `store/company/created` (https://developer.bigcommerce.com/docs/integrations/webhooks/events/b2b-edition#companies). */
export const BIGCOMMERCE_COMPANY_CREATED_EXAMPLE = {
  scope: 'store/company/created',
  store_id: '123456',
  data: { company_id: 1234 },
  hash: '352e4afc6dd3fc85ea26bfdf3f91852604d57528',
  created_at: 1561482670,
  producer: 'stores/abc123',
};

export const SHOPIFY_CUSTOMERS_CREATE_EXAMPLE = JSON.parse(SHOPIFY_CUSTOMERS_CREATE_TEXT) as Record<
  string,
  unknown
>;
export const BIGCOMMERCE_CUSTOMER_CREATED_EXAMPLE = JSON.parse(BIGCOMMERCE_CUSTOMER_CREATED_TEXT) as Record<
  string,
  unknown
>;
