import { raiseCustomerEvent } from './data-events';
import {
  completeEntity,
  CustomerEntity,
  defaultLanguage,
  ENTITY_FIELDS,
  ENTITY_SET,
  ENTITY_TYPE,
  EntityFieldType,
  isModeledField,
} from './customer-entity';
import { odataError, odataWriteFailed } from './d365-errors';
import { etag, keyPath, ODATA_HEADERS, representation, sendODataError } from './d365-odata-entity';
import { checkPostalAddress } from './address-reference';
import { checkLocationRoles } from './location-roles';
import {
  checkCurrency,
  checkCustomerGroup,
  checkEmail,
  companyExists,
  companyMissingMessage,
  mustBeFilledIn,
} from './d365-validation';
import { answerCommitted, isPlainObject, parseJson, RequestContext, sendEmpty, sendJson } from './http';
import { CustomerRecord } from './customers-store';
import { EmulatorState } from './state';

/**
 * Checks the JSON types of a posted (or patched) entity as the OData deserializer does (400 before any
 * business rule): every property must exist on `entityType`, a string field takes a string, a
 * decimal a number, an enum one of its member names (any case) and never null. A field `modeled`
 * says the emulator does not type takes any JSON primitive, as F&O would convert it.
 */
export function deserializeODataEntity(
  body: Record<string, unknown>,
  fields: Record<string, EntityFieldType>,
  entityType: string,
  modeled: (name: string) => boolean = () => true,
): { ok: true; entity: CustomerEntity } | { ok: false; message: string } {
  const entity: CustomerEntity = {};
  for (const [name, value] of Object.entries(body)) {
    if (name.startsWith('@odata.') || name.includes('@')) continue;
    const type = fields[name];
    if (type === undefined) {
      return {
        ok: false,
        message: `The property '${name}' does not exist on type '${entityType}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
      };
    }
    if (!modeled(name)) {
      // A CDM field the emulator does not type: any JSON primitive, as F&O would convert it.
      if (value === null) continue;
      if (typeof value === 'object') {
        return {
          ok: false,
          message: `Cannot convert a primitive value to the expected type of property '${name}'. See the inner exception for more details.`,
        };
      }
      entity[name] = typeof value === 'boolean' ? (value ? 'Yes' : 'No') : (value as string | number);
      continue;
    }
    if (type === 'string') {
      if (value === null) continue;
      if (typeof value !== 'string') {
        return {
          ok: false,
          message: `Cannot convert a primitive value to the expected type 'Edm.String'. See the inner exception for more details.`,
        };
      }
      entity[name] = value;
    } else if (type === 'decimal') {
      if (typeof value !== 'number') {
        return {
          ok: false,
          message: `Cannot convert the literal '${String(value)}' to the expected type 'Edm.Decimal'.`,
        };
      }
      entity[name] = value;
    } else {
      const member =
        typeof value === 'string'
          ? type.values.find((v) => v.toLowerCase() === value.toLowerCase())
          : undefined;
      if (value === null) {
        return {
          ok: false,
          message: `A null value was found for the property named '${name}', which has the expected type '${type.enum}[Nullable=False]'. The expected type '${type.enum}[Nullable=False]' does not allow null values.`,
        };
      }
      if (member === undefined) {
        return {
          ok: false,
          message: `The value '${String(value)}' is not valid for the enum type '${type.enum}'.`,
        };
      }
      entity[name] = member;
    }
  }
  return { ok: true, entity };
}

/** The CustomersV3 deserializer (`CustCustomerV3Entity`'s fields). */
export const deserializeEntity = (body: Record<string, unknown>) =>
  deserializeODataEntity(body, ENTITY_FIELDS, ENTITY_TYPE, isModeledField);

/**
 * Reads a POST's or PATCH's body as the OData deserializer does: a JSON object whose fields have
 * their entity types. Answers the 400 itself and returns undefined when it is not.
 */
export function readEntityBody(
  ctx: RequestContext,
): { body: Record<string, unknown>; entity: CustomerEntity } | undefined {
  const parsed = parseJson(ctx.body);
  const body = parsed.ok && isPlainObject(parsed.value) ? parsed.value : undefined;
  const deserialized = body
    ? deserializeEntity(body)
    : {
        ok: false as const,
        message: `The request body is not a valid JSON object: ${parsed.ok ? 'not an object' : parsed.error}`,
      };
  if (!deserialized.ok) {
    sendODataError(
      ctx,
      400,
      odataError('An error has occurred.', {
        message: deserialized.message,
        type: 'Microsoft.OData.ODataException',
      }),
    );
    return undefined;
  }
  return { body: body!, entity: deserialized.entity };
}

/** `POST /data/CustomersV3`: the OData deserializer's type checks, F&O's business rules, then the insert. */
export function createCustomer(state: EmulatorState, ctx: RequestContext): void {
  const read = readEntityBody(ctx);
  if (!read) return;
  const input = read.entity;
  const requestedCompany = String(input.dataAreaId ?? state.options.defaultLegalEntity);
  const legalEntity = requestedCompany.trim().toUpperCase();
  if (!companyExists(state.options, legalEntity)) {
    sendODataError(ctx, 400, odataWriteFailed([`Error: ${companyMissingMessage(requestedCompany)}`]));
    return;
  }
  const requestedAccount = String(input.CustomerAccount ?? '').trim();
  // PartyType defaults to Organization (CustomersV3 on Microsoft Learn); a party needs a name.
  const partyType = String(input.PartyType ?? 'Organization');
  const named =
    partyType === 'Organization'
      ? String(input.OrganizationName ?? '').trim() !== ''
      : [input.PersonFirstName, input.PersonLastName].some((n) => String(n ?? '').trim() !== '');
  const manual = state.settings.manualNumberSequences.includes(legalEntity);
  const warnings = [
    ...(requestedAccount === '' && manual ? [mustBeFilledIn('Customer account')] : []),
    ...(named ? [] : [mustBeFilledIn(partyType === 'Organization' ? 'Name' : 'First name')]),
    ...checkCustomerGroup(state.options, String(input.CustomerGroupId ?? '')),
    // SalesCurrencyCode is mandatory on the entity (CustTable.Currency): no company default here.
    ...(String(input.SalesCurrencyCode ?? '').trim() === ''
      ? [mustBeFilledIn('Currency')]
      : checkCurrency(String(input.SalesCurrencyCode))),
    ...checkEmail(String(input.PrimaryContactEmail ?? '')),
    ...checkLocationRoles(
      input.AddressLocationRoles === undefined ? undefined : String(input.AddressLocationRoles),
    ),
    ...(['Address', 'DeliveryAddress', 'InvoiceAddress'] as const).flatMap((prefix) =>
      input[`${prefix}CountryRegionId`] === undefined
        ? []
        : checkPostalAddress(state.settings.addressReference, {
            country: String(input[`${prefix}CountryRegionId`]),
            state: input[`${prefix}State`] === undefined ? undefined : String(input[`${prefix}State`]),
            zip: input[`${prefix}ZipCode`] === undefined ? undefined : String(input[`${prefix}ZipCode`]),
          }),
    ),
  ];
  if (warnings.length > 0) {
    sendODataError(
      ctx,
      400,
      odataWriteFailed([
        ...warnings.map((w) => `Warning: ${w}`),
        'Error: Error found when validating record.',
      ]),
    );
    return;
  }
  if (requestedAccount !== '' && state.customers.find(legalEntity, requestedAccount)) {
    sendODataError(
      ctx,
      400,
      odataWriteFailed([
        `Error: Cannot create a record in Customers (CustTable). Customer account: ${requestedAccount}. The record already exists.`,
      ]),
    );
    return;
  }
  const account = requestedAccount || state.customers.nextAccount(legalEntity);
  const fields = completeEntity({
    ...input,
    dataAreaId: legalEntity.toLowerCase(),
    CustomerAccount: account,
    PartyType: partyType,
    PartyNumber: state.customers.nextPartyNumber(),
    CustomerGroupId: String(input.CustomerGroupId).trim(),
    SalesCurrencyCode: String(input.SalesCurrencyCode).toUpperCase(),
    LanguageId: String(input.LanguageId || defaultLanguage(legalEntity)),
    NameAlias:
      String(input.NameAlias ?? '') ||
      String(input.OrganizationName ?? '') ||
      [input.PersonFirstName, input.PersonMiddleName, input.PersonLastName].filter(Boolean).join(' '),
  });
  const pending = { account, legalEntity, via: 'odata' as const, fields };
  // The answer shows the committed record; under a slow commit it is written before the commit.
  let record: CustomerRecord = {
    ...pending,
    recId: 0,
    createdAt: new Date().toISOString(),
    recVersion: 1,
    updates: { odata: 0, operator: 0, history: [], dropped: 0 },
  };
  const commit = (): void => {
    record = state.customers.add(pending);
    state.stats.customersCreated += 1;
    // F&O makes the entity's address groups party locations: CustomerPostalAddresses lists them.
    state.postalAddresses.addFromCustomer(record);
    raiseCustomerEvent(state.dataEvents, state.rng, record, 'Create', 'odata');
  };
  answerCommitted(
    ctx,
    () => {
      const location = keyPath(ctx.origin, record);
      const headers = { ...ODATA_HEADERS, Location: location, ETag: etag(record) };
      if (/return=minimal/i.test(String(ctx.req.headers.prefer ?? ''))) {
        sendEmpty(ctx.res, 204, {
          ...headers,
          'OData-EntityId': location,
          'Preference-Applied': 'return=minimal',
        });
        return;
      }
      sendJson(
        ctx.res,
        201,
        { '@odata.context': `${ctx.origin}/data/$metadata#${ENTITY_SET}/$entity`, ...representation(record) },
        headers,
      );
    },
    commit,
  );
}
