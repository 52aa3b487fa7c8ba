import { raiseCustomerEvent } from './data-events';
import { completeEntity, CustomerEntity, defaultCurrency, defaultLanguage } from './customer-entity';
import { AddressContract, CustomerContract, deserializeCustomer } from './d365-contract';
import { customServiceException, EXCEPTION_TYPES, parameterNotFound } from './d365-errors';
import { checkPostalAddress } from './address-reference';
import {
  checkBirthDate,
  checkCurrency,
  checkCustomerGroup,
  checkEmail,
  companyExists,
  companyMissingMessage,
  mustBeFilledIn,
} from './d365-validation';
import { answerCommitted, isPlainObject, parseJson, RequestContext, send, sendEmpty, sendJson } from './http';
import { EmulatorState } from './state';

/**
 * Emulated F&O custom services: `/api/services/<group>/<service>/<operation>`. One operation exists,
 * `CreateCustomerServiceGroup/CreateCustomerService/CreateCustomer` with one parameter, `Customer`.
 * `GET` on the path levels lists groups, services, operations and the operation's parameters, as F&O does.
 */
interface Operation {
  parameters: { Name: string; Type: string }[];
  returnType: string;
}

const SERVICES: Record<string, Record<string, Record<string, Operation>>> = {
  CreateCustomerServiceGroup: {
    CreateCustomerService: {
      CreateCustomer: {
        parameters: [{ Name: 'Customer', Type: 'CreateCustomerContract' }],
        returnType: 'CreateCustomerResponseContract',
      },
    },
  },
};

const findName = (names: string[], wanted: string): string | undefined =>
  names.find((name) => name.toLowerCase() === wanted.toLowerCase());

export function handleCustomService(state: EmulatorState, ctx: RequestContext): void {
  const segments = ctx.url.pathname
    .replace(/^\/api\/services\/?/, '')
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  const group = segments[0] === undefined ? undefined : findName(Object.keys(SERVICES), segments[0]);
  const services = group === undefined ? undefined : SERVICES[group];
  const service =
    segments[1] === undefined || !services ? undefined : findName(Object.keys(services), segments[1]);
  const operations = service === undefined || !services ? undefined : services[service];
  const operationName =
    segments[2] === undefined || !operations ? undefined : findName(Object.keys(operations), segments[2]);
  const found =
    segments.length <= 3 &&
    (segments.length < 1 || group !== undefined) &&
    (segments.length < 2 || service !== undefined) &&
    (segments.length < 3 || operationName !== undefined);
  if (!found) {
    sendEmpty(ctx.res, 404);
    return;
  }
  if (segments.length < 3) {
    if (ctx.method !== 'GET') {
      sendEmpty(ctx.res, 405, { Allow: 'GET' });
      return;
    }
    if (segments.length === 0)
      sendJson(ctx.res, 200, { ServiceGroups: Object.keys(SERVICES).map((Name) => ({ Name })) });
    else if (segments.length === 1)
      sendJson(ctx.res, 200, { Services: Object.keys(services ?? {}).map((Name) => ({ Name })) });
    else sendJson(ctx.res, 200, { Operations: Object.keys(operations ?? {}).map((Name) => ({ Name })) });
    return;
  }
  const operation = (operations ?? {})[operationName ?? ''] as Operation;
  if (ctx.method === 'GET') {
    sendJson(ctx.res, 200, {
      Parameters: operation.parameters,
      Return: { Name: 'return', Type: operation.returnType },
    });
    return;
  }
  if (ctx.method !== 'POST') {
    sendEmpty(ctx.res, 405, { Allow: 'GET, POST' });
    return;
  }
  createCustomer(state, ctx);
}

function fail(ctx: RequestContext, infolog: string, exceptionType: string): void {
  sendJson(ctx.res, 500, customServiceException(infolog, exceptionType));
}

