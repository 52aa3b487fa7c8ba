/**
 * Addresses of a create that CustomersV3 cannot hold (beyond one primary, one invoice and one
 * delivery address): on the CustomersV3 target they land afterwards through F&O's customer postal
 * addresses entity (land-further-addresses.ts). Pure values; no D365 field names here.
 */
export interface FurtherAddress {
  /** RFC 6901 pointer into the request (`/Customer/BillingAddress/2`): how it is reported, never by value. */
  pointer: string;
  /** The F&O location role its list gives it: billing → Invoice, shipping → Delivery. */
  role: 'Invoice' | 'Delivery';
  description?: string;
  street?: string;
  city?: string;
  state?: string;
  zipCode?: string;
  countryRegionId?: string;
}

export type AddressPlace = Pick<FurtherAddress, 'street' | 'city' | 'state' | 'zipCode' | 'countryRegionId'>;

/**
 * The place an address is, as F&O compares it: street, city, state, ZIP and country, compared the
 * way SQL Server's default collation does (case-insensitive, trailing spaces ignored; leading spaces
 * count). The description is only a label and the role is not part of the place: an address that is
 * already there under another role is not posted again.
 */
export function placeKey(place: AddressPlace): string {
  return [place.street, place.city, place.state, place.zipCode, place.countryRegionId]
    .map((value) => (value ?? '').toLowerCase().replace(/ +$/, ''))
    .join('\u0000');
}

/** What became of a create's further addresses: pointers only, never values (status record and answer). */
export interface AddressesOutcome {
  /** In D365 now: posted by this request, or found there already. */
  landed: string[];
  /** Not landed: refused by D365 (permanent), or still failing when the retries ran out. */
  failed: string[];
}
