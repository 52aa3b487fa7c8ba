import { raiseCustomerEvent } from './data-events';
import { CustomerEntity, ENTITY_SET } from './customer-entity';
import { CustomerRecord } from './customers-store';
import { checkPostalAddress } from './address-reference';
import { ODataError, odataError, odataWriteFailed } from './d365-errors';
import { deserializeEntity, readEntityBody } from './d365-odata-create';
import { etag, ODATA_HEADERS, representation, sendODataError } from './d365-odata-entity';
import { resolveKey } from './d365-odata-key';
import { checkCurrency, checkCustomerGroup, checkEmail, mustBeFilledIn } from './d365-validation';
import { answerCommitted, isPlainObject, RequestContext, sendEmpty, sendJson } from './http';
import { EmulatorState } from './state';

/**
 * `PATCH /data/CustomersV3(dataAreaId='usrt',CustomerAccount='US-000001')?cross-company=true`: an update
 * of one customer, in the order F&O's OData stack handles it (each step's source in
 * dev/d365-emulator/README.md, "Updates"):
 * 1. the body is deserialized like a create's (unknown property, wrong JSON type → 400 ODataException);
 * 2. the key is resolved (a malformed key → 400; no such customer, or one in another company without
 *    `cross-company=true` → 404: Microsoft Learn "Open Data Protocol (OData)", cross-company behaviour);
 * 3. `If-Match` is evaluated (OData v4.0 Part 1 §8.2.4 and §11.4.1.1; RFC 9110 §13.1.1): a tag that
 *    is not the current ETag → 412 and nothing is written; `*` matches the existing entity; **no
 *    If-Match at all → the update is applied unconditionally**, as F&O does (captured PATCHes without the
 *    header answered 204: github.com/vglu/doc2ent content/en/cases/work-with-vendor-Invoice.md; the
 *    d365fo.integrations module's Update-D365ODataEntity sends none). F&O does not annotate its entity
 *    sets with Core.OptimisticConcurrency, so it never answers 428;
 * 4. key fields and system fields are not updatable (key values equal to the URL's are ignored, OData
 *    v4.0 Part 1 §11.4.3; other values → 400);
 * 5. F&O's validateField/validateWrite run on the merged record (Learn, "Validate methods": Update
 *    calls them as Create does) → the create's business rules for the fields the PATCH touches;
 * 6. the write: a new RecVersion, so a new ETag; **204 No Content** (OData v4.0 Part 1 §11.4.3; the
 *    captured PATCHes above), with `Prefer: return=representation` 200 and the entity (§8.2.8.7).
 * The 204 carries no ETag header (none was seen in captured answers): read the entity again for it.
 */

/** Fields an update must not change: the key (compared with the URL's) and F&O's system ids. */
const KEY_LABELS: Record<string, string> = { dataAreaId: 'Company', CustomerAccount: 'Customer account' };
const isSystemId = (name: string): boolean => /RecordId$/.test(name) || name === 'PartyNumber';

/** The best-effort message of a 412 (F&O's exact wording is not in any captured answer). */
export const PRECONDITION_FAILED_MESSAGE =
  'The ETag value in the If-Match header does not match the current ETag of the entity; the entity was changed since it was read.';

/** The entity tags of an If-Match header: `*`, or a comma list of (weak or strong) quoted tags. */
export function ifMatchTags(header: string | undefined): '*' | string[] | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return '*';
  return header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** True when `current` (our `W/"..."`) is among the tags; the weak flag is ignored, as OData services do. */
export function ifMatchSatisfied(tags: '*' | string[], current: string): boolean {
  if (tags === '*') return true;
  const opaque = (tag: string): string | undefined => /^(?:W\/)?("[^"]*")$/.exec(tag)?.[1];
  const mine = opaque(current);
  return tags.some((tag) => opaque(tag) !== undefined && opaque(tag) === mine);
}

function writeRules(state: EmulatorState, record: CustomerRecord, changes: CustomerEntity): string[] {
  const merged = { ...record.fields, ...changes };
  const touched = (...names: string[]): boolean => names.some((name) => name in changes);
  const text = (name: string): string => String(merged[name] ?? '').trim();
  const warnings: string[] = [];
  if (touched('PartyType', 'OrganizationName', 'PersonFirstName', 'PersonLastName')) {
    const organization = text('PartyType') === 'Organization';
    const named = organization
      ? text('OrganizationName') !== ''
      : text('PersonFirstName') !== '' || text('PersonLastName') !== '';
    if (!named) warnings.push(mustBeFilledIn(organization ? 'Name' : 'First name'));
  }
  if (touched('CustomerGroupId'))
    warnings.push(...checkCustomerGroup(state.options, text('CustomerGroupId')));
  if (touched('SalesCurrencyCode'))
    warnings.push(
      ...(text('SalesCurrencyCode') === ''
        ? [mustBeFilledIn('Currency')]
        : checkCurrency(text('SalesCurrencyCode'))),
    );
  if (touched('PrimaryContactEmail')) warnings.push(...checkEmail(text('PrimaryContactEmail')));
  for (const prefix of ['Address', 'DeliveryAddress', 'InvoiceAddress']) {
    const parts = ['Street', 'City', 'State', 'ZipCode', 'CountryRegionId'].map((p) => `${prefix}${p}`);
    if (!touched(...parts) || parts.every((name) => text(name) === '')) continue;
    warnings.push(
      ...checkPostalAddress(state.settings.addressReference, {
        country: text(`${prefix}CountryRegionId`),
        state: text(`${prefix}State`),
        zip: text(`${prefix}ZipCode`),
      }),
    );
  }
  return warnings;
}

