import type { CustomerRequest } from '../../domain/customer-contract';
import {
  ambiguousMessage,
  duplicateMessage,
  organisationAmbiguousMessage,
  organisationUnsearchableMessage,
  unsearchableMessage,
} from '../../domain/failure';
import { FAILURE_CODES } from '../../domain/status';
import {
  decideRecoveryMatch,
  MatchedOn,
  NameAndPhoneMatch,
  RecoveryMatch,
} from '../../domain/recovery-match';
import { decideOnLookup } from '../../domain/worker-decisions';
import { D365GateUnavailableError, GateSlot } from '../../ports';
import { later } from '../clock';
import { renewLease } from './claim';
import { CreateHold, takeCreateSlot } from './create-hold';
import { finishCreate } from './created';
import {
  ACCOUNT_LOOKUP_ROUNDS,
  callSeconds,
  Claimed,
  inlineWaitMs,
  ProcessResult,
  secondsSince,
  settleSecondsOf,
  Stop,
  WorkerDeps,
} from './deps';
import { fail, giveBack, recordNeedsReview, retryAfter } from './endings';
import { findOrganisation, lookUpByNameAndPhone, lookupRead } from './recovery';

/**
 * The lookup before a create (README, "Recovery lookups"): when a create of this request may have
 * reached D365 (`mayExist`), the recovery rule finds it (by e-mail, then by name and phone); else the
 * duplicate policy's lookup by e-mail links, rejects or lets the create go on. Ends the request, or
 * returns nothing: create it.
 */
export async function lookUpBeforeCreate(
  work: Claimed,
  hold: CreateHold,
  customer: CustomerRequest,
  deps: WorkerDeps,
): Promise<Stop> {
  if (customer.Customer.PartyType === 'Organization') return lookUpOrganisation(work, hold, customer, deps);
  const email = customer.Customer.EmailAddress;
  if (email === undefined) return lookUpWithoutEmail(work, hold, customer, deps);
  const byEmail = await lookUpByEmail(work, hold, email, deps);
  if ('result' in byEmail) return byEmail.result;
  let accounts = byEmail.accounts;
  // Measured after the e-mail lookup, before the name-and-phone one: only a lookup that starts a
  // settle time after the create counts as "not there".
  const sinceSubmit = secondsSince(deps, work.submittedAt);
  let matchedOn: MatchedOn = 'email';
  if (work.mayExist) {
    const recovered = await recover(work, hold, customer, accounts, sinceSubmit, deps);
    if ('result' in recovered) return recovered.result;
    if (recovered.match.kind === 'found') {
      accounts = recovered.match.existingAccounts?.split(',') ?? [recovered.match.account];
      matchedOn = recovered.match.matchedOn;
    }
  }
  const ended = await endOnMatch(work, hold, accounts, matchedOn, deps);
  if (ended) return ended;
  return notCreatableYet(work, hold, sinceSubmit, deps);
}

/**
 * A customer without an e-mail (issue 32): the duplicate policy's lookup and the recovery lookup are
 * one, by name and phone among D365's customers without an e-mail (shared/domain/customer-match.ts),
 * in the create's slot. One is the customer (recovered, linked or rejected); several are for an
 * operator (`needs_review`, never a guess); a name that cannot be looked up exactly too. Nobody,
 * but a possible duplicate (an initial for a first name: customer-match.ts `rowIsPossibleDuplicate`):
 * for an operator too (`possible_duplicate`), never linked, never created.
 */
async function lookUpWithoutEmail(
  work: Claimed,
  hold: CreateHold,
  customer: CustomerRequest,
  deps: WorkerDeps,
): Promise<Stop> {
  const slotTaken = await takeCreateSlot(work, hold, deps);
  if (slotTaken) return slotTaken;
  const rows = await lookUpByNameAndPhone(hold.slot!, deps.d365, customer);
  const match = rows === undefined ? undefined : decideRecoveryMatch([], rows);
  const accounts =
    match === undefined
      ? undefined
      : match.kind === 'ambiguous'
        ? match.accounts
        : match.kind === 'found'
          ? [match.account]
          : [];
  // An operator who saw the possible duplicates decided on a new customer (operations/act-on-review.ts).
  if (match?.kind === 'none' && work.record.reviewDecision !== 'create_new') {
    const possible = await lookupRead(() => findPossibleDuplicates(hold.slot!, deps, customer));
    if (possible.length > 0) {
      const review = { code: 'possible_duplicate' as const, message: FAILURE_CODES.possible_duplicate };
      const fields = { existingAccounts: possible.join(','), matchedOn: 'name_initial_and_phone' as const };
      return recordNeedsReview(work.record, { ...review, fields }, deps);
    }
  }
  return endOnCandidates(work, hold, deps, {
    accounts,
    matchedOn: 'name_and_phone',
    unsearchable: unsearchableMessage,
    ambiguous: (several) => ambiguousMessage(several, false),
  });
}

