export { CustomerSyncClient } from './client';
export { OperationsClient } from './operations';
export type { OperationsClientOptions } from './operations';
export type {
  AttentionView,
  AuditEntry,
  ListedRequest,
  OperatorRequest,
  ReplayFilter,
  ReplayJob,
  ReplaySelection,
  RequestPage,
  RequestQuery,
} from './operations-types';
export type { ClientOptions, CreateCustomerOptions, UpdateCustomerOptions } from './client';
export {
  AuthenticationError,
  CustomerFailedError,
  CustomerNotFoundError,
  CustomerSyncError,
  DuplicateError,
  IdempotencyKeyReusedError,
  PendingTimeoutError,
  ReferenceInUseError,
  ThrottledError,
  UnavailableError,
  ValidationError,
  VerificationPendingError,
} from './errors';
export type {
  Accepted,
  CreatedCustomer,
  CustomerAddress,
  CustomerPatch,
  CustomerRequest,
  FailureCode,
  FieldError,
  Problem,
  Status,
  StatusAnswer,
  UpdatedCustomer,
  WriteBack,
} from './types';
export { verifyWebhook, WebhookVerificationError } from './webhooks';
export { PrivacyRequests } from './privacy';
export type { PrivacyAnswer, PrivacyExport, PrivacyRequestBody } from './privacy';
export { customerFieldErrors } from './validate';
export type { CustomerResultEvent, VerifyOptions } from './webhooks';
