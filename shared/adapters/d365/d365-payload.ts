import { ADDRESS_FIELDS, CUSTOMER_FIELDS } from '../../domain/customer-contract';
import type { CustomerAddress, CustomerRequest, NormalisedCustomer } from '../../domain/customer-contract';
import { toJsonPointer } from '../../domain/json-body';
import type { FurtherAddress } from '../../domain/further-addresses';

/**
 * The bodies sent to D365 for a normalised customer request. Pure functions; the mapping tables are in
 * `docs/customer-contract.md`.
 */

// ---------------------------------------------------------------------------------------------------
// The CreateCustomer custom service

/** The body of `POST /api/services/<group>/<service>/<operation>`: one parameter, `Customer`. */
export interface CustomServiceBody {
  Customer: NormalisedCustomer;
}

function ordered<T extends object>(value: T, order: readonly (keyof T)[]): T {
  const out: Partial<T> = {};
  for (const key of order) {
    if (value[key] !== undefined) out[key] = value[key];
  }
  return out as T;
}

/**
 * The custom service body: the contract's own field names, in the contract's order. Optional fields
 * that are absent are left out (never `null`: the custom service's JSON deserialiser fails on `null`
 * for an enum such as Gender, and an absent member gets the data contract's default). The normalised
 * contract already drops optional strings that were empty, so `MiddleName: ""` is not sent either.
 * `DateOfBirth` is sent as `MM/DD/YYYY`, the form the service was written for.
 */
export function toCustomServiceBody(request: CustomerRequest): CustomServiceBody {
  const customer = ordered(request.Customer, CUSTOMER_FIELDS);
  for (const list of ['BillingAddress', 'ShippingAddress'] as const) {
    const addresses = request.Customer[list];
    if (addresses) customer[list] = addresses.map((address) => ordered(address, ADDRESS_FIELDS));
  }
  return { Customer: customer };
}

// ---------------------------------------------------------------------------------------------------
// The standard OData entity CustomersV3

/** The CustomersV3 fields this app may set (names as in F&O's CustCustomerV3Entity). */
export interface CustomersV3Body {
  dataAreaId: string;
  PartyType: 'Person' | 'Organization';
  OrganizationName?: string;
  /** CustTable.VATNum, the VAT/tax registration number (issue 32). */
  TaxExemptNumber?: string;
  PersonFirstName?: string;
  PersonMiddleName?: string;
  PersonLastName?: string;
  PersonGender?: string;
  CustomerGroupId: string;
  SalesCurrencyCode: string;
  PrimaryContactEmail?: string;
  PrimaryContactPhone?: string;
  AddressDescription?: string;
  AddressStreet?: string;
  AddressCity?: string;
  AddressState?: string;
  AddressZipCode?: string;
  AddressCountryRegionId?: string;
  /** The primary address's roles (LogisticsLocationRole names, `;`-separated): `Invoice`, `Delivery`. */
  AddressLocationRoles?: string;
  InvoiceAddressDescription?: string;
  InvoiceAddressStreet?: string;
  InvoiceAddressCity?: string;
  InvoiceAddressState?: string;
  InvoiceAddressZipCode?: string;
  InvoiceAddressCountryRegionId?: string;
  DeliveryAddressDescription?: string;
  DeliveryAddressStreet?: string;
  DeliveryAddressCity?: string;
  DeliveryAddressState?: string;
  DeliveryAddressZipCode?: string;
  DeliveryAddressCountryRegionId?: string;
}

export interface CustomersV3Mapping {
  body: CustomersV3Body;
  /**
   * RFC 6901 pointers into the request of the values that were set but that CustomersV3 cannot hold,
   * e.g. `/Customer/DateOfBirth`. For logs and documentation: the customer is still created without them.
   */
  unmapped: string[];
  /**
   * The addresses beyond one per role (`/Customer/BillingAddress/1`, ...): not in the body; they land
   * after the create through the customer postal addresses entity (land-further-addresses.ts).
   */
  further: FurtherAddress[];
}

/**
 * Contract fields that CustomersV3 never holds, whatever the request (the entity has no date of birth;
 * the address type and primary flag only choose where an address goes; the country name follows from
 * the country code; only one address per role fits).
 */
export const CUSTOMERS_V3_UNSUPPORTED_FIELDS = [
  'DateOfBirth',
  'Addresstype',
  'PrimaryAddress',
  'Country',
] as const;

type AddressPrefix = 'Address' | 'InvoiceAddress' | 'DeliveryAddress';
type AddressRef = { list: 'BillingAddress' | 'ShippingAddress'; index: number; address: CustomerAddress };

