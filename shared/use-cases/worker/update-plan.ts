import type { CustomerRequest } from '../../domain/customer-contract';
import { parseCustomerRequest } from '../../domain/customer-contract';
import { emailKeyField } from '../../domain/customer-identity';
import {
  AddressShape,
  applyMergePatch,
  AsSent,
  changedFields,
  digestFields,
  effectivePatch,
  FieldStamps,
  isAsSent,
  parseDigests,
  placeholderCustomer,
  SentDigests,
  serialiseDigests,
  stampFields,
  UpdateRequest,
  withSent,
} from '../../domain/customer-update';
import type { CustomerLink } from '../../ports';
import type { UpdateDeps } from './deps';

/**
 * What an update sends (issue 17), now that the link keeps digests of what we last sent instead of
 * the customer (issue 27): the members newer updates did not set already, merged into a placeholder
 * customer (each member maps to its own entity fields, so the others do not matter); the entity
 * fields those members set, compared with the digests. A patch that replaces one address list
 * needs the other list's address as D365 holds it (the two lists share the address fields): it
 * asks for D365's current customer first (`needs-d365`), as does a link written before the digests.
 */
export type Plan =
  | { kind: 'stale' }
  | { kind: 'invalid' }
  | { kind: 'needs-d365' }
  | { kind: 'unchanged'; save: LinkSave }
  | { kind: 'send'; save: LinkSave; changes: Record<string, unknown>; asSent: AsSent };

/**
 * What the link keeps after the update; `sourceDigest` (issue 28): the digest of the shop's customer
 * the update carried (the shop's echo of it is then a no-op), cleared by any other update.
 */
export type LinkSave = Pick<CustomerLink, 'fieldStamps' | 'sentDigests'> & {
  emailKey?: string;
  sourceDigest: string | undefined;
};

type Update = UpdateRequest['Update'];
const LISTS = ['BillingAddress', 'ShippingAddress'] as const;

export function planUpdate(
  link: CustomerLink,
  u: Update,
  deps: UpdateDeps,
  current?: Record<string, unknown>,
): Plan {
  if (u.anonymise) return planAnonymisation(link, deps, current);
  const stamps = JSON.parse(link.fieldStamps) as FieldStamps;
  const patch = effectivePatch(u.customer, stamps, u.stamp).customer;
  const members = Object.keys(patch);
  if (members.length === 0) return { kind: 'stale' };
  const stored = parseDigests(link.sentDigests);
  const named = LISTS.filter((list) => members.includes(list));
  if ((named.length === 1 || !stored) && current === undefined) return { kind: 'needs-d365' };
  // A link without digests (written before issue 27): as if we had last sent what D365 holds now.
  const sent = stored ?? digestFields(current!, { BillingAddress: 'No', ShippingAddress: 'No' });
  const base = placeholderCustomer(link.legalEntity);
  for (const list of LISTS) {
    if (named.length === 1 && !named.includes(list))
      base.Customer[list] = deps.entityFields.addressList(current!, list, sent.shape?.[list]);
  }
  const parsed = parseCustomerRequest(applyMergePatch(base, { Customer: patch }), {
    defaultCustomerGroup: deps.defaultCustomerGroup,
  });
  if (!parsed.ok) return { kind: 'invalid' };
  const asSent: AsSent = (field, value) => isAsSent(sent, field, value);
  const next = deps.toD365Fields(parsed.value);
  const changes = changedFields(next, deps.entityFields.fieldsOf(members), asSent);
  const shape = named.length > 0 ? nextShape(sent.shape, parsed.value, named) : sent.shape;
  const save: LinkSave = {
    fieldStamps: JSON.stringify(stampFields(stamps, members, u.stamp)),
    sentDigests: serialiseDigests(withSent(sent, changes, shape)),
    ...(members.includes('EmailAddress') && emailKeyField(parsed.value.Customer.EmailAddress)),
    sourceDigest: u.sourceDigest,
  };
  if (Object.keys(changes).length === 0) return { kind: 'unchanged', save };
  return { kind: 'send', save, changes, asSent };
}

/**
 * An erasure's anonymisation (issue 27): the placeholders for what D365 holds now, sent whatever was
 * changed there (no conflict: the customer asked to be forgotten); what D365 already holds is not
 * sent again, so a repeat after a lost answer ends `unchanged`.
 */
function planAnonymisation(link: CustomerLink, deps: UpdateDeps, current?: Record<string, unknown>): Plan {
  if (current === undefined) return { kind: 'needs-d365' };
  const changes = deps.entityFields.anonymise(current);
  const sent = parseDigests(link.sentDigests) ?? digestFields(current, undefined);
  const save: LinkSave = {
    fieldStamps: link.fieldStamps,
    sentDigests: serialiseDigests(withSent(sent, changes)),
    sourceDigest: undefined,
  };
  if (Object.keys(changes).length === 0) return { kind: 'unchanged', save };
  return { kind: 'send', save, changes, asSent: () => true };
}

/** Per address list: the `PrimaryAddress` of the address that plays the list's role (the one marked primary, else the first). */
export function shapeOf(
  request: CustomerRequest,
  lists: readonly (typeof LISTS)[number][] = LISTS,
): AddressShape {
  const shape: AddressShape = {};
  for (const list of lists) {
    const addresses = request.Customer[list] ?? [];
    if (addresses.length > 0)
      shape[list] = addresses.some((address) => address.PrimaryAddress === 'Yes') ? 'Yes' : 'No';
  }
  return shape;
}

/** The shape after the named lists were replaced (a list emptied has no entry). */
function nextShape(
  previous: AddressShape | undefined,
  request: CustomerRequest,
  named: readonly (typeof LISTS)[number][],
): AddressShape {
  const shape: AddressShape = { ...previous };
  for (const list of named) delete shape[list];
  return { ...shape, ...shapeOf(request, named) };
}

/** The digests a create leaves on its link: of the customer as its create mapped it. */
export function createdDigests(request: CustomerRequest, toFields: UpdateDeps['toD365Fields']): SentDigests {
  return digestFields(toFields(request), shapeOf(request));
}
