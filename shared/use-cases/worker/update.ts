import type { UpdateRequest } from '../../domain/customer-update';
import { FAILURE_CODES, isTerminal } from '../../domain/status';
import type { CustomerLink, D365CustomerSnapshot, GateSlot, IdentityClaim } from '../../ports';
import { later, secondsUntil } from '../clock';
import { takeSlot } from './claim';
import { callSeconds, Claimed, ProcessResult, UpdateDeps } from './deps';
import { endAfterError, fail, giveBack, recordNeedsReview, recordSucceeded, retryAfter } from './endings';
import { inFlightOf, lastUpdateJson, lastUpdateOf, readLink, updateClaimKey } from './update-link';
import { Plan, planUpdate } from './update-plan';
import { sendChanges } from './update-send';

/**
 * A claimed update (issue 17): waits for the customer's create if it is still running, claims the
 * customer (one update at a time on any instance), drops what newer updates already set, maps the
 * rest to the entity fields they set (update-plan.ts), and PATCHes only those that differ from what
 * we last sent (the link's digests), with the ETag of our last write. A 412 means D365 changed the
 * customer: D365's values are read and, if a field this update changes is different from what we
 * last sent, the conflict policy decides.
 */
export async function runUpdate(
  work: Claimed,
  update: UpdateRequest,
  deps: UpdateDeps,
): Promise<ProcessResult> {
  const hold: { claim?: IdentityClaim; slot?: GateSlot } = {};
  try {
    return await updateSteps(work, update.Update, hold, deps);
  } catch (error) {
    return await endAfterError(error, work.record, work.message, deps);
  } finally {
    await hold.slot?.release();
    await hold.claim?.release();
  }
}

type Update = UpdateRequest['Update'];

async function updateSteps(
  work: Claimed,
  u: Update,
  hold: { claim?: IdentityClaim; slot?: GateSlot },
  deps: UpdateDeps,
): Promise<ProcessResult> {
  const linked = await linkedAccount(work, u, deps);
  if ('result' in linked) return linked.result;
  const { account } = linked;
  const claimed = await claimCustomer(work, account, linked.link.legalEntity, deps);
  if ('result' in claimed) return claimed.result;
  hold.claim = claimed.claim;
  const current = await linkUnderClaim(work, u, account, deps);
  if ('result' in current) return current.result;
  const { link } = current;
  let plan = planUpdate(link, u, deps);
  const early = await endWithoutSending(work, link, account, plan, deps);
  if (early) return early;
  const taken = await takeSlot(work.record, work.message, deps);
  if ('result' in taken) return taken.result;
  ({ slot: hold.slot, record: work.record } = taken);
  if (!(await claimed.claim.extend(claimUntil(deps))))
    return giveBack(work.record, work.message, 1, 'the customer claim ran out', deps);
  let read: D365CustomerSnapshot | undefined;
  if (plan.kind === 'needs-d365') {
    // One address list replaced (or a link from before issue 27): D365's customer is the base.
    read = await hold.slot.run(() => deps.d365Updates.getCustomer(link.legalEntity, account));
    if (!read) return fail(work.record, 'customer_not_found', deps);
    plan = planUpdate(link, u, deps, read.fields);
    const ended = await endWithoutSending(work, link, account, plan, deps);
    if (ended) return ended;
  }
  if (plan.kind !== 'send') throw new Error(`An update plan of kind ${plan.kind} reached the PATCH.`);
  const inFlight = JSON.stringify({ id: work.record.correlationId, changes: plan.changes });
  const sending = await deps.links.save(link, { inFlight });
  const what = { changes: plan.changes, asSent: plan.asSent, pending: current.pending };
  const sent = await sendChanges(sending, account, what, hold.slot, deps, read);
  return recordSent(work, sending, account, plan, sent, deps);
}

/** The plans that end without a PATCH: stale, invalid, unchanged (undefined: go on). */
async function endWithoutSending(
  work: Claimed,
  link: CustomerLink,
  account: string,
  plan: Plan,
  deps: UpdateDeps,
): Promise<ProcessResult | undefined> {
  switch (plan.kind) {
    case 'stale':
      deps.log.info('customer.update.stale', {
        correlationId: work.record.correlationId,
        customerAccount: account,
      });
      return recordSucceeded(work.record, { customerAccount: account, outcome: 'stale' }, deps);
    case 'invalid':
      return fail(work.record, 'invalid_update', deps);
    case 'unchanged':
      await deps.links.save(link, {
        ...plan.save,
        lastUpdate: lastUpdateJson(work.record.correlationId, 'unchanged'),
      });
      return recordSucceeded(work.record, { customerAccount: account, outcome: 'unchanged' }, deps);
    case 'needs-d365':
    case 'send':
      return undefined;
  }
}

