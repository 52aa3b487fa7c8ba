/**
 * The GraphQL documents the Shopify client sends (GraphQL Admin API; every field exists in the
 * pinned version: https://shopify.dev/docs/api/admin-graphql). Costs, as Shopify calculates them
 * (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits), are given beside each use.
 */
const CUSTOMER_FIELDS = `
  id
  firstName
  lastName
  updatedAt
  verifiedEmail
  defaultEmailAddress { emailAddress }
  defaultPhoneNumber { phoneNumber }
  metafield(namespace: $namespace, key: $key) { value compareDigest }
`;

/**
 * A listed customer (backfill, drift repair) also carries its addresses, the default first as its
 * webhook's `default_address` is: `defaultAddress` (1 point) and `addressesV2(first: 5)` (2 + 5).
 */
export const LISTED_ADDRESSES = 5;
const LISTED_CUSTOMER_FIELDS = `${CUSTOMER_FIELDS}
  defaultAddress { id }
  addressesV2(first: ${LISTED_ADDRESSES}) {
    nodes { id address1 address2 city provinceCode zip countryCodeV2 phone }
  }
`;
/** What one listed customer costs: 4 (as `customer`) + 1 + 2 + LISTED_ADDRESSES. */
export const LISTED_CUSTOMER_COST = 4 + 1 + 2 + LISTED_ADDRESSES;

export const SHOPIFY_QUERIES = {
  /** 0 points (a scalar): reads the bucket's state when nothing is known of the shop yet, spending nothing. */
  probe: `query Probe { __typename }`,
  /** 4 points: the customer, its e-mail, phone and account metafield objects. */
  customer: `query Customer($id: ID!, $namespace: String!, $key: String!) {
    customer(id: $id) { ${CUSTOMER_FIELDS} }
  }`,
  /** 2 + first × LISTED_CUSTOMER_COST points. */
  customers: `query Customers($first: Int!, $after: String, $query: String, $namespace: String!, $key: String!) {
    customers(first: $first, after: $after, query: $query, sortKey: ID) {
      nodes { ${LISTED_CUSTOMER_FIELDS} }
      pageInfo { hasNextPage endCursor }
    }
  }`,
  /** 2 + first × LISTED_CUSTOMER_COST + 1 points: the first page, with how many customers the query matches (no limit). */
  customersAndCount: `query CustomersAndCount($first: Int!, $query: String, $namespace: String!, $key: String!) {
    customers(first: $first, query: $query, sortKey: ID) {
      nodes { ${LISTED_CUSTOMER_FIELDS} }
      pageInfo { hasNextPage endCursor }
    }
    customersCount(query: $query, limit: null) { count precision }
  }`,
  /** 3 points. */
  definition: `query Definition($namespace: String!, $key: String!) {
    metafieldDefinitions(ownerType: CUSTOMER, namespace: $namespace, key: $key, first: 1) { nodes { id } }
  }`,
  /** 10 points. */
  createDefinition: `mutation CreateDefinition($definition: MetafieldDefinitionInput!) {
    metafieldDefinitionCreate(definition: $definition) { createdDefinition { id } userErrors { code field message } }
  }`,
  /** 10 + 1 (one customer owner) points. */
  setAccount: `mutation SetAccount($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) { metafields { id } userErrors { code field message } }
  }`,
  /** 11 + 10 points: the account and the configured tag in one request. */
  setAccountAndTag: `mutation SetAccountAndTag($metafields: [MetafieldsSetInput!]!, $id: ID!, $tags: [String!]!) {
    metafieldsSet(metafields: $metafields) { metafields { id } userErrors { code field message } }
    tagsAdd(id: $id, tags: $tags) { userErrors { field message } }
  }`,
  /** 10 points (a mutation). */
  deleteAccount: `mutation DeleteAccount($metafields: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $metafields) { deletedMetafields { key } userErrors { field message } }
  }`,
  /** 10 points. */
  customerUpdate: `mutation CustomerUpdate($input: CustomerInput!) {
    customerUpdate(input: $input) { customer { id } userErrors { field message } }
  }`,
} as const;
