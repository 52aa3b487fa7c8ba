import type { GateSlot, IdentityClaim } from '../../ports';
import { later } from '../clock';
import { takeSlot } from './claim';
import { callSeconds, Claimed, Stop, WorkerDeps } from './deps';

/** What a create holds while it runs, given up when it ends (create.ts, `runCreate`). */
export interface CreateHold {
  /** The fleet's D365 slot for the lookup and the create. */
  slot?: GateSlot;
  /** The slot's give-back after the create, running while the outcome is written. */
  releasing?: Promise<void>;
  /** The customer's identity claim (link/reject): one request at a time looks it up and creates it. */
  identity?: IdentityClaim;
  /** The identity claim stays until it expires: a create of unknown outcome was sent, or the customer exists. */
  keepIdentity: boolean;
  /** The identity claim's delete, started once D365 answered with the account (`releaseIdentityNow`). */
  identityReleasing?: Promise<{ error?: unknown }>;
}

/**
 * Starts the customer claim's delete as soon as D365 holds the customer with its account: the claim
 * keeps one lookup-and-create of the identity at a time, and from now on any other request's lookup
 * finds the account (it links), so the claim has done its work and need not wait for the link row
 * and `succeeded` (issue 33: one storage round trip less before the answer). The delete is
 * conditional on the claim's ETag, so it never removes a claim another invocation wrote since.
 */
export function releaseIdentityNow(hold: CreateHold): void {
  const { identity } = hold;
  if (!identity || hold.keepIdentity || hold.identityReleasing) return;
  hold.identityReleasing = identity.release().then(
    () => ({}),
    (error: unknown) => ({ error }),
  );
}

/** A gate slot for the create, keeping the customer claim (if held) alive while it waits. */
export async function takeCreateSlot(work: Claimed, hold: CreateHold, deps: WorkerDeps): Promise<Stop> {
  if (hold.slot) return undefined;
  const claim = hold.identity;
  const keepAlive = () => (claim ? claim.extend(later(deps, 2 * callSeconds(deps))) : Promise.resolve());
  const taken = await takeSlot(work.record, work.message, deps, keepAlive);
  if ('result' in taken) return taken.result;
  hold.slot = taken.slot;
  work.record = taken.record;
  return undefined;
}

/** Gives up what the create held: the slot (unless its give-back already runs) and the claim (unless kept). */
export async function releaseHold(hold: CreateHold): Promise<void> {
  await (hold.releasing ?? hold.slot?.release());
  if (hold.identityReleasing) {
    const { error } = await hold.identityReleasing;
    if (error !== undefined) throw error;
  } else if (hold.identity && !hold.keepIdentity) await hold.identity.release();
}
