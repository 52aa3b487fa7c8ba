import { ProcessingError, transient } from '../../domain/failure';
import { matchKeyOf } from '../../domain/customer-match';
import { decideRecoveryMatch } from '../../domain/recovery-match';
import type { NormalisedCustomer } from '../../domain/customer-contract/types';
import type { D365Client, D365Gate, GateSlot } from '../../ports';

/**
 * A dry run's look at D365 (issue 30): what the duplicate policy's lookup would find for a listed
 * customer that would be sent, by lookups only, each in a D365 slot of the fleet's gate at
 * background priority (behind every live request). By the customer's match key
 * (shared/domain/customer-match.ts): its e-mail, else its name and phone among customers without
 * an e-mail. Says which field matched, never the value. `wouldLink*` is what `DUPLICATE_POLICY=link`
 * does with a match (`reject` refuses it, `allow` creates anyway).
 */
export interface DryRunLookupDeps {
  d365: Pick<D365Client, 'findCustomersByEmail' | 'findCustomersByNameAndPhone'>;
  gate: D365Gate;
  /** How long a lookup waits for a slot; longer: the page goes again later. */
  maxWaitMs: number;
}

export type DryRunMatch = 'wouldCreate' | 'wouldLinkByEmail' | 'wouldLinkByNameAndPhone' | 'wouldReview';

export async function dryRunMatch(
  body: { Customer: Record<string, unknown> },
  caller: string,
  deps: DryRunLookupDeps,
): Promise<DryRunMatch> {
  const customer = body.Customer as unknown as NormalisedCustomer;
  const key = matchKeyOf(customer);
  if (key.kind !== 'email' && key.kind !== 'name_and_phone') return 'wouldCreate';
  const slot = await deps.gate.acquire(deps.maxWaitMs, {
    share: { caller, weight: 1, priority: 'background' },
  });
  if (!('run' in slot)) {
    const retryAfterSeconds = Math.max(1, Math.ceil((slot.retryAt - Date.now()) / 1000));
    throw transient(`dry run: no D365 slot (${slot.reason})`, { retryAfterSeconds });
  }
  try {
    if (key.kind === 'email') {
      const accounts = await read(slot, () =>
        deps.d365.findCustomersByEmail(customer.LegalEntity, customer.EmailAddress!),
      );
      return accounts.length > 0 ? 'wouldLinkByEmail' : 'wouldCreate';
    }
    const rows = await read(slot, () =>
      deps.d365.findCustomersByNameAndPhone(customer.LegalEntity, {
        firstName: customer.FirstName,
        ...(customer.LastName !== undefined && { lastName: customer.LastName }),
        phone: customer.ContactNumber!,
      }),
    );
    // A name that cannot be looked up exactly, or several of one name and phone: an operator's.
    if (rows === undefined) return 'wouldReview';
    const match = decideRecoveryMatch([], rows);
    return match.kind === 'found'
      ? 'wouldLinkByNameAndPhone'
      : match.kind === 'ambiguous'
        ? 'wouldReview'
        : 'wouldCreate';
  } finally {
    await slot.release();
  }
}

/** A lookup is a read: a D365 "business" answer to it is transient (tried again), never final. */
async function read<T>(slot: GateSlot, call: () => Promise<T>): Promise<T> {
  try {
    return await slot.run(call);
  } catch (error) {
    if (
      error instanceof ProcessingError &&
      error.failure.kind === 'permanent' &&
      error.failure.code === 'business_error'
    )
      throw transient(`D365 lookup failed: ${error.failure.message}`);
    throw error;
  }
}
