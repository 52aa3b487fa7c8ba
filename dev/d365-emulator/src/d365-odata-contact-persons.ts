import { ContactPersonRecord } from './contact-persons-store';
import { EntityFieldType } from './customer-entity';
import { odataError } from './d365-errors';
import { sendODataError } from './d365-odata-entity';
import { answerEntityQuery } from './odata-entity-query';
import {
  answerCreated,
  readEntityBody,
  representFields,
  validationFailed,
  writeFailed,
} from './odata-entity-write';
import { companyExists, mustBeFilledIn, notInRelatedTable } from './d365-validation';
import { RequestContext } from './http';
import { EmulatorState } from './state';

/**
 * F&O's `CDSContactPersonsV2` entity: contact persons, each a person party that is a contact "for"
 * another party (a customer, a vendor). Its fields, types and key are those of F&O's `$metadata` as
 * an SAP Cloud SDK client generated from it shows them (CdsContactPersonsV2.ts, CdsContactPersonsV2Api.ts:
 * key dataAreaId, ContactPersonPartyNumber, AssociatedContactType, AssociatedContactNumber; BirthDay
 * and BirthYear `Edm.Int32` not nullable). POST adds one; GET lists with `$filter`, `$select`, `$top`,
 * `cross-company` (README "Contact persons"). Unknown properties are refused as OData does.
 *
 * Not confirmed from a source, and kept narrow: the member names of the enum
 * `SmmContactPersonCdsAssociatedContactType` (the emulator knows `Customer` and `Vendor`), and that
 * `ContactPersonPartyNumber` may be omitted on POST (the party number sequence gives it, as for
 * CustomersV3's `PartyNumber`).
 */
export const CONTACT_ENTITY_SET = 'CDSContactPersonsV2';
export const CONTACT_ENTITY_TYPE = 'Microsoft.Dynamics.DataEntities.CDSContactPersonV2';

const NS = 'Microsoft.Dynamics.DataEntities';
const noYes: EntityFieldType = { enum: `${NS}.NoYes`, values: ['No', 'Yes'] };
const associatedType: EntityFieldType = {
  enum: `${NS}.SmmContactPersonCdsAssociatedContactType`,
  values: ['Customer', 'Vendor'],
};
const STRING_FIELDS = [
  'dataAreaId',
  'ContactPersonPartyNumber',
  'AssociatedContactNumber',
  'PrimaryURL',
  'PrimaryAddressDescription',
  'ContactPersonId',
  'PrimaryFaxNumber',
  'PrimaryAddressCountryRegionId',
  'PrimaryAddressStreet',
  'PrimaryAddressCity',
  'GovernmentIdentificationNumber',
  'LastName',
  'PrimaryTwitter',
  'PrimaryAddressStateId',
  'SpouseName',
  'PrimaryLinkedIn',
  'PrimaryAddressZipCode',
  'EmploymentProfession',
  'EmploymentDepartment',
  'PrimaryPhoneNumber',
  'ContactPersonPartyType',
  'PrimaryAddressLocationRoles',
  'PrimaryEmailAddress',
  'PrimaryFacebook',
  'Notes',
  'PrimaryAddressStreetNumber',
  'DecisionMakingRoleCode',
  'MiddleName',
  'PrimaryAddressCountyId',
  'ContactPersonResponsiblePersonnelNumber',
  'FirstName',
  'PrimaryAddressCountryRegionISOCode',
] as const;

/** Every property of the entity type, with its OData type (Int32 read as a number, like decimals). */
export const CONTACT_FIELDS: Record<string, EntityFieldType> = {
  ...Object.fromEntries(STRING_FIELDS.map((name) => [name, 'string' as const])),
  AssociatedContactType: associatedType,
  IsContactPersonExternallyMaintained: noYes,
  IsReceivingDirectMail: noYes,
  IsInactive: noYes,
  Gender: { enum: `${NS}.Gender`, values: ['Unknown', 'Male', 'Female', 'NonSpecific'] },
  MaritalStatus: {
    enum: `${NS}.DirPersonMaritalStatus`,
    values: ['None', 'Married', 'Single', 'Divorced', 'Widowed', 'Cohabiting'],
  },
  BirthMonth: {
    enum: `${NS}.MonthsOfYear`,
    values: [
      'None',
      ...'January February March April May June July August September October November December'.split(' '),
    ],
  },
  BirthDay: 'decimal',
  BirthYear: 'decimal',
};