function addressFields(prefix: AddressPrefix, address: CustomerAddress): Partial<CustomersV3Body> {
  const fields: Record<string, string | undefined> = {
    [`${prefix}Description`]: address.Addresstitle,
    [`${prefix}Street`]: address.Street,
    [`${prefix}City`]: address.City,
    [`${prefix}State`]: address.State,
    [`${prefix}ZipCode`]: address.PostalCode,
    [`${prefix}CountryRegionId`]: address.CountryCode,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** The fields that make two addresses the same place (the title is only a label). */
const PLACE_FIELDS = ['Street', 'City', 'State', 'PostalCode', 'CountryCode'] as const;
const samePlace = (a: CustomerAddress, b: CustomerAddress): boolean =>
  PLACE_FIELDS.every((field) => (a[field] ?? '') === (b[field] ?? ''));

/** The location role an address list gives its addresses in F&O (LogisticsLocationRole). */
const ROLE_OF: Record<AddressRef['list'], 'Invoice' | 'Delivery'> = {
  BillingAddress: 'Invoice',
  ShippingAddress: 'Delivery',
};

/** The address of a list that plays its role: the one marked primary, else the first. */
function chosen(customer: NormalisedCustomer, list: AddressRef['list']): AddressRef | undefined {
  const addresses = customer[list] ?? [];
  const primary = addresses.findIndex((address) => address.PrimaryAddress === 'Yes');
  const index = primary >= 0 ? primary : 0;
  const address = addresses[index];
  return address ? { list, index, address } : undefined;
}

/**
 * Maps a request to the CustomersV3 entity.
 *
 * - `dataAreaId` is sent lower case (`usrt`), as F&O itself returns it; F&O accepts either case.
 * - The party's primary postal address (`Address*`) is the billing address marked primary, else the
 *   shipping address marked primary, else the first billing address, else the first shipping address.
 * - `InvoiceAddress*` gets the chosen billing address and `DeliveryAddress*` the chosen shipping
 *   address (marked primary, else first), each only when it is not already the primary address.
 * - `AddressLocationRoles` gives the primary address the role of its list (billing `Invoice`,
 *   shipping `Delivery`), plus the other list's role when that list's chosen address is the same
 *   place (street, city, state, ZIP, country): then it is not sent a second time.
 * - Every other address is in `further` (it lands afterwards, through CustomerPostalAddresses);
 *   DateOfBirth is listed in `unmapped`. Fields the request does not set are not sent.
 */
export function mapToCustomersV3(request: CustomerRequest): CustomersV3Mapping {
  const customer = request.Customer;
  // An organisation (issue 32) is a party of type Organization with its name and VAT number; its
  // contact person (FirstName/LastName) is not a CustomersV3 field (docs/customer-contract.md).
  const party =
    customer.PartyType === 'Organization'
      ? {
          PartyType: 'Organization' as const,
          OrganizationName: customer.OrganizationName!,
          ...(customer.TaxNumber !== undefined && { TaxExemptNumber: customer.TaxNumber }),
        }
      : {
          PartyType: 'Person' as const,
          PersonFirstName: customer.FirstName,
          ...(customer.MiddleName !== undefined && { PersonMiddleName: customer.MiddleName }),
          ...(customer.LastName !== undefined && { PersonLastName: customer.LastName }),
          ...(customer.Gender !== undefined && { PersonGender: customer.Gender }),
        };
  const body: CustomersV3Body = {
    dataAreaId: customer.LegalEntity.toLowerCase(),
    ...party,
    CustomerGroupId: customer.CustomerGroup,
    SalesCurrencyCode: customer.CurrencyCode,
    ...(customer.EmailAddress !== undefined && { PrimaryContactEmail: customer.EmailAddress }),
    ...(customer.ContactNumber !== undefined && { PrimaryContactPhone: customer.ContactNumber }),
  };
  const unmapped: string[] = [];
  const further: FurtherAddress[] = [];
  if (customer.DateOfBirth !== undefined) unmapped.push(toJsonPointer(['Customer', 'DateOfBirth']));

  const billing = chosen(customer, 'BillingAddress');
  const shipping = chosen(customer, 'ShippingAddress');
  const primary =
    billing?.address.PrimaryAddress === 'Yes'
      ? billing
      : shipping?.address.PrimaryAddress === 'Yes'
        ? shipping
        : (billing ?? shipping);
  const placed: AddressRef[] = [];
  const place = (prefix: AddressPrefix, ref: AddressRef | undefined): void => {
    if (!ref || placed.includes(ref)) return;
    Object.assign(body, addressFields(prefix, ref.address));
    placed.push(ref);
  };
  place('Address', primary);
  if (primary) {
    const roles = [ROLE_OF[primary.list]];
    for (const other of [billing, shipping]) {
      if (other && other !== primary && samePlace(other.address, primary.address)) {
        roles.push(ROLE_OF[other.list]);
        placed.push(other); // lands as a role of the primary address
      }
    }
    body.AddressLocationRoles = roles.join(';');
  }
  place('InvoiceAddress', billing);
  place('DeliveryAddress', shipping);

  for (const list of ['BillingAddress', 'ShippingAddress'] as const) {
    (customer[list] ?? []).forEach((address, index) => {
      if (!placed.some((ref) => ref.list === list && ref.index === index)) {
        further.push(furtherAddress(toJsonPointer(['Customer', list, index]), ROLE_OF[list], address));
      }
    });
  }
  return { body, unmapped, further };
}

function furtherAddress(
  pointer: string,
  role: FurtherAddress['role'],
  address: CustomerAddress,
): FurtherAddress {
  const fields = {
    description: address.Addresstitle,
    street: address.Street,
    city: address.City,
    state: address.State,
    zipCode: address.PostalCode,
    countryRegionId: address.CountryCode,
  };
  const set = Object.entries(fields).filter(([, value]) => value !== undefined);
  return { pointer, role, ...Object.fromEntries(set) };
}

/** The CustomersV3 body for `POST /data/CustomersV3` (see `mapToCustomersV3` for the rules). */
export function toCustomersV3Body(request: CustomerRequest): CustomersV3Body {
  return mapToCustomersV3(request).body;
}
