import { buildSchema, GraphQLSchema } from 'graphql';
import { SHOPIFY_BULK_SDL } from './shopify-bulk-schema';

/**
 * The subset of Shopify's GraphQL Admin API the app calls (and issues 29/30 will call), with the
 * names, types and nullability of the real schema (https://shopify.dev/docs/api/admin-graphql):
 * - `customer(id:)`, `customers(first/after/last/before, query, sortKey, reverse)`:
 *   https://shopify.dev/docs/api/admin-graphql/latest/queries/customer, …/queries/customers;
 * - a customer's `defaultAddress` and `addressesV2` (a `MailingAddressConnection`):
 *   https://shopify.dev/docs/api/admin-graphql/latest/objects/Customer#field-Customer.fields.addressesV2,
 *   …/objects/MailingAddress;
 * - `metafieldsSet`: https://shopify.dev/docs/api/admin-graphql/latest/mutations/metafieldsSet
 *   (at most 25 inputs, atomic, `compareDigest` compare-and-set as of 2024-07);
 * - `customersCount(query:, limit:)`: https://shopify.dev/docs/api/admin-graphql/latest/queries/customersCount
 *   (at most `limit`, default 10,000, then `AT_LEAST`; `null`: no limit; `Count.precision`);
 * - `metafieldsDelete`: https://shopify.dev/docs/api/admin-graphql/latest/mutations/metafieldsDelete
 *   (by owner ID, namespace and key; a metafield that does not exist is `null` in `deletedMetafields`,
 *   the mutation still succeeds: .../payloads/MetafieldsDeletePayload);
 * - `metafieldDefinitionCreate` / `metafieldDefinitions`:
 *   https://shopify.dev/docs/api/admin-graphql/latest/mutations/metafieldDefinitionCreate
 *   (capability `uniqueValues`: https://shopify.dev/docs/apps/build/custom-data/metafields/definitions/capabilities);
 * - `customerUpdate`: https://shopify.dev/docs/api/admin-graphql/latest/mutations/customerUpdate;
 * - `customerAddressUpdate` / `customerAddressCreate` (`setAsDefault`), `MailingAddressInput`
 *   (countryCode: the CountryCode enum, a String here): shopify-addresses.ts;
 * - `tagsAdd` (customers only; its `node` is left out): https://shopify.dev/docs/api/admin-graphql/latest/mutations/tagsAdd.
 * Fields not listed here are unknown to the emulator and fail validation, as an unknown field does on
 * Shopify: a query the app sends must exist in the real schema too.
 */