/**
 * The possible duplicates of a customer without an e-mail whom nobody matches exactly (issue 32):
 * people of its last name and phone who write the first name as an initial of its own, or whose
 * first name its initial may stand for. Without a last name (or a client that cannot look): none.
 */
function findPossibleDuplicates(
  slot: GateSlot,
  deps: WorkerDeps,
  customer: CustomerRequest,
): Promise<string[]> {
  const { LegalEntity, FirstName, LastName, ContactNumber } = customer.Customer;
  const find = deps.d365.findPossibleDuplicates?.bind(deps.d365);
  if (!find || LastName === undefined || ContactNumber === undefined) return Promise.resolve([]);
  return slot.run(() =>
    find(LegalEntity, { firstName: FirstName, lastName: LastName, phone: ContactNumber }),
  );
}

/**
 * How a lookup by another identity than the e-mail ends (a phone and name, an organisation): not
 * searchable exactly, or several candidates, is for an operator (`needs_review`, never a guess); one
 * is the customer (recovered, linked or rejected by the policy); none lets the create go on.
 */
async function endOnCandidates(
  work: Claimed,
  hold: CreateHold,
  deps: WorkerDeps,
  lookup: {
    accounts: string[] | undefined;
    matchedOn: MatchedOn;
    unsearchable: () => string;
    ambiguous: (accounts: string[]) => string;
  },
): Promise<Stop> {
  const sinceSubmit = secondsSince(deps, work.submittedAt);
  const { accounts, matchedOn } = lookup;
  if (accounts === undefined)
    return recordNeedsReview(
      work.record,
      { code: 'account_not_found', message: lookup.unsearchable() },
      deps,
    );
  if (accounts.length > 1) {
    const message = lookup.ambiguous(accounts);
    const fields = { existingAccounts: accounts.join(','), matchedOn };
    return recordNeedsReview(work.record, { code: 'account_not_found', message, fields }, deps);
  }
  const ended = await endOnMatch(work, hold, accounts, matchedOn, deps);
  if (ended) return ended;
  return notCreatableYet(work, hold, sinceSubmit, deps);
}

/**
 * An organisation (issue 32): by its tax number, else by its name in its country among organisations
 * without one (never by a contact's e-mail), in the create's slot: the duplicate policy's lookup and
 * the recovery lookup are one. One is the organisation; several are for an operator.
 */
async function lookUpOrganisation(
  work: Claimed,
  hold: CreateHold,
  customer: CustomerRequest,
  deps: WorkerDeps,
): Promise<Stop> {
  const slotTaken = await takeCreateSlot(work, hold, deps);
  if (slotTaken) return slotTaken;
  const found = await lookupRead(() => hold.slot!.run(() => findOrganisation(deps.d365, customer)));
  const matchedOn: MatchedOn = customer.Customer.TaxNumber !== undefined ? 'tax_number' : 'name_and_country';
  return endOnCandidates(work, hold, deps, {
    accounts: found,
    matchedOn,
    unsearchable: organisationUnsearchableMessage,
    ambiguous: (several) => organisationAmbiguousMessage(several, matchedOn),
  });
}

/**
 * The accounts with the customer's e-mail: in the create's slot, or batched (a slot of its own). A
 * full gate is waited out in place (the lease and the customer claim renewed); a throttling pause
 * too long to wait, or the deadline, gives the attempt back.
 */
async function lookUpByEmail(
  work: Claimed,
  hold: CreateHold,
  email: string,
  deps: WorkerDeps,
): Promise<{ accounts: string[] } | { result: ProcessResult }> {
  const { legalEntity } = work.record;
  const deadline = Date.now() + inlineWaitMs(deps);
  for (;;) {
    try {
      const { slot } = hold;
      if (slot)
        return {
          accounts: await lookupRead(() =>
            slot.run(() => deps.d365.findCustomersByEmail(legalEntity, email)),
          ),
        };
      return { accounts: await lookupRead(() => deps.gatedLookup!.findCustomersByEmail(legalEntity, email)) };
    } catch (error) {
      if (!(error instanceof D365GateUnavailableError)) throw error;
      if (error.reason === 'paused' || error.retryAt > deadline || Date.now() >= deadline) {
        const wait = Math.max(1, (error.retryAt - Date.now()) / 1000);
        return { result: await giveBack(work.record, work.message, wait, error.message, deps) };
      }
      work.record = await renewLease(work.record, deps);
      if (hold.identity && !(await hold.identity.extend(later(deps, 2 * callSeconds(deps))))) {
        hold.identity = undefined;
        return { result: await giveBack(work.record, work.message, 1, 'the customer claim ran out', deps) };
      }
    }
  }
}