const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`;

function keyPath(origin: string, r: ContactPersonRecord): string {
  return `${origin}/data/${CONTACT_ENTITY_SET}(dataAreaId=${quote(r.legalEntity.toLowerCase())},ContactPersonPartyNumber=${quote(r.partyNumber)},AssociatedContactType=${NS}.SmmContactPersonCdsAssociatedContactType'${r.associatedType}',AssociatedContactNumber=${quote(r.associatedNumber)})`;
}

/** The entity as F&O returns it (every field; blank ones empty, flags No, numbers 0). */
export function contactRepresentation(r: ContactPersonRecord, select?: string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    dataAreaId: r.legalEntity.toLowerCase(),
    ContactPersonPartyNumber: r.partyNumber,
    ContactPersonId: r.contactPersonId,
    AssociatedContactType: r.associatedType,
    AssociatedContactNumber: r.associatedNumber,
    ContactPersonPartyType: 'Person',
    FirstName: r.firstName,
    MiddleName: r.middleName,
    LastName: r.lastName,
    PrimaryEmailAddress: r.email,
    PrimaryPhoneNumber: r.phone,
    BirthMonth: 'None',
    Gender: 'Unknown',
    MaritalStatus: 'None',
  };
  return representFields(all, CONTACT_FIELDS, select);
}

const TABLE = 'SmmContactPersonCDSV2Entity';

/** `/data/CDSContactPersonsV2`: POST (create) and GET (query); nothing by key in the emulator. */
export function handleContactPersons(state: EmulatorState, ctx: RequestContext, keyed: boolean): void {
  if (!keyed && ctx.method === 'POST') createContactPerson(state, ctx);
  else if (!keyed && ctx.method === 'GET')
    answerEntityQuery(ctx, {
      entitySet: CONTACT_ENTITY_SET,
      entityType: CONTACT_ENTITY_TYPE,
      fields: CONTACT_FIELDS,
      pageSize: state.settings.pageSize,
      rows: (crossCompany) =>
        state.contactPersons
          .all()
          .filter((r) => crossCompany || r.legalEntity === state.options.defaultLegalEntity)
          .map((r) => (select?: string[]) => contactRepresentation(r, select)),
    });
  else
    sendODataError(
      ctx,
      405,
      odataError(`The emulator supports only POST and GET of the ${CONTACT_ENTITY_SET} entity set.`),
    );
}

function createContactPerson(state: EmulatorState, ctx: RequestContext): void {
  const input = readEntityBody(ctx, CONTACT_FIELDS, CONTACT_ENTITY_TYPE);
  if (!input) return;
  const text = (name: string): string => String(input[name] ?? '').trim();
  const legalEntity = (text('dataAreaId') || state.options.defaultLegalEntity).toUpperCase();
  if (!companyExists(state.options, legalEntity)) {
    sendODataError(ctx, 400, writeFailed(TABLE, [`Error: Company '${legalEntity}' does not exist.`]));
    return;
  }
  const type = text('AssociatedContactType');
  const number = text('AssociatedContactNumber');
  const customer =
    type === 'Customer' && number !== '' ? state.customers.find(legalEntity, number) : undefined;
  const warnings = [
    ...(type === '' ? [mustBeFilledIn('Contact for type')] : []),
    ...(number === '' ? [mustBeFilledIn('Contact for')] : []),
    // The emulator holds customers only: a contact of a vendor is refused as an unknown party.
    ...(number !== '' && !customer
      ? [notInRelatedTable(number, 'Contact for', type === 'Vendor' ? 'Vendors' : 'Customers')]
      : []),
  ];
  if (warnings.length > 0) {
    sendODataError(ctx, 400, validationFailed(TABLE, warnings));
    return;
  }
  const pending = {
    legalEntity,
    associatedType: 'Customer',
    associatedNumber: customer!.account,
    firstName: text('FirstName'),
    middleName: text('MiddleName'),
    lastName: text('LastName'),
    email: text('PrimaryEmailAddress'),
    phone: text('PrimaryPhoneNumber'),
    ...(text('ContactPersonPartyNumber') !== '' && { partyNumber: text('ContactPersonPartyNumber') }),
  };
  answerCreated<ContactPersonRecord>(ctx, {
    entitySet: CONTACT_ENTITY_SET,
    preview: { ...pending, partyNumber: '', contactPersonId: '' },
    commit: () => {
      const added = state.contactPersons.add(pending);
      state.stats.contactPersonsCreated += 1;
      return added;
    },
    represent: (row) => contactRepresentation(row),
    location: (row) => keyPath(ctx.origin, row),
  });
}