function createCustomer(state: EmulatorState, ctx: RequestContext): void {
  const parsed = parseJson(ctx.body);
  if (!parsed.ok) {
    fail(ctx, `The request content body is not valid JSON: ${parsed.error}`, EXCEPTION_TYPES.deserialization);
    return;
  }
  const body = parsed.value;
  const parameterKey = isPlainObject(body)
    ? Object.keys(body).find((key) => key.toLowerCase() === 'customer')
    : undefined;
  if (!isPlainObject(body) || parameterKey === undefined) {
    sendJson(ctx.res, 500, parameterNotFound('Customer'));
    return;
  }
  const raw = body[parameterKey];
  if (raw === null) {
    fail(ctx, 'Object reference not set to an instance of an object.', EXCEPTION_TYPES.nullReference);
    return;
  }
  const contract = deserializeCustomer(raw);
  if (!contract.ok) {
    fail(
      ctx,
      `Unable to deserialize the value of parameter 'Customer' of type 'CreateCustomerContract'. ${contract.message}`,
      EXCEPTION_TYPES.deserialization,
    );
    return;
  }
  const customer = contract.value;
  const legalEntity = customer.LegalEntity.trim().toUpperCase();
  if (!companyExists(state.options, legalEntity)) {
    fail(ctx, companyMissingMessage(customer.LegalEntity), EXCEPTION_TYPES.business);
    return;
  }
  // Issue 32: an organisation is a party of its own (DirOrganization); like F&O, it needs a name.
  const organisation = customer.PartyType.trim() === 'Organization';
  const problems = [
    ...(organisation
      ? customer.OrganizationName.trim() === ''
        ? [mustBeFilledIn('Name')]
        : []
      : customer.FirstName.trim() === ''
        ? [mustBeFilledIn('First name')]
        : []),
    ...checkCustomerGroup(state.options, customer.CustomerGroup),
    ...checkCurrency(customer.CurrencyCode),
    ...checkEmail(customer.EmailAddress),
    ...checkBirthDate(customer.DateOfBirth),
    ...[...customer.BillingAddress, ...customer.ShippingAddress].flatMap((address) =>
      checkPostalAddress(state.settings.addressReference, {
        country: address.CountryCode,
        state: address.State,
        zip: address.PostalCode,
      }),
    ),
  ];
  if (problems.length > 0) {
    fail(ctx, [...new Set(problems)].join(' '), EXCEPTION_TYPES.business);
    return;
  }
  const account = state.customers.nextAccount(legalEntity);
  const partyNumber = state.customers.nextPartyNumber();
  const commit = (): void => {
    const added = state.customers.add({
      account,
      legalEntity,
      via: 'custom-service',
      fields: contractToEntity(customer, legalEntity, account, partyNumber, {
        storesEmail: state.settings.customServiceStoresEmail,
      }),
      contract: { ...customer },
    });
    state.stats.customersCreated += 1;
    raiseCustomerEvent(state.dataEvents, state.rng, added, 'Create', 'custom-service');
  };
  answerCommitted(
    ctx,
    () => {
      const shape = state.settings.customServiceResponse;
      if (shape === 'string') {
        sendJson(ctx.res, 200, account);
        return;
      }
      if (shape !== 'object') {
        const bodies = {
          'contract-without-account': '{"$id":"1"}',
          null: 'null',
          empty: '',
          boolean: 'true',
        };
        send(ctx.res, 200, bodies[shape], { 'Content-Type': 'application/json; charset=utf-8' });
        return;
      }
      const answer: Record<string, string> = { $id: '1', [state.settings.accountField]: account };
      if (!('LegalEntity' in answer)) answer.LegalEntity = legalEntity;
      if (!('PartyNumber' in answer)) answer.PartyNumber = partyNumber;
      send(ctx.res, 200, JSON.stringify(answer), { 'Content-Type': 'application/json; charset=utf-8' });
    },
    commit,
  );
}

/** The address of a list that plays its role: the one marked primary, else the first. */
const chosen = (addresses: AddressContract[]): AddressContract | undefined =>
  addresses.find((a) => a.PrimaryAddress === 'Yes') ?? addresses[0];

/** The party's primary postal address: billing marked primary, else shipping marked primary, else the first. */
function primaryAddress(customer: CustomerContract): AddressContract | undefined {
  const primary = [...customer.BillingAddress, ...customer.ShippingAddress].find(
    (a) => a.PrimaryAddress === 'Yes',
  );
  return primary ?? customer.BillingAddress[0] ?? customer.ShippingAddress[0];
}

/** How the custom service's customer shows in CustomersV3. */
function contractToEntity(
  customer: CustomerContract,
  legalEntity: string,
  account: string,
  partyNumber: string,
  options: { storesEmail: boolean },
): CustomerEntity {
  const primary = primaryAddress(customer);
  const billing = chosen(customer.BillingAddress);
  const shipping = chosen(customer.ShippingAddress);
  const name = [customer.FirstName, customer.MiddleName, customer.LastName]
    .filter((p) => p.trim() !== '')
    .join(' ');
  const organisation = customer.PartyType.trim() === 'Organization';
  return completeEntity({
    dataAreaId: legalEntity.toLowerCase(),
    CustomerAccount: account,
    PartyNumber: partyNumber,
    ...(organisation
      ? {
          // The contact person is the X++ code's to store (a ContactPerson); CustomersV3 shows the organisation.
          PartyType: 'Organization',
          NameAlias: customer.OrganizationName,
          OrganizationName: customer.OrganizationName,
          TaxExemptNumber: customer.TaxNumber,
        }
      : {
          PartyType: 'Person',
          NameAlias: name,
          PersonFirstName: customer.FirstName,
          PersonMiddleName: customer.MiddleName,
          PersonLastName: customer.LastName,
          PersonGender: customer.Gender,
        }),
    CustomerGroupId: customer.CustomerGroup.trim(),
    SalesCurrencyCode: (customer.CurrencyCode || defaultCurrency(legalEntity)).toUpperCase(),
    LanguageId: defaultLanguage(legalEntity),
    // Whether the X++ code stores the e-mail as the primary contact is its own choice (setting).
    ...(options.storesEmail && { PrimaryContactEmail: customer.EmailAddress }),
    PrimaryContactPhone: customer.ContactNumber,
    ...(primary
      ? {
          AddressDescription: primary.Addresstitle,
          AddressStreet: primary.Street,
          AddressCity: primary.City,
          AddressState: primary.State,
          AddressZipCode: primary.PostalCode,
          AddressCountryRegionId: primary.CountryCode.toUpperCase(),
        }
      : {}),
    ...(shipping
      ? {
          DeliveryAddressDescription: shipping.Addresstitle,
          DeliveryAddressStreet: shipping.Street,
          DeliveryAddressCity: shipping.City,
          DeliveryAddressState: shipping.State,
          DeliveryAddressZipCode: shipping.PostalCode,
          DeliveryAddressCountryRegionId: shipping.CountryCode.toUpperCase(),
        }
      : {}),
    ...(billing
      ? {
          InvoiceAddressDescription: billing.Addresstitle,
          InvoiceAddressStreet: billing.Street,
          InvoiceAddressCity: billing.City,
          InvoiceAddressState: billing.State,
          InvoiceAddressZipCode: billing.PostalCode,
          InvoiceAddressCountryRegionId: billing.CountryCode.toUpperCase(),
        }
      : {}),
  });
}
