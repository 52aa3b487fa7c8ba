import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

/** The message of F&O's service protection (resource-based) 429 answers. */
export const THROTTLE_MESSAGE =
  'This request could not be processed at this time due to system experiencing high resource utilization.';

/** Exception types of the custom service's 500 answers. */
export const EXCEPTION_TYPES = {
  deserialization: 'XppServicesDeserializationException',
  parameterNotFound: 'XppServicesParameterNotFoundException',
  business: 'Microsoft.Dynamics.Ax.Xpp.ErrorException',
  nullReference: 'System.NullReferenceException',
} as const;

export interface CustomServiceException {
  Message: string;
  ExceptionType: string;
  ActivityId: string;
}

/** The body of a custom service's X++ exception (HTTP 500); "occured" is F&O's spelling. */
export function customServiceException(infolog: string, exceptionType: string): CustomServiceException {
  return {
    Message: `An exception occured when invoking the operation - ${infolog}`,
    ExceptionType: exceptionType,
    ActivityId: randomUUID(),
  };
}

/** The missing-parameter answer (HTTP 500). */
export function parameterNotFound(parameter: string): CustomServiceException {
  return {
    Message: `Parameter '${parameter}' is not found within the request content body.`,
    ExceptionType: EXCEPTION_TYPES.parameterNotFound,
    ActivityId: randomUUID(),
  };
}

export interface ODataError {
  error: {
    code: string;
    message: string;
    innererror?: { message: string; type: string; stacktrace: string };
  };
}

export function odataError(message: string, inner?: { message: string; type: string }): ODataError {
  return {
    error: {
      code: '',
      message,
      ...(inner ? { innererror: { message: inner.message, type: inner.type, stacktrace: '' } } : {}),
    },
  };
}

export const ODATA_WRITE_EXCEPTION =
  'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException';

/** A failed write (business error) on CustomersV3: the entries become the Infolog text. */
export function odataWriteFailed(infolog: string[]): ODataError {
  return odataError('An error has occurred.', {
    message: `Write failed for table row of type 'CustCustomerV3Entity'. Infolog: ${infolog.join('; ')}`,
    type: ODATA_WRITE_EXCEPTION,
  });
}

/** The HTML page a gateway (Azure Front Door / IIS ARR) answers with for 502/503/504. */
export function gatewayHtml(status: number): string {
  const reason = STATUS_CODES[status] ?? 'Error';
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><title>' + `${status} ${reason}` + '</title></head>',
    `<body><h1>${status} - ${reason}</h1>`,
    '<p>The service is temporarily unable to handle the request. Please try again later.</p>',
    '</body></html>',
    '',
  ].join('\n');
}
