import { raiseCustomerEvent } from './data-events';
import { CustomerRecord } from './customers-store';
import { checkUpdate } from './d365-odata-update';
import { etag } from './d365-odata-entity';
import { parseJson, RequestContext, sendJson } from './http';
import { EmulatorState } from './state';
import { postalRepresentation } from './d365-odata-postal-addresses';
import { contactRepresentation } from './d365-odata-contact-persons';

/**
 * The control API's customers: the list (`GET /_emulator/customers`), one customer by company and
 * account (`GET /_emulator/customers/{legalEntity}/{account}`: its current fields and ETag, for
 * audits), and an operator's change "in D365" (`PATCH` of the same path), which goes through the same
 * checks as an OData PATCH and gives the customer a new RecVersion, so the app's next PATCH with the
 * ETag it read before gets 412, as after a change made in the F&O client.
 */

/** A customer as the control API shows it, with its ETag and the updates applied to it. */
export function customerView(record: CustomerRecord): Record<string, unknown> {
  return {
    account: record.account,
    legalEntity: record.legalEntity,
    fields: record.fields,
    etag: etag(record),
    createdAt: record.createdAt,
    via: record.via,
    ...(record.contract ? { contract: record.contract } : {}),
    updates: record.updates,
  };
}

/** `/customers/{legalEntity}/{account}`: true when the route was this one (answered). */
export function handleCustomerControl(state: EmulatorState, ctx: RequestContext, route: string): boolean {
  if (handlePostalAddressControl(state, ctx, route)) return true;
  if (handleContactPersonControl(state, ctx, route)) return true;
  const match = /^\/customers\/([^/]+)\/([^/]+)$/.exec(route);
  if (!match) return false;
  const [legalEntity, account] = [decodeURIComponent(match[1] ?? ''), decodeURIComponent(match[2] ?? '')];
  const record = state.customers.find(legalEntity, account);
  if (ctx.method !== 'GET' && ctx.method !== 'PATCH') {
    sendJson(ctx.res, 405, { error: 'Use GET, PATCH.' }, { Allow: 'GET, PATCH' });
    return true;
  }
  if (!record) {
    sendJson(ctx.res, 404, { error: `No customer ${account} in ${legalEntity}.` });
    return true;
  }
  if (ctx.method === 'GET') {
    sendJson(ctx.res, 200, customerView(record));
    return true;
  }
  const parsed = parseJson(ctx.body);
  if (!parsed.ok) {
    sendJson(ctx.res, 400, { error: `The body is not valid JSON: ${parsed.error}` });
    return true;
  }
  const check = checkUpdate(state, record, parsed.value);
  if (!check.ok) {
    sendJson(ctx.res, 400, { error: 'D365 refused the change.', odataError: check.error });
    return true;
  }
  state.customers.update(record, check.changes, { via: 'operator', etag });
  state.stats.operatorUpdates += 1;
  raiseCustomerEvent(state.dataEvents, state.rng, record, 'Update', 'operator');
  sendJson(ctx.res, 200, customerView(record));
  return true;
}

/**
 * `GET /_emulator/postal-addresses`: every customer postal address (as the entity shows it, plus how
 * it came) and `duplicates`, the addresses of a customer at the same place (street, city, state, ZIP,
 * country, collated) as an earlier one, for the audits; `GET /_emulator/customers/{le}/{account}/postal-addresses`:
 * one customer's.
 */
function handlePostalAddressControl(state: EmulatorState, ctx: RequestContext, route: string): boolean {
  const one = /^\/customers\/([^/]+)\/([^/]+)\/postal-addresses$/.exec(route);
  if (route !== '/postal-addresses' && !one) return false;
  if (ctx.method !== 'GET') {
    sendJson(ctx.res, 405, { error: 'Use GET.' }, { Allow: 'GET' });
    return true;
  }
  const rows = one
    ? state.postalAddresses.forCustomer(decodeURIComponent(one[1] ?? ''), decodeURIComponent(one[2] ?? ''))
    : state.postalAddresses.all();
  sendJson(ctx.res, 200, {
    value: rows.map((row) => ({ ...postalRepresentation(row), via: row.via })),
    duplicates: state.postalAddresses.duplicates(),
  });
  return true;
}

/**
 * `GET /_emulator/contact-persons`: every contact person (as the entity shows it) and `duplicates`,
 * the contacts of a customer with the same e-mail (or without one the same name) as an earlier one,
 * for the audits; `GET /_emulator/customers/{le}/{account}/contact-persons`: one customer's.
 */
function handleContactPersonControl(state: EmulatorState, ctx: RequestContext, route: string): boolean {
  const one = /^\/customers\/([^/]+)\/([^/]+)\/contact-persons$/.exec(route);
  if (route !== '/contact-persons' && !one) return false;
  if (ctx.method !== 'GET') {
    sendJson(ctx.res, 405, { error: 'Use GET.' }, { Allow: 'GET' });
    return true;
  }
  const rows = one
    ? state.contactPersons.forCustomer(decodeURIComponent(one[1] ?? ''), decodeURIComponent(one[2] ?? ''))
    : state.contactPersons.all();
  sendJson(ctx.res, 200, {
    value: rows.map((row) => contactRepresentation(row)),
    duplicates: state.contactPersons.duplicates(),
  });
  return true;
}