export const SHOPIFY_ADMIN_SDL = /* GraphQL */ `
  scalar DateTime
  scalar UnsignedInt64

  type Query {
    customer(id: ID!): Customer
    customers(
      first: Int
      after: String
      last: Int
      before: String
      query: String
      sortKey: CustomerSortKeys
      reverse: Boolean
    ): CustomerConnection!
    customersCount(query: String, limit: Int = 10000): Count
    metafieldDefinitions(
      ownerType: MetafieldOwnerType!
      first: Int
      after: String
      last: Int
      before: String
      namespace: String
      key: String
    ): MetafieldDefinitionConnection!
    shop: Shop!
  }

  type Mutation {
    metafieldsSet(metafields: [MetafieldsSetInput!]!): MetafieldsSetPayload
    metafieldsDelete(metafields: [MetafieldIdentifierInput!]!): MetafieldsDeletePayload
    metafieldDefinitionCreate(definition: MetafieldDefinitionInput!): MetafieldDefinitionCreatePayload
    customerUpdate(input: CustomerInput!): CustomerUpdatePayload
    tagsAdd(id: ID!, tags: [String!]!): TagsAddPayload
    customerAddressUpdate(
      customerId: ID!
      addressId: ID!
      address: MailingAddressInput!
      setAsDefault: Boolean
    ): CustomerAddressUpdatePayload
    customerAddressCreate(
      customerId: ID!
      address: MailingAddressInput!
      setAsDefault: Boolean
    ): CustomerAddressCreatePayload
  }

  input MailingAddressInput {
    address1: String
    address2: String
    city: String
    company: String
    countryCode: String
    firstName: String
    lastName: String
    phone: String
    provinceCode: String
    zip: String
  }

  type CustomerAddressUpdatePayload {
    address: MailingAddress
    userErrors: [UserError!]!
  }

  type CustomerAddressCreatePayload {
    address: MailingAddress
    userErrors: [UserError!]!
  }

  type TagsAddPayload {
    userErrors: [UserError!]!
  }

  type Shop {
    id: ID!
    name: String!
    myshopifyDomain: String!
  }

  enum CountPrecision {
    AT_LEAST
    EXACT
  }

  type Count {
    count: Int!
    precision: CountPrecision!
  }

  enum CustomerSortKeys {
    CREATED_AT
    ID
    NAME
    RELEVANCE
    UPDATED_AT
  }

  enum CustomerState {
    DECLINED
    DISABLED
    ENABLED
    INVITED
  }

  type CustomerEmailAddress {
    emailAddress: String
  }

  type CustomerPhoneNumber {
    phoneNumber: String!
  }

  type Customer {
    id: ID!
    legacyResourceId: UnsignedInt64!
    displayName: String!
    firstName: String
    lastName: String
    email: String
    phone: String
    defaultEmailAddress: CustomerEmailAddress
    defaultPhoneNumber: CustomerPhoneNumber
    verifiedEmail: Boolean!
    state: CustomerState!
    note: String
    tags: [String!]!
    createdAt: DateTime!
    updatedAt: DateTime!
    metafield(namespace: String, key: String!): Metafield
    defaultAddress: MailingAddress
    addressesV2(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean
    ): MailingAddressConnection!
    metafields(
      first: Int
      after: String
      last: Int
      before: String
      namespace: String
      keys: [String!]
    ): MetafieldConnection!
  }

  # countryCodeV2 is the CountryCode enum in Shopify; the emulator returns the seed's ISO code as is.
  type MailingAddress {
    id: ID!
    firstName: String
    lastName: String
    company: String
    address1: String
    address2: String
    city: String
    provinceCode: String
    zip: String
    countryCodeV2: String
    phone: String
  }

  type MailingAddressEdge {
    cursor: String!
    node: MailingAddress!
  }

  type MailingAddressConnection {
    edges: [MailingAddressEdge!]!
    nodes: [MailingAddress!]!
    pageInfo: PageInfo!
  }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  type CustomerEdge {
    cursor: String!
    node: Customer!
  }

  type CustomerConnection {
    edges: [CustomerEdge!]!
    nodes: [Customer!]!
    pageInfo: PageInfo!
  }

  enum MetafieldOwnerType {
    CUSTOMER
    ORDER
    PRODUCT
    SHOP
  }

  type Metafield {
    id: ID!
    namespace: String!
    key: String!
    value: String!
    type: String!
    compareDigest: String!
    ownerType: MetafieldOwnerType!
    createdAt: DateTime!
    updatedAt: DateTime!
    definition: MetafieldDefinition
  }

  type MetafieldEdge {
    cursor: String!
    node: Metafield!
  }

  type MetafieldConnection {
    edges: [MetafieldEdge!]!
    nodes: [Metafield!]!
    pageInfo: PageInfo!
  }

  input MetafieldsSetInput {
    ownerId: ID!
    namespace: String
    key: String!
    value: String!
    type: String
    compareDigest: String
  }

  input MetafieldIdentifierInput {
    ownerId: ID!
    namespace: String!
    key: String!
  }

  type MetafieldIdentifier {
    ownerId: ID!
    namespace: String!
    key: String!
  }

  type MetafieldsDeletePayload {
    deletedMetafields: [MetafieldIdentifier]
    userErrors: [UserError!]!
  }

  enum MetafieldsSetUserErrorCode {
    APP_NOT_AUTHORIZED
    BLANK
    INCLUSION
    INVALID
    INVALID_TYPE
    INVALID_VALUE
    LESS_THAN_OR_EQUAL_TO
    PRESENT
    STALE_OBJECT
    TAKEN
    TOO_LONG
    TOO_SHORT
  }

  type MetafieldsSetUserError {
    code: MetafieldsSetUserErrorCode
    elementIndex: Int
    field: [String!]
    message: String!
  }

  type MetafieldsSetPayload {
    metafields: [Metafield!]
    userErrors: [MetafieldsSetUserError!]!
  }

  type MetafieldDefinitionType {
    name: String!
  }

  type MetafieldCapabilityUniqueValues {
    enabled: Boolean!
  }

  type MetafieldCapabilities {
    uniqueValues: MetafieldCapabilityUniqueValues!
  }

  type MetafieldDefinition {
    id: ID!
    name: String!
    namespace: String!
    key: String!
    description: String
    ownerType: MetafieldOwnerType!
    type: MetafieldDefinitionType!
    capabilities: MetafieldCapabilities!
  }

  type MetafieldDefinitionEdge {
    cursor: String!
    node: MetafieldDefinition!
  }

  type MetafieldDefinitionConnection {
    edges: [MetafieldDefinitionEdge!]!
    nodes: [MetafieldDefinition!]!
    pageInfo: PageInfo!
  }

  input MetafieldCapabilityUniqueValuesInput {
    enabled: Boolean!
  }

  input MetafieldCapabilityCreateInput {
    uniqueValues: MetafieldCapabilityUniqueValuesInput
  }

  input MetafieldDefinitionInput {
    name: String!
    namespace: String
    key: String!
    type: String!
    ownerType: MetafieldOwnerType!
    description: String
    pin: Boolean
    capabilities: MetafieldCapabilityCreateInput
  }

  enum MetafieldDefinitionCreateUserErrorCode {
    BLANK
    INCLUSION
    INVALID
    PRESENT
    TAKEN
    TOO_LONG
    UNSTRUCTURED_ALREADY_EXISTS
  }

  type MetafieldDefinitionCreateUserError {
    code: MetafieldDefinitionCreateUserErrorCode
    field: [String!]
    message: String!
  }

  type MetafieldDefinitionCreatePayload {
    createdDefinition: MetafieldDefinition
    userErrors: [MetafieldDefinitionCreateUserError!]!
  }

  input MetafieldInput {
    namespace: String
    key: String
    value: String
    type: String
  }

  input CustomerInput {
    id: ID
    email: String
    firstName: String
    lastName: String
    phone: String
    note: String
    tags: [String!]
    metafields: [MetafieldInput!]
  }

  type UserError {
    field: [String!]
    message: String!
  }

  type CustomerUpdatePayload {
    customer: Customer
    userErrors: [UserError!]!
  }
`;

let schema: GraphQLSchema | undefined;

/** Built once per process (the SDL is fixed). */
export function shopifyAdminSchema(): GraphQLSchema {
  schema ??= buildSchema(SHOPIFY_ADMIN_SDL + SHOPIFY_BULK_SDL);
  return schema;
}
