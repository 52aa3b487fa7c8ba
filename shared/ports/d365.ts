/** D365 ports: tokens, creating, finding and updating customers. */
import type { CustomerRequest } from '../domain/customer-contract';
import type { NameAndPhoneMatch } from '../domain/recovery-match';
import type { CallOptions } from './stores';

/** Access tokens for D365, from Entra ID with the client secret held in Key Vault. */
export interface TokenSource {
  /** A valid token; `fresh` skips the cached one (after D365 answered 401). */
  getToken(options?: { fresh?: boolean } & CallOptions): Promise<string>;
}

/** Creates customers in D365. Throws `ProcessingError` (permanent or transient) on failure. */
export interface D365Client {
  /**
   * `customerAccount` is absent when D365 confirmed the create (a 2xx) without naming the account:
   * the customer exists and must be looked up, never created again.
   */
  createCustomer(request: CustomerRequest, options?: CallOptions): Promise<{ customerAccount?: string }>;
  /**
   * The accounts of the customers with this e-mail in the legal entity (CustomersV3, cross-company,
   * with a filter built by the one safe builder), in D365's order, at most `CUSTOMER_LOOKUP_TOP`;
   * empty when there is none.
   */
  findCustomersByEmail(legalEntity: string, email: string, options?: CallOptions): Promise<string[]>;
  /**
   * Recovery only (shared/domain/recovery-match.ts): the customers whose `PersonFirstName`,
   * `PersonLastName` (when given) and `PrimaryContactPhone` all equal these, in the legal entity
   * (CustomersV3, cross-company, one safe filter), at most `CUSTOMER_LOOKUP_TOP`. `undefined` when a
   * value cannot be filtered on exactly (e.g. a name with a comma): the lookup did not run.
   */
  findCustomersByNameAndPhone(
    legalEntity: string,
    person: PersonKey,
    options?: CallOptions,
  ): Promise<NameAndPhoneMatch[] | undefined>;
  /**
   * Possible duplicates of a customer without an e-mail (issue 32, customer-match.ts
   * `rowIsPossibleDuplicate`): the accounts of the people without an e-mail of this last name and
   * phone whose first name one of the two writes as an initial of the other's. Optional: a D365
   * client without it finds none (the exact lookup still decides).
   */
  findPossibleDuplicates?(legalEntity: string, person: PersonKey, options?: CallOptions): Promise<string[]>;
  /**
   * Organisations (issue 32): the accounts of the organisations with this tax number, or with this
   * name in this country and no tax number, every row re-checked exactly (customer-match.ts).
   * `undefined` when the name cannot be filtered on exactly. Optional: a D365 client without it
   * cannot take organisations (they fail, never create blindly).
   */
  findOrganizations?(
    legalEntity: string,
    organisation: OrganisationKey,
    options?: CallOptions,
  ): Promise<string[] | undefined>;
}

/** What an organisation lookup matches on (already normalised: customer-match.ts). */
export type OrganisationKey = { taxNumber: string } | { name: string; country: string };

/** The name and phone a recovery lookup matches on. */
export interface PersonKey {
  firstName: string;
  lastName?: string;
  phone: string;
}

/**
 * A D365 customer as the update path reads it (CustomersV3 by key, cross-company): the entity's
 * ETag (`@odata.etag`, sent back as `If-Match`) and its field values by entity field name.
 */
export interface D365CustomerSnapshot {
  etag: string;
  fields: Record<string, unknown>;
}

/** What a PATCH of one customer did. */
export type D365PatchResult =
  /** D365 applied it (204); `etag` when D365 answered one, else read it again before the next PATCH. */
  | { kind: 'applied'; etag?: string }
  /** 412 Precondition Failed: the customer changed in D365 since `etag` was read. */
  | { kind: 'conflict' }
  /** 404: no customer with this key in the legal entity. */
  | { kind: 'not_found' };

/**
 * Updates existing customers in D365 through the standard CustomersV3 entity (both targets: the
 * custom service only creates). Throws `ProcessingError` (permanent or transient) like `D365Client`.
 */
export interface D365CustomerUpdates {
  /** The customer by key (`dataAreaId` + `CustomerAccount`), or undefined when D365 has none. */
  getCustomer(
    legalEntity: string,
    customerAccount: string,
    options?: CallOptions,
  ): Promise<D365CustomerSnapshot | undefined>;
  /**
   * `PATCH CustomersV3(dataAreaId='…',CustomerAccount='…')?cross-company=true` with
   * `If-Match: etag` (`'*'` only under the "ours wins" conflict policy); only `changes` are sent.
   */
  patchCustomer(
    legalEntity: string,
    customerAccount: string,
    changes: Record<string, unknown>,
    options: { etag: string } & CallOptions,
  ): Promise<D365PatchResult>;
}
