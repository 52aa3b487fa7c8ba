import { createHash } from 'node:crypto';
import { contactPersonOf, ContactPersonOutcome, isSameContact } from '../domain/contact-person';
import type { CustomerRequest } from '../domain/customer-contract';
import { ProcessingError } from '../domain/failure';
import type { StatusRecord } from '../domain/status';
import type { D365ContactPersons, GateSlot, IdentityClaim } from '../ports';
import { clock, later } from './clock';
import { LandAddressesDeps, waitAfterTransient } from './land-further-addresses';

/**
 * Lands an organisation's contact person (issue 32) on the CustomersV3 target, once the organisation
 * customer's account is known, before the request is recorded `succeeded` (README, "Organisations"):
 *
 * - Exactly once: the customer's contact persons are listed before the post (one with the same
 *   e-mail, or without e-mails the same first and last name, is `found`, not posted again), and
 *   listed again after any failure before the next post (a 504 may come after D365 added it).
 * - Fenced as the further addresses (land-further-addresses.ts): every call is preceded by a
 *   conditional write of the request's lease and by the extension of a per-customer claim, so two
 *   requests for one organisation (a retry after a crash, two hosts) never post at once.
 * - A refusal with an Infolog is checked by listing again (the insert may be committed): there →
 *   `created`, else `failed`. Transient failures are tried again with the retry policy's back-off
 *   within `maxInlineWaitMs`. A contact person that did not land never fails the organisation.
 */
export interface LandContactDeps extends Omit<LandAddressesDeps, 'postalAddresses' | 'furtherAddressesOf'> {
  contactPersons?: D365ContactPersons;
}

const DEFAULT_BUDGET_MS = 120_000;
const MARGIN_SECONDS = 5;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The claim key of a customer's contact persons (hashed: the table's row keys take no `/`). */
export function contactsClaimKey(legalEntity: string, customerAccount: string): string {
  const digest = createHash('sha256')
    .update(`${legalEntity.trim().toUpperCase()}\n${customerAccount.trim().toUpperCase()}`)
    .digest('hex');
  return `contacts-${digest}`;
}

/**
 * Lands the contact person of `record`'s request (an organisation's create on the CustomersV3
 * target; nothing otherwise) on `customerAccount`. Returns the record (its lease was renewed) and
 * the outcome (absent when there was none to land). Throws `StatusConflictError` when the lease was lost.
 */
export async function landContactPerson(
  record: StatusRecord,
  customerAccount: string,
  deps: LandContactDeps,
  slot?: GateSlot,
): Promise<{ record: StatusRecord; contactPerson?: ContactPersonOutcome }> {
  if (deps.target !== 'odata' || !deps.contactPersons) return { record };
  if (record.kind === 'update' || record.payload === undefined) return { record };
  const contact = contactPersonOf(JSON.parse(record.payload) as CustomerRequest);
  if (!contact) return { record };
  const port = deps.contactPersons;
  const { correlationId, legalEntity } = record;
  const deadline = Date.now() + (deps.maxInlineWaitMs ?? DEFAULT_BUDGET_MS);
  const callSeconds = deps.callTimeoutMs / 1000 + MARGIN_SECONDS;
  let current = record;
  let claim: IdentityClaim | undefined;
  let outcome: ContactPersonOutcome = 'failed';
  /** Whether a post was sent (one that failed uncertainly may have landed: then it is ours). */
  let posted = false;

  const renewLease = async (seconds: number): Promise<void> => {
    current = await deps.statusStore.update(current, {
      leaseUntil: later(deps, seconds),
      updatedAt: clock(deps).toISOString(),
    });
  };
  /** The fence before every call: the request's lease and the customer's claim cover one more call. */
  const fence = async (): Promise<void> => {
    await renewLease(callSeconds);
    if (!claim || !(await claim.extend(later(deps, callSeconds))))
      throw new ProcessingError({ kind: 'transient', reason: 'contact claim lost' });
  };
  const inGate = async <T>(call: () => Promise<T>): Promise<T> => {
    if (slot) return slot.run(call);
    const taken = await deps.gate.acquire(Math.max(0, deadline - Date.now()));
    if (!('run' in taken))
      throw new ProcessingError({ kind: 'transient', reason: 'no D365 slot for the contact person' });
    try {
      return await taken.run(call);
    } finally {
      await taken.release();
    }
  };
  const isThere = async (): Promise<boolean> => {
    await fence();
    const there = await inGate(() => port.listContactPersons(legalEntity, customerAccount));
    return there.some((existing) => isSameContact(contact, existing));
  };

  try {
    // The customer's claim: one request at a time lists and posts this customer's contact persons.
    while (!claim) {
      const claimed = await deps.identityClaims.claim(
        contactsClaimKey(legalEntity, customerAccount),
        correlationId,
        later(deps, callSeconds),
      );
      if (!('held' in claimed)) claim = claimed;
      else if (Date.now() >= deadline) break;
      else {
        await renewLease(callSeconds);
        await sleep(Math.min(1000, Math.max(100, Date.parse(claimed.until) - clock(deps).getTime())));
      }
    }
    for (let attempt = 1; claim; attempt += 1) {
      try {
        if (await isThere()) {
          outcome = posted ? 'created' : 'found';
          break;
        }
        await fence();
        posted = true;
        try {
          await inGate(() => port.addContactPerson(legalEntity, customerAccount, contact));
          outcome = 'created';
        } catch (error) {
          if (!(error instanceof ProcessingError) || error.failure.kind !== 'permanent') throw error;
          // An X++ error may come after the insert (as for the create): look before calling it refused.
          const committed = error.failure.code === 'business_error' && (await isThere());
          outcome = committed ? 'created' : 'failed';
          if (!committed)
            deps.log.warn('customer.contact_refused', {
              correlationId,
              legalEntity,
              reason: error.failure.code,
            });
        }
        break;
      } catch (error) {
        if (!(error instanceof ProcessingError) || error.failure.kind !== 'transient') throw error;
        const { failure } = error;
        const wait = await waitAfterTransient(failure, attempt, deps);
        if (attempt >= deps.retry.maxAttempts || Date.now() + wait >= deadline) break;
        deps.log.info('customer.contact_retry', {
          correlationId,
          legalEntity,
          reason: failure.reason,
          attempt,
        });
        await renewLease(wait / 1000 + callSeconds);
        if (!(await claim.extend(later(deps, wait / 1000 + callSeconds)))) break;
        await sleep(wait);
      }
    }
  } finally {
    await claim?.release();
  }
  if (outcome === 'failed') deps.log.warn('customer.contact_failed', { correlationId, legalEntity });
  deps.telemetry.trackEvent({
    name: 'CustomerContactPerson',
    properties: { correlationId, legalEntity, outcome },
  });
  return { record: current, contactPerson: outcome };
}
