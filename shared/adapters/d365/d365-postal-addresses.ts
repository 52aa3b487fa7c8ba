import type { AddressPlace } from '../../domain/further-addresses';
import type { D365PostalAddresses, TokenSource } from '../../ports';
import { odataEntity, ODataEntityOptions } from './odata-entity';

/**
 * A customer's postal addresses through F&O's standard `CustomerPostalAddresses` entity (CDM
 * `CustomerPostalAddressEntity`; what F&O does with each request: dev/d365-emulator/README.md,
 * "Customer postal addresses"). How this adapter reads the answers:
 *
 * - GET `?cross-company=true&$filter=CustomerLegalEntityId eq '…' and CustomerAccountNumber eq '…'`
 *   with the place fields selected: 200 with a `value` list → the places, following `@odata.nextLink`
 *   on D365's own host (at most `MAX_PAGES`).
 * - POST: 201 (or 204 with `Prefer: return=minimal`) → added.
 * - Everything else as the create (an Infolog 400/500 here is an unknown state, ZIP or customer),
 *   and no gate of its own (odata-entity.ts).
 */
export type D365PostalAddressesOptions = ODataEntityOptions;

const PLACE_FIELDS = 'AddressStreet,AddressCity,AddressState,AddressZipCode,AddressCountryRegionId';

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const placeOf = (row: Record<string, unknown>): AddressPlace => ({
  street: text(row.AddressStreet),
  city: text(row.AddressCity),
  state: text(row.AddressState),
  zipCode: text(row.AddressZipCode),
  countryRegionId: text(row.AddressCountryRegionId),
});

export function createD365PostalAddresses(
  tokens: TokenSource,
  options: D365PostalAddressesOptions,
): D365PostalAddresses {
  const entity = odataEntity(tokens, 'CustomerPostalAddresses', 'postal address', options);
  return {
    listPostalAddresses: (legalEntity, customerAccount, callOptions) =>
      entity.list(
        { CustomerLegalEntityId: legalEntity.toLowerCase(), CustomerAccountNumber: customerAccount },
        PLACE_FIELDS,
        placeOf,
        callOptions,
      ),

    async addPostalAddress(legalEntity, customerAccount, address, callOptions) {
      const le = legalEntity.toLowerCase();
      const body = {
        dataAreaId: le,
        CustomerLegalEntityId: le,
        CustomerAccountNumber: customerAccount,
        ...(address.description !== undefined && { AddressDescription: address.description }),
        ...(address.street !== undefined && { AddressStreet: address.street }),
        ...(address.city !== undefined && { AddressCity: address.city }),
        ...(address.state !== undefined && { AddressState: address.state }),
        ...(address.zipCode !== undefined && { AddressZipCode: address.zipCode }),
        ...(address.countryRegionId !== undefined && { AddressCountryRegionId: address.countryRegionId }),
        AddressLocationRoles: address.role,
        IsPrimary: 'No',
      };
      const { description, street, city, zipCode } = address;
      await entity.add(body, [description, street, city, zipCode], callOptions);
    },
  };
}
