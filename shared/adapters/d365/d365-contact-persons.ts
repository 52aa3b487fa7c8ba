import type { ContactIdentity } from '../../domain/contact-person';
import type { D365ContactPersons, TokenSource } from '../../ports';
import { odataEntity, ODataEntityOptions } from './odata-entity';

/**
 * An organisation customer's contact persons through F&O's `CDSContactPersonsV2` entity
 * (docs/customer-contract.md, "The contact person"; what the emulator does with each request:
 * dev/d365-emulator/README.md, "Contact persons"). Its key, from F&O's `$metadata`: `dataAreaId`,
 * `ContactPersonPartyNumber`, `AssociatedContactType`, `AssociatedContactNumber`; the link to the
 * customer is `AssociatedContactType` `Customer` + `AssociatedContactNumber` (the customer account).
 *
 * - GET `?cross-company=true&$filter=dataAreaId eq '…' and AssociatedContactNumber eq '…'` with the
 *   names, e-mail and type selected: 200 with a `value` list → the customer's contacts (rows of
 *   another associated type, a vendor with the same number, are left out), following
 *   `@odata.nextLink` on D365's own host (at most `MAX_PAGES`).
 * - POST: 201 (or 204 with `Prefer: return=minimal`) → added. `ContactPersonPartyNumber` is not
 *   sent: the party number sequence gives it.
 * - Everything else as the create, and no gate of its own (odata-entity.ts).
 */
export type D365ContactPersonsOptions = ODataEntityOptions;

const SELECTED = 'FirstName,LastName,PrimaryEmailAddress,AssociatedContactType';
/** The associated type of a customer's contact (enum SmmContactPersonCdsAssociatedContactType). */
export const CUSTOMER_CONTACT_TYPE = 'Customer';

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** A listed row as the contact it names; a row of another associated type (a vendor's) is left out. */
const contactOf = (row: Record<string, unknown>): ContactIdentity | undefined =>
  row.AssociatedContactType !== CUSTOMER_CONTACT_TYPE
    ? undefined
    : {
        firstName: text(row.FirstName) ?? '',
        ...(text(row.LastName) !== undefined && { lastName: text(row.LastName) }),
        ...(text(row.PrimaryEmailAddress) !== undefined && { email: text(row.PrimaryEmailAddress) }),
      };

export function createD365ContactPersons(
  tokens: TokenSource,
  options: D365ContactPersonsOptions,
): D365ContactPersons {
  const entity = odataEntity(tokens, 'CDSContactPersonsV2', 'contact person', options);
  return {
    listContactPersons: (legalEntity, customerAccount, callOptions) =>
      entity.list(
        { dataAreaId: legalEntity.toLowerCase(), AssociatedContactNumber: customerAccount },
        SELECTED,
        contactOf,
        callOptions,
      ),

    async addContactPerson(legalEntity, customerAccount, contact, callOptions) {
      const body = {
        dataAreaId: legalEntity.toLowerCase(),
        AssociatedContactType: CUSTOMER_CONTACT_TYPE,
        AssociatedContactNumber: customerAccount,
        FirstName: contact.firstName,
        ...(contact.middleName !== undefined && { MiddleName: contact.middleName }),
        ...(contact.lastName !== undefined && { LastName: contact.lastName }),
        ...(contact.email !== undefined && { PrimaryEmailAddress: contact.email }),
        ...(contact.phone !== undefined && { PrimaryPhoneNumber: contact.phone }),
      };
      const { firstName, middleName, lastName, email, phone } = contact;
      await entity.add(body, [firstName, middleName, lastName, email, phone], callOptions);
    },
  };
}