const claimUntil = (deps: UpdateDeps): string =>
  later(deps, Math.max(deps.leaseSeconds, 4 * callSeconds(deps)));

/** The customer's link, once its create has its account (a create still running: wait for it). */
async function linkedAccount(
  work: Claimed,
  u: Update,
  deps: UpdateDeps,
): Promise<{ link: CustomerLink; account: string } | { result: ProcessResult }> {
  const link = await readLink(u, deps.links);
  if (!link) return { result: await fail(work.record, 'customer_not_found', deps) };
  if (link.customerAccount === undefined) {
    // The create of this customer has not finished: wait for it (unless it ended without one).
    const create = await deps.statusStore.get(link.createCorrelationId);
    if (!create || create.status === 'failed' || create.status === 'needs_review')
      return { result: await fail(work.record, 'customer_not_created', deps) };
    return {
      result: await giveBack(work.record, work.message, 1, 'waiting for the customer to be created', deps),
    };
  }
  const account = link.customerAccount;
  work.record = await deps.statusStore.update(work.record, { customerAccount: account });
  return { link, account };
}

/** One update of a customer at a time, on any instance. */
async function claimCustomer(
  work: Claimed,
  account: string,
  legalEntity: string,
  deps: UpdateDeps,
): Promise<{ claim: IdentityClaim } | { result: ProcessResult }> {
  const claimed = await deps.identityClaims.claim(
    updateClaimKey(legalEntity, account),
    work.record.correlationId,
    claimUntil(deps),
  );
  if (!('held' in claimed)) return { claim: claimed };
  const wait = Math.min(Math.max(1, secondsUntil(deps, claimed.until)), 2);
  return {
    result: await giveBack(
      work.record,
      work.message,
      wait,
      'another update of this customer is running',
      deps,
    ),
  };
}

/**
 * The link read again under the claim (the previous update's result). This very update wrote it
 * before its worker lost the record's lease: it is done. An earlier update's PATCH of unknown outcome
 * (its answer was lost) goes first, else this one would take its values in D365 for a change made
 * there, or be applied before an older one.
 */
async function linkUnderClaim(
  work: Claimed,
  u: Update,
  account: string,
  deps: UpdateDeps,
): Promise<{ link: CustomerLink; pending: Record<string, unknown> } | { result: ProcessResult }> {
  const { correlationId } = work.record;
  const link = (await readLink(u, deps.links))!;
  const done = lastUpdateOf(link);
  if (done?.id === correlationId)
    return {
      result: await recordSucceeded(work.record, { customerAccount: account, outcome: done.outcome }, deps),
    };
  const earlier = inFlightOf(link);
  if (!earlier || earlier.id === correlationId) return { link, pending: {} };
  const other = await deps.statusStore.get(earlier.id);
  if (other && !isTerminal(other.status)) {
    const reason = 'an earlier update of this customer may have reached D365';
    return { result: await giveBack(work.record, work.message, 1, reason, deps) };
  }
  return { link, pending: earlier.changes };
}

/** The link and the record after the PATCH (or the decision not to send it). */
async function recordSent(
  work: Claimed,
  link: CustomerLink,
  account: string,
  plan: Extract<Plan, { kind: 'send' }>,
  sent: Awaited<ReturnType<typeof sendChanges>>,
  deps: UpdateDeps,
): Promise<ProcessResult> {
  const { correlationId } = work.record;
  const ended = (outcome: 'updated' | 'kept_d365') =>
    recordSucceeded(work.record, { customerAccount: account, outcome }, deps);
  switch (sent.kind) {
    case 'applied': {
      const lastUpdate = lastUpdateJson(correlationId, 'updated');
      await deps.links.save(link, {
        ...plan.save,
        d365Etag: sent.etag,
        inFlight: undefined,
        lastUpdate,
      });
      return ended('updated');
    }
    case 'keep-d365': {
      const lastUpdate = lastUpdateJson(correlationId, 'kept_d365');
      await deps.links.save(link, {
        fieldStamps: plan.save.fieldStamps,
        d365Etag: undefined,
        inFlight: undefined,
        lastUpdate,
        sourceDigest: plan.save.sourceDigest,
      });
      deps.log.warn('customer.update.kept_d365', { correlationId, reason: sent.fields.join(',') });
      return ended('kept_d365');
    }
    case 'review': {
      await deps.links.save(link, { d365Etag: undefined, inFlight: undefined });
      const message = `${FAILURE_CODES.update_conflict} Fields: ${sent.fields.join(', ')}.`;
      return recordNeedsReview(work.record, { code: 'update_conflict', message }, deps);
    }
    case 'not-found':
      return fail(work.record, 'customer_not_found', deps);
    case 'still-changing': {
      const failure = {
        kind: 'transient' as const,
        reason: 'D365 kept changing the customer while the update was sent',
      };
      return retryAfter(work.record, work.message, failure, deps);
    }
  }
}
