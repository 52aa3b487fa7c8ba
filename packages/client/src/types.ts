/** The shapes of the API (docs/openapi.json, `components.schemas`). */

export type Status =
  | 'accepting'
  | 'queued'
  | 'processing'
  | 'submitting'
  | 'retrying'
  | 'succeeded'
  | 'failed'
  /** Final: D365 confirmed the create without naming the account and it could not be found. */
  | 'needs_review';

export type FailureCode =
  | 'invalid_message'
  | 'duplicate'
  | 'business_error'
  | 'not_registered'
  | 'invalid_secret'
  | 'unauthorized'
  | 'configuration'
  | 'unmappable'
  | 'source_not_found'
  | 'account_not_found'
  | 'retries_exhausted';

/** `GET /customers/status/{correlationId}`; never holds personal data. */
export interface StatusAnswer {
  correlationId: string;
  status: Status;
  legalEntity: string;
  customerAccount?: string;
  outcome?: 'created' | 'linked';
  /**
   * `pending`: the create found a customer D365 already had, but this caller did not verify the
   * shopper's identity: no `customerAccount`, and no changes through its reference until the link
   * is verified (Shopify's `verified_email`, or an operator). SECURITY.md, "Who may do what".
   */
  verification?: 'pending';
  /** Which fields of the D365 customer a lookup matched (never the values). */
  matchedOn?: 'email' | 'name_and_phone';
  /** CustomersV3 target: the create's further addresses by JSON pointer (landed in D365, or not); never the values. */
  addresses?: { landed: string[]; failed: string[] };
  error?: { code: FailureCode; message: string };
  lastError?: string;
  nextAttemptAt?: string;
  attempts: number;
  createdAt: string;
  updatedAt: string;
}

/** `202 Accepted` from `POST /customers`. */
export interface Accepted {
  correlationId: string;
  status: Status;
  statusUrl: string;
}

export interface FieldError {
  /** RFC 6901 JSON Pointer into the request body, e.g. `/Customer/EmailAddress`. */
  pointer: string;
  detail: string;
}

/** RFC 9457 problem details as the API sends them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  header?: string;
  code?: FailureCode;
  correlationId?: string;
  statusUrl?: string;
}

export interface CustomerAddress {
  Addresstitle?: string | null;
  Street: string;
  Addresstype: 'Billing' | 'Shipping' | string;
  PrimaryAddress?: 'Yes' | 'No' | string | null;
  PostalCode?: string | null;
  City?: string | null;
  Country?: string | null;
  CountryCode: string;
  State?: string | null;
}

/** The request body, in the source article's spellings. */
export interface CustomerRequest {
  Customer: {
    LegalEntity: string;
    FirstName: string;
    MiddleName?: string | null;
    LastName?: string | null;
    ContactNumber?: string | null;
    CurrencyCode: string;
    EmailAddress: string;
    /** `MM/DD/YYYY`. */
    DateOfBirth?: string | null;
    Gender?: 'Unknown' | 'Male' | 'Female' | 'NonSpecific' | string | null;
    CustomerGroup?: string | null;
    BillingAddress?: CustomerAddress[] | null;
    ShippingAddress?: CustomerAddress[] | null;
  };
}

/** A created (or linked) customer. */
export interface CreatedCustomer extends StatusAnswer {
  status: 'succeeded';
  customerAccount: string;
  /** The key the request was sent with (given, or created by the client): keep it to repeat safely. */
  idempotencyKey: string;
}
