import { identityAfterMatch, linkVerificationFor } from '../../domain/ownership';
import type { MatchedOn } from '../../domain/recovery-match';
import type { Outcome } from '../../domain/status';
import type { GateSlot } from '../../ports';
import { completeCreateLink } from '../create-link';
import { landContactPerson } from '../land-contact-person';
import { landFurtherAddresses } from '../land-further-addresses';
import { Claimed, ProcessResult, WorkerDeps } from './deps';
import { recordSucceeded } from './endings';
import { pendingWriteBack, queueWriteBack, wantsWriteBack } from './write-back';

/** What the lookup or the create found out about the customer, kept on the record. */
export interface CreatedDetails {
  existingAccounts?: string;
  matchedOn?: MatchedOn;
  /** The slot the lookup held (the further addresses use it rather than take another). */
  slot?: GateSlot;
}

/**
 * A create's success (created, recovered or linked): the addresses CustomersV3 could not hold land
 * under this request's lease (land-further-addresses.ts), the caller's customer is linked to the
 * account, then the request ends `succeeded` — for a shop's customer with `writeBack: pending` in
 * the same write, and the write-back queued (its own step, write-back.ts: the answer never waits
 * for the shop; a lost message is sent again by the reconciler).
 */
export async function finishCreate(
  work: Claimed,
  customerAccount: string,
  outcome: Extract<Outcome, 'created' | 'linked'>,
  deps: WorkerDeps,
  details: CreatedDetails = {},
): Promise<ProcessResult> {
  const d365Ms = Date.now() - work.started;
  const identity = identityAfterMatch(work.record.identity, {
    matchedOn: details.matchedOn,
    bySource: work.record.source !== undefined,
  });
  if (outcome === 'linked' && identity !== work.record.identity)
    work.record = await deps.statusStore.update(work.record, { identity });
  const landing = await landFurtherAddresses(work.record, customerAccount, deps, details.slot);
  work.record = landing.record;
  // An organisation's contact person comes with its creation; a linked organisation is left as D365 has it.
  const contact =
    outcome === 'created'
      ? await landContactPerson(work.record, customerAccount, deps, details.slot)
      : { record: work.record };
  work.record = contact.record;
  await linkCreated(work, customerAccount, outcome, deps);
  const { existingAccounts, matchedOn } = details;
  const writeBack = wantsWriteBack({ ...work.record, outcome }, deps.shopClients);
  const fields = {
    existingAccounts,
    matchedOn,
    ...(landing.addresses && { addresses: JSON.stringify(landing.addresses) }),
    ...(contact.contactPerson && { contactPerson: contact.contactPerson }),
    ...(writeBack && pendingWriteBack(deps)),
  };
  const result = await recordSucceeded(work.record, { customerAccount, outcome, fields, d365Ms }, deps);
  if (writeBack) await queueWriteBack(work.record.correlationId, deps);
  return result;
}

/**
 * Links the caller's customer to its account (before the record says `succeeded`, so an update
 * never finds a finished create without its link): create-link.ts, under the ownership policy.
 */
async function linkCreated(
  work: Claimed,
  customerAccount: string,
  outcome: Outcome,
  deps: WorkerDeps,
): Promise<void> {
  const verification = linkVerificationFor(outcome, work.record.identity); // the ownership policy
  await completeCreateLink(work.record, customerAccount, verification, deps);
}