export type UpdateCheck = { ok: true; changes: CustomerEntity } | { ok: false; error: ODataError };

/**
 * Steps 1, 4 and 5 for a body meant for `record`: the fields to write, or the OData error (400). The
 * control API's operator change goes through the same checks, as a change in the F&O client would.
 */
export function checkUpdate(state: EmulatorState, record: CustomerRecord, body: unknown): UpdateCheck {
  if (!isPlainObject(body))
    return {
      ok: false,
      error: odataError('An error has occurred.', {
        message: 'The request body is not a valid JSON object.',
        type: 'Microsoft.OData.ODataException',
      }),
    };
  const deserialized = deserializeEntity(body);
  if (!deserialized.ok)
    return {
      ok: false,
      error: odataError('An error has occurred.', {
        message: deserialized.message,
        type: 'Microsoft.OData.ODataException',
      }),
    };
  const changes: CustomerEntity = {};
  const refused: string[] = [];
  for (const [name, value] of Object.entries(deserialized.entity)) {
    const label = KEY_LABELS[name];
    if (label !== undefined) {
      const current = name === 'dataAreaId' ? record.legalEntity : record.account;
      if (String(value).trim().toLowerCase() !== current.toLowerCase())
        refused.push(`Error: The value of the field '${label}' cannot be changed.`);
      continue;
    }
    if (isSystemId(name) && String(value) !== String(record.fields[name] ?? '')) {
      refused.push(`Error: The value of the field '${name}' cannot be changed.`);
      continue;
    }
    if (isSystemId(name)) continue;
    // Written as the create writes them: the currency upper-cased, the customer group trimmed.
    changes[name] =
      name === 'SalesCurrencyCode'
        ? String(value).toUpperCase()
        : name === 'CustomerGroupId'
          ? String(value).trim()
          : value;
  }
  if (refused.length > 0) return { ok: false, error: odataWriteFailed(refused) };
  const warnings = writeRules(state, record, changes);
  if (warnings.length > 0)
    return {
      ok: false,
      error: odataWriteFailed([
        ...warnings.map((w) => `Warning: ${w}`),
        'Error: Error found when validating record.',
      ]),
    };
  return { ok: true, changes };
}

export function updateCustomer(state: EmulatorState, ctx: RequestContext, keyText: string): void {
  const read = readEntityBody(ctx);
  if (!read) return;
  const record = resolveKey(state, ctx, keyText);
  if (!record) return;
  const header = ctx.req.headers['if-match'];
  const tags = ifMatchTags(Array.isArray(header) ? header.join(',') : header);
  if (tags !== undefined && !ifMatchSatisfied(tags, etag(record))) {
    state.stats.updateConflicts += 1;
    sendODataError(ctx, 412, odataError(PRECONDITION_FAILED_MESSAGE));
    return;
  }
  const check = checkUpdate(state, record, read.body);
  if (!check.ok) {
    sendODataError(ctx, 400, check.error);
    return;
  }
  const checkedAt = etag(record);
  const commit = (): void => {
    // A slow commit (an `after` rule's commitDelayMs) lands after other writes may have changed the
    // row: X++ optimistic concurrency then rolls this update back (an update conflict).
    if (etag(record) !== checkedAt) return;
    state.customers.update(record, check.changes, {
      via: 'odata',
      etag,
      ifMatch: tags === undefined ? 'none' : tags === '*' ? '*' : 'match',
    });
    state.stats.customersUpdated += 1;
    raiseCustomerEvent(state.dataEvents, state.rng, record, 'Update', 'odata');
  };
  answerCommitted(
    ctx,
    () => {
      if (/return=representation/i.test(String(ctx.req.headers.prefer ?? ''))) {
        sendJson(
          ctx.res,
          200,
          {
            '@odata.context': `${ctx.origin}/data/$metadata#${ENTITY_SET}/$entity`,
            ...representation(record),
          },
          { ...ODATA_HEADERS, ETag: etag(record), 'Preference-Applied': 'return=representation' },
        );
        return;
      }
      sendEmpty(ctx.res, 204, ODATA_HEADERS);
    },
    commit,
  );
}
