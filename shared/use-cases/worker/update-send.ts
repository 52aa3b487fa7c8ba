import { AsSent, decideOnCurrent } from '../../domain/customer-update';
import type { CustomerLink, D365CustomerSnapshot, GateSlot } from '../../ports';
import type { UpdateDeps } from './deps';

/** What sending an update's changes came to. */
export type Sent =
  | { kind: 'applied'; etag?: string }
  /** UPDATE_CONFLICT_POLICY=d365: D365 changed these fields meanwhile; its values stay. */
  | { kind: 'keep-d365'; fields: string[] }
  /** UPDATE_CONFLICT_POLICY=review: nothing was sent; an operator compares these fields. */
  | { kind: 'review'; fields: string[] }
  /** D365 has no customer with this account (any more). */
  | { kind: 'not-found' }
  /** D365 answered 412 every time: the customer kept changing there. */
  | { kind: 'still-changing' };

export interface Changes {
  /** The entity fields to PATCH. */
  changes: Record<string, unknown>;
  /** Whether a value is what we last sent for a field (the link's digests). */
  asSent: AsSent;
  /** An earlier update's PATCH of unknown outcome (its changes), compared with D365's values too. */
  pending: Record<string, unknown>;
}

const ROUNDS = 3;

/**
 * The PATCH with If-Match. Without an ETag of our last write (the first update, or after a 412)
 * D365's current values are read first: a field we change that D365 holds with another value than
 * we last sent was changed there, and the policy decides; values already equal to ours mean our own
 * earlier PATCH went through (its answer was lost).
 */
export async function sendChanges(
  link: CustomerLink,
  account: string,
  what: Changes,
  slot: GateSlot,
  deps: UpdateDeps,
  /** D365's customer as just read for the plan: decided on instead of reading it again. */
  read?: D365CustomerSnapshot,
): Promise<Sent> {
  const { changes, asSent, pending } = what;
  let etag = read ? undefined : link.d365Etag;
  let fresh = read;
  for (let round = 0; round < ROUNDS; round++) {
    if (etag === undefined) {
      const current =
        fresh ?? (await slot.run(() => deps.d365Updates.getCustomer(link.legalEntity, account)));
      fresh = undefined;
      if (!current) return { kind: 'not-found' };
      const decision = decideOnCurrent(current.fields, asSent, changes, deps.conflictPolicy, pending);
      switch (decision.kind) {
        case 'already-applied':
          return { kind: 'applied', etag: current.etag };
        case 'keep-d365':
        case 'review':
          return decision;
        case 'overwrite':
          deps.log.warn('customer.update.overwrote_d365', { reason: decision.fields.join(',') });
          etag = '*';
          break;
        case 'patch':
          etag = current.etag;
      }
    }
    const ifMatch: string = etag;
    const result = await slot.run(() =>
      deps.d365Updates.patchCustomer(link.legalEntity, account, changes, { etag: ifMatch }),
    );
    if (result.kind === 'applied') return { kind: 'applied', ...(result.etag && { etag: result.etag }) };
    if (result.kind === 'not_found') return { kind: 'not-found' };
    etag = undefined; // 412: D365 changed the customer since our ETag; read what it holds now
  }
  return { kind: 'still-changing' };
}
