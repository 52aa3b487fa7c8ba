/**
 * Shopify's bulk query operations (issue 30), appended to the Admin API subset (shopify-schema.ts)
 * with the names, types and nullability of the real schema:
 * - `bulkOperationRunQuery(query:, groupObjects:)` and its payload (`BulkOperationUserError`, codes
 *   INVALID / LIMIT_REACHED / OPERATION_IN_PROGRESS):
 *   https://shopify.dev/docs/api/admin-graphql/latest/mutations/bulkOperationRunQuery,
 *   https://shopify.dev/docs/api/admin-graphql/latest/enums/BulkOperationUserErrorCode
 *   (`groupObjects` is `Boolean!` with a default: `false` as of 2026-01, `true` before);
 * - `BulkOperation` (status, objectCount, rootObjectCount, url, fileSize, errorCode…):
 *   https://shopify.dev/docs/api/admin-graphql/latest/objects/BulkOperation;
 * - `currentBulkOperation(type:)`: https://shopify.dev/docs/api/admin-graphql/latest/queries/currentBulkOperation;
 * - `bulkOperation(id:)`: added in 2026-01 (https://shopify.dev/changelog/new-queries-for-bulk-operations).
 */
export const SHOPIFY_BULK_SDL = /* GraphQL */ `
  scalar URL

  extend type Query {
    currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation
    bulkOperation(id: ID!): BulkOperation
  }

  extend type Mutation {
    bulkOperationRunQuery(query: String!, groupObjects: Boolean! = false): BulkOperationRunQueryPayload
  }

  enum BulkOperationStatus {
    CANCELED
    CANCELING
    COMPLETED
    CREATED
    EXPIRED
    FAILED
    RUNNING
  }

  enum BulkOperationType {
    MUTATION
    QUERY
  }

  enum BulkOperationErrorCode {
    ACCESS_DENIED
    INTERNAL_SERVER_ERROR
    TIMEOUT
  }

  enum BulkOperationUserErrorCode {
    INVALID
    LIMIT_REACHED
    OPERATION_IN_PROGRESS
  }

  type BulkOperation {
    completedAt: DateTime
    createdAt: DateTime!
    errorCode: BulkOperationErrorCode
    fileSize: UnsignedInt64
    id: ID!
    objectCount: UnsignedInt64!
    partialDataUrl: URL
    query: String!
    rootObjectCount: UnsignedInt64!
    status: BulkOperationStatus!
    type: BulkOperationType!
    url: URL
  }

  type BulkOperationUserError {
    code: BulkOperationUserErrorCode
    field: [String!]
    message: String!
  }

  type BulkOperationRunQueryPayload {
    bulkOperation: BulkOperation
    userErrors: [BulkOperationUserError!]!
  }
`;
