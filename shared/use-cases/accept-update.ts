import { canonicalJson, FieldError } from '../domain/customer-contract';
import {
  checkCustomerPatch,
  orderStamp,
  placeholderCustomer,
  UpdateRequest,
} from '../domain/customer-update';
import { createHash } from 'node:crypto';
import { CustomerLink, CustomerLinkKey, CustomerLinks } from '../ports';
import { AcceptDeps, AcceptOptions, acceptValidated, AcceptResult, isErased } from './accept-customer';
import { errorName } from '../domain/failure';

/**
 * Update intake (issue 17): a JSON Merge Patch of a known customer, by its D365 account or by its
 * source's customer ID. The customer must be linked (created through this app, or the create is
 * still running: then the update waits for it in the worker); an unknown one is refused with
 * nothing stored or queued. Each member the patch sets must be valid (the create's rules; pointers
 * into the patch) and the customer must keep its required members;
 * then the update is stored and queued like a create (Idempotency-Key, Prefer: wait, status).
 */
export interface UpdateIntake {
  key: CustomerLinkKey;
  patch: unknown;
  /** The source's clock or the caller's version (else the arrival time orders it). */
  order?: { kind: 'source' | 'version'; value: number };
}

export type AcceptUpdateResult = AcceptResult | { kind: 'not-found' };

export async function acceptUpdate(
  intake: UpdateIntake,
  deps: AcceptDeps & { links: CustomerLinks },
  options: AcceptOptions = {},
): Promise<AcceptUpdateResult> {
  let link: CustomerLink | undefined;
  try {
    link = await deps.links.get(intake.key);
  } catch (error) {
    deps.log.error('customer.update.link_failed', { reason: errorName(error) });
    return { kind: 'unavailable' };
  }
  if (intake.key.kind === 'reference') {
    const erased = await isErased(intake.key, deps);
    if (erased !== false) return { kind: erased };
  }
  if (!link) return { kind: 'not-found' };
  const now = deps.now?.() ?? new Date();
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
      stamp: orderStamp(now.getTime(), intake.order),
    },
  };
  // The fingerprint leaves the arrival time out: a repeat of the same patch under its key is a replay.
  const fingerprint = createHash('sha256')
    .update(canonicalJson({ key: intake.key, customer: checked.customer, order: intake.order ?? null }))
    .digest('base64url');
  return acceptValidated(
    {
      request: update,
      fingerprint,
      legalEntity: link.legalEntity,
      record: {
        kind: 'update',
        ...(link.customerAccount !== undefined && { customerAccount: link.customerAccount }),
        source: link.source,
        ...(link.sourceCustomerId !== undefined && { sourceCustomerId: link.sourceCustomerId }),
        ...(link.emailKey !== undefined && { emailKey: link.emailKey }),
      },
    },
    deps,
    options,
    { now },
  );
}
