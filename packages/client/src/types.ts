/** The shapes of the API (docs/openapi.json, `components.schemas`). */

export type Status =
  | 'accepting'
  | 'queued'
  | 'processing'
  | 'submitting'
  | 'retrying'
  | 'succeeded'
  | 'failed'
  /** Final, for an operator: a create D365 confirmed without an account that could not be found, or an update in conflict. */
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
  | 'retries_exhausted'
  /** Updates: D365 has no such customer any more. */
  | 'customer_not_found'
  /** Updates: the create the update waited for ended without a customer. */
  | 'customer_not_created'
  /** Updates: merged with the changes before it, the update is no longer a valid customer. */
  | 'invalid_update'
  /** Updates (`needs_review`): fields it changes were changed in D365 since our last write; nothing was sent. */
  | 'update_conflict'
  /** Creates without an e-mail (`needs_review`): a person of its last name and phone whose first name is an initial of its own, or the other way round; nothing created, an operator decides. */
  | 'possible_duplicate';

/** `GET /customers/status/{correlationId}`; never holds personal data. */
export interface StatusAnswer {
  correlationId: string;
  /** `update` for a customer update; absent for a create. */
  kind?: 'update';
  status: Status;
  legalEntity: string;
  /** Webhooks and `Customer-Reference`: the source and its customer ID (no personal data). */
  source?: string;
  sourceCustomerId?: string;
  customerAccount?: string;
  /** Creates: `created` or `linked`; updates: `updated`, `unchanged`, `stale` (an older version) or `kept_d365`. */
  outcome?: 'created' | 'linked' | 'updated' | 'unchanged' | 'stale' | 'kept_d365';
  /** Every D365 account with the request's e-mail (a refused duplicate, or several matches). */
  existingAccounts?: string[];
  /**
   * `pending`: the create found a customer D365 already had, but this caller did not verify the
   * shopper's identity: no `customerAccount`, and no changes through its reference until the link
   * is verified (Shopify's `verified_email`, or an operator). SECURITY.md, "Who may do what".
   */
  verification?: 'pending';
  /** Which fields of the D365 customer a lookup matched (never the values). */
  matchedOn?: 'email' | 'name_and_phone' | 'tax_number' | 'name_and_country' | 'name_initial_and_phone';
  /** What an operator decided in review: `linked` (to a candidate) or `create_new`; absent when none did. */
  reviewDecision?: 'linked' | 'create_new';
  /** CustomersV3 target: the create's further addresses by JSON pointer (landed in D365, or not); never the values. */
  addresses?: { landed: string[]; failed: string[] };
  /** CustomersV3 target, an organisation's create: its contact person `created`, `found` (already there) or `failed`. */
  contactPerson?: 'created' | 'found' | 'failed';
  /** When a privacy request erased the customer from this request: only its facts remain. */
  erasedAt?: string;
  error?: { code: FailureCode; message: string };
  lastError?: string;
  nextAttemptAt?: string;
  /**
   * A shop's customer: the write-back of its D365 account (`LEGALENTITY/ACCOUNT`) to the shop
   * (Shopify metafield, BigCommerce attribute value). Never changes `status`.
   */
  writeBack?: WriteBack;
  attempts: number;
  createdAt: string;
  updatedAt: string;
}

/** `StatusAnswer.writeBack`; never holds personal data. */
export interface WriteBack {
  /** `pending` (queued or being retried), `written` (the shop holds the account), `failed` (needs an operator: see `error`). */
  status: 'pending' | 'written' | 'failed';
  /** Attempts in the current series (waits for the shop's rate budget do not count). */
  attempts: number;
  endedAt?: string;
  nextAttemptAt?: string;
  error?: {
    code: 'shop_access' | 'shop_customer_not_found' | 'rejected' | 'shop_unavailable';
    message: string;
  };
  lastError?: string;
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
  /** `duplicate` (and `account_not_found` with several matches, `possible_duplicate`): the accounts that exist. */
  existingAccounts?: string[];
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
    /** E.164, or a national number read in the primary billing address's country. Required without `EmailAddress`. */
    ContactNumber?: string | null;
    CurrencyCode: string;
    /** Optional when `ContactNumber` is given: a customer needs an e-mail or a phone (issue 32). */
    EmailAddress?: string | null;
    /** `MM/DD/YYYY`. */
    DateOfBirth?: string | null;
    Gender?: 'Unknown' | 'Male' | 'Female' | 'NonSpecific' | string | null;
    CustomerGroup?: string | null;
    BillingAddress?: CustomerAddress[] | null;
    ShippingAddress?: CustomerAddress[] | null;
    /** `Organization` for a company (issue 32); `Person` (the default) otherwise. */
    PartyType?: 'Person' | 'Organization' | string | null;
    /** The organisation's name: required for an `Organization`. */
    OrganizationName?: string | null;
    /** The organisation's tax/VAT number: its identity for the duplicate policy. */
    TaxNumber?: string | null;
  };
}

/**
 * A JSON Merge Patch (RFC 7396) of a customer: the members of `Customer` to change; `null` removes an
 * optional one; an address list given replaces the whole list.
 */
export interface CustomerPatch {
  Customer: {
    [K in keyof CustomerRequest['Customer']]?: CustomerRequest['Customer'][K] | null;
  };
}

/** An applied update (`outcome` `updated`, `unchanged`, `stale` or `kept_d365`). */
export interface UpdatedCustomer extends StatusAnswer {
  kind: 'update';
  status: 'succeeded';
  customerAccount: string;
  /** The key the update was sent with: keep it to repeat it safely. */
  idempotencyKey: string;
}

/** A created (or linked) customer. */
export interface CreatedCustomer extends StatusAnswer {
  status: 'succeeded';
  customerAccount: string;
  /** The key the request was sent with (given, or created by the client): keep it to repeat safely. */
  idempotencyKey: string;
}
