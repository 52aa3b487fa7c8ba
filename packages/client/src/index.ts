export { CustomerSyncClient } from './client';
export type { ClientOptions, CreateCustomerOptions } from './client';
export {
  AuthenticationError,
  CustomerFailedError,
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
  CustomerRequest,
  FailureCode,
  FieldError,
  Problem,
  Status,
  StatusAnswer,
} from './types';
export { verifyWebhook, WebhookVerificationError } from './webhooks';
export { customerFieldErrors } from './validate';
export type { CustomerResultEvent, VerifyOptions } from './webhooks';