/**
 * The recovery rule after a create that may have reached D365: by name and phone only where "not
 * found" would decide something (D365 confirmed the customer, or the create is settled and would be
 * sent again; an unsettled miss looks again anyway). Several by name and phone: `needs_review`.
 */
async function recover(
  work: Claimed,
  hold: CreateHold,
  customer: CustomerRequest,
  byEmail: string[],
  sinceSubmit: number,
  deps: WorkerDeps,
): Promise<{ match: RecoveryMatch } | { result: ProcessResult }> {
  const decisive = work.record.acceptedWithoutAccountAt !== undefined || sinceSubmit >= settleSecondsOf(deps);
  let byNameAndPhone: NameAndPhoneMatch[] | undefined;
  if (byEmail.length === 0 && decisive && customer.Customer.ContactNumber !== undefined) {
    // Looked up without a slot (batched): this read needs one; the create then uses it.
    const stop = await takeCreateSlot(work, hold, deps);
    if (stop) return { result: stop };
    byNameAndPhone = await lookUpByNameAndPhone(hold.slot!, deps.d365, customer);
  }
  const match = decideRecoveryMatch(byEmail, byNameAndPhone);
  if (match.kind !== 'ambiguous') return { match };
  const review = { code: 'account_not_found' as const, message: ambiguousMessage(match.accounts) };
  const fields = { existingAccounts: match.accounts.join(','), matchedOn: 'name_and_phone' as const };
  return { result: await recordNeedsReview(work.record, { ...review, fields }, deps) };
}

/** What the accounts found mean (worker-decisions.ts): recovered, linked, rejected, or nothing: create. */
async function endOnMatch(
  work: Claimed,
  hold: CreateHold,
  accounts: string[],
  matchedOn: MatchedOn,
  deps: WorkerDeps,
): Promise<Stop> {
  const { correlationId, legalEntity } = work.record;
  const found = decideOnLookup(accounts, { mayExist: work.mayExist, duplicatePolicy: deps.duplicatePolicy });
  if (accounts.length > 1) {
    // Account numbers are not personal data; the e-mail that matched them is never logged.
    const reason = `${accounts.length} customers have this e-mail: ${accounts.join(', ')}`;
    deps.log.warn('customer.several_matches', { correlationId, legalEntity, reason });
  }
  const { slot } = hold;
  switch (found.kind) {
    case 'recover':
      deps.log.info('customer.recovered', {
        correlationId,
        legalEntity,
        customerAccount: found.account,
        reason: `matched on ${matchedOn}`,
      });
      return finishCreate(work, found.account, 'created', deps, {
        existingAccounts: found.existingAccounts,
        matchedOn,
        slot,
      });
    case 'link':
      return finishCreate(work, found.account, 'linked', deps, {
        existingAccounts: found.existingAccounts,
        matchedOn,
        slot,
      });
    case 'reject':
      work.record = await deps.statusStore.update(work.record, {
        existingAccounts: found.existingAccounts,
        matchedOn,
      });
      return fail(work.record, 'duplicate', deps, duplicateMessage(accounts));
    case 'create':
      return undefined;
  }
}

/**
 * Nobody has the customer, but it may not be created yet: D365 confirmed it without an account (look
 * again, it may still be committing; `needs_review` after `ACCOUNT_LOOKUP_ROUNDS` settle times), or an
 * uncertain create is younger than the settle time. Either way the customer claim stays until it expires.
 */
async function notCreatableYet(
  work: Claimed,
  hold: CreateHold,
  sinceSubmit: number,
  deps: WorkerDeps,
): Promise<Stop> {
  const settle = settleSecondsOf(deps);
  const { record, message } = work;
  if (record.acceptedWithoutAccountAt !== undefined) {
    if (secondsSince(deps, record.acceptedWithoutAccountAt) >= settle * ACCOUNT_LOOKUP_ROUNDS)
      return recordNeedsReview(
        record,
        { code: 'account_not_found', message: FAILURE_CODES.account_not_found },
        deps,
      );
    hold.keepIdentity = true;
    const reason = 'D365 confirmed the customer without its account; it is not visible yet';
    return retryAfter(record, message, { kind: 'transient', reason, retryAfterSeconds: settle }, deps);
  }
  const unsettled = work.mayExist ? settle - sinceSubmit : 0;
  if (unsettled <= 0) return undefined;
  // An uncertain create may still be committing: look again before creating a second one.
  hold.keepIdentity = true;
  const reason = 'waiting for D365 to settle before concluding the customer was not created';
  return retryAfter(
    record,
    message,
    { kind: 'transient', reason, retryAfterSeconds: Math.ceil(unsettled) },
    deps,
  );
}
