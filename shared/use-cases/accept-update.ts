import { canonicalJson, FieldError } from '../domain/customer-contract';
import {
  checkCustomerPatch,
  checkVersionBounds,
  FieldStamps,
  orderStamp,
  placeholderCustomer,
  UpdateRequest,
} from '../domain/customer-update';
import { Caller, mayNameLinkOwner, mayUpdateByAccount, writeThroughLink } from '../domain/ownership';
import { createHash } from 'node:crypto';
import { CustomerLink, CustomerLinkKey, CustomerLinks } from '../ports';
import {
  AcceptDeps,
  AcceptOptions,
  acceptValidated,
  AcceptResult,
  correlationIdFor,
  isErased,
} from './accept-customer';
import { errorName } from '../domain/failure';
import { confirmLink } from './verify-link';

/**
 * Update intake (issue 17): a JSON Merge Patch of a known customer, by its D365 account or by its
 * source's customer ID. The customer must be linked (created through this app, or the create is
 * still running: then the update waits for it in the worker); an unknown one is refused with
 * nothing stored or queued. Each member the patch sets must be valid (the create's rules; pointers
 * into the patch) and the customer must keep its required members;
 * then the update is stored and queued like a create (Idempotency-Key, Prefer: wait, status).
 *
 * Who may change which customer is the ownership policy's (domain/ownership.ts): by account only
 * with the `accounts` permission (asked before the account is looked up), by reference only in
 * the caller's own namespace and not through a pending link.
 */
export interface UpdateIntake {
  caller: Caller;
  target: UpdateTarget;
  patch: unknown;
  /** The source's clock or the caller's version (else the arrival time orders it). */
  order?: { kind: 'source' | 'version'; value: number };
  /** The source's own signed payload says the shopper's identity is verified (Shopify `verified_email`). */
  verifiedBySource?: boolean;
  /**
   * A shop's delivery of the whole customer: its digest (domain/webhooks/source-digest.ts). Equal to
   * the link's, the delivery changes nothing we sync (the shop's echo of our own write): `echo`.
   */
  sourceDigest?: string;
}

export type UpdateTarget =
  | { kind: 'account'; legalEntity: string; customerAccount: string }
  /** By the caller's own reference: looked up in the caller's namespace (`caller.source`). */
  | { kind: 'reference'; reference: string };

export type AcceptUpdateResult =
  | AcceptResult
  | { kind: 'not-found' }
  /** The caller may not update by account (403, the same for every account). */
  | { kind: 'forbidden' }
  /** The caller's link is pending verification: it grants no changes (403). */
  | { kind: 'unverified' }
  /** The version is far ahead of the clock or of the customer's newest one (400; version-bounds.ts). */
  | { kind: 'invalid-version'; detail: string }
  /** A shop's delivery that changes nothing we sync (the shop's echo of our own write). */
  | { kind: 'echo' };

let lastArrival = 0;

/**
 * The arrival time of an update stamped by arrival, strictly after the previous one of this
 * instance: two updates accepted in the same millisecond keep their order (an equal stamp would
 * make the later one the "same change again", dropped as stale). Across instances arrival order is
 * only as good as their clocks (README "Customer updates").
 */
function arrivalTime(now: Date): number {
  lastArrival = Math.max(now.getTime(), lastArrival + 1);
  return lastArrival;
}

export async function acceptUpdate(
  intake: UpdateIntake,
  deps: AcceptDeps & { links: CustomerLinks },
  options: Omit<AcceptOptions, 'caller'> = {},
): Promise<AcceptUpdateResult> {
  const { caller, target } = intake;
  if (target.kind === 'account' && !mayUpdateByAccount(caller)) return { kind: 'forbidden' };
  const key: CustomerLinkKey =
    target.kind === 'account'
      ? target
      : { kind: 'reference', source: caller.source, sourceCustomerId: target.reference };
  let link: CustomerLink | undefined;
  try {
    link = await deps.links.get(key);
    if (link && target.kind === 'reference') {
      const access = writeThroughLink(caller, link, intake.verifiedBySource);
      if (access === 'unverified') return { kind: 'unverified' };
      if (access === 'confirm') link = await confirmLink(link, deps);
    }
  } catch (error) {
    deps.log.error('customer.update.link_failed', { reason: errorName(error) });
    return { kind: 'unavailable' };
  }
  if (key.kind === 'reference') {
    const erased = await isErased(key, deps);
    if (erased !== false) return { kind: erased };
  }
  if (!link) return { kind: 'not-found' };
  if (intake.sourceDigest !== undefined && intake.sourceDigest === link.sourceDigest)
    return echoOrReplay({ ...options, caller: caller.id }, deps);
  const now = deps.now?.() ?? new Date();
  if (intake.order?.kind === 'version') {
    const stamps = JSON.parse(link.fieldStamps) as FieldStamps;
    const bounds = checkVersionBounds(intake.order.value, now.getTime(), stamps);
    if (!bounds.ok) return { kind: 'invalid-version', detail: bounds.detail };
  }
  // The link keeps no copy of the customer (issue 27): the patch is checked member by member.
  const checked = checkCustomerPatch(placeholderCustomer(link.legalEntity), intake.patch, {
    defaultCustomerGroup: deps.defaultCustomerGroup,
    now,
  });
  if (!checked.ok) return { kind: 'invalid', errors: checked.errors satisfies FieldError[] };
  const update: UpdateRequest = {
    Update: {
      legalEntity: link.legalEntity,
      ...(link.customerAccount !== undefined && { customerAccount: link.customerAccount }),
      source: link.source,
      ...(link.sourceCustomerId !== undefined && { sourceCustomerId: link.sourceCustomerId }),
      customer: checked.customer,
      stamp: orderStamp(arrivalTime(now), intake.order),
      ...(intake.sourceDigest !== undefined && { sourceDigest: intake.sourceDigest }),
    },
  };
  // The fingerprint leaves the arrival time out: a repeat of the same patch under its key is a replay.
  const fingerprint = createHash('sha256')
    .update(canonicalJson({ key, customer: checked.customer, order: intake.order ?? null }))
    .digest('base64url');
  // The record (status answer, callback) names the link's owner only to that owner.
  const owner = mayNameLinkOwner(caller, link);
  return acceptValidated(
    {
      request: update,
      fingerprint,
      legalEntity: link.legalEntity,
      record: {
        kind: 'update',
        ...(link.customerAccount !== undefined && { customerAccount: link.customerAccount }),
        ...(owner && { source: link.source }),
        ...(owner && link.sourceCustomerId !== undefined && { sourceCustomerId: link.sourceCustomerId }),
        // The e-mail key (a hash) lets an erasure by e-mail find the update (issue 27).
        ...(link.emailKey !== undefined && { emailKey: link.emailKey }),
      },
    },
    deps,
    { ...options, caller: caller.id },
    { now },
  );
}

/**
 * A shop delivery that changes nothing we sync: the shop's echo of our own write, unless it is a
 * redelivery of an event that was stored as an update before (its digest became the link's when it
 * was applied): that one gets its stored answer again, as any redelivery does.
 */
async function echoOrReplay(options: AcceptOptions, deps: AcceptDeps): Promise<AcceptUpdateResult> {
  if (options.idempotencyKey === undefined) return { kind: 'echo' };
  const correlationId = await correlationIdFor(deps, options);
  if (correlationId === undefined) return { kind: 'unavailable' };
  const stored = await deps.statusStore.get(correlationId);
  return stored ? { kind: 'accepted', record: stored, replayed: true } : { kind: 'echo' };
}
