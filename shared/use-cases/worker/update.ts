import type { CustomerRequest } from '../../domain/customer-contract';
import { parseCustomerRequest } from '../../domain/customer-contract';
import {
  applyMergePatch,
  changedFields,
  effectivePatch,
  FieldStamps,
  stampFields,
  UpdateRequest,
} from '../../domain/customer-update';
import { FAILURE_CODES, isTerminal } from '../../domain/status';
import type { CustomerLink, GateSlot, IdentityClaim } from '../../ports';
import { later, secondsUntil } from '../clock';
import { takeSlot } from './claim';
import { callSeconds, Claimed, ProcessResult, UpdateDeps } from './deps';
import { endAfterError, fail, giveBack, recordNeedsReview, recordSucceeded, retryAfter } from './endings';
import { inFlightOf, lastUpdateJson, lastUpdateOf, readLink, updateClaimKey } from './update-link';
import { Changes, sendChanges } from './update-send';

/**
 * A claimed update (issue 17): waits for the customer's create if it is still running, claims the
 * customer (one update at a time on any instance), drops what newer updates already set, merges the
 * rest into the customer as we last sent it, and PATCHes only the changed entity fields with the
 * ETag of our last write. A 412 means D365 changed the customer: D365's values are read and, if a
 * field this update changes is different from what we last sent, the conflict policy decides.
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
  const plan = planUpdate(link, u, deps);
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
        baseline: plan.baseline,
        fieldStamps: plan.fieldStamps,
        lastUpdate: lastUpdateJson(work.record.correlationId, 'unchanged'),
        sourceDigest: plan.sourceDigest,
      });
      return recordSucceeded(work.record, { customerAccount: account, outcome: 'unchanged' }, deps);
    case 'send':
      break;
  }
  const taken = await takeSlot(work.record, work.message, deps);
  if ('result' in taken) return taken.result;
  ({ slot: hold.slot, record: work.record } = taken);
  if (!(await claimed.claim.extend(claimUntil(deps))))
    return giveBack(work.record, work.message, 1, 'the customer claim ran out', deps);
  const inFlight = JSON.stringify({ id: work.record.correlationId, changes: plan.changes });
  const sending = await deps.links.save(link, { inFlight });
  const sent = await sendChanges(sending, account, { ...plan, pending: current.pending }, hold.slot, deps);
  return recordSent(work, sending, account, plan, sent, deps);
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

type Plan =
  | { kind: 'stale' }
  | { kind: 'invalid' }
  | ({ kind: 'unchanged' } & NextLink)
  | ({ kind: 'send' } & NextLink & Omit<Changes, 'pending'>);

/**
 * What the link holds after the update: the merged customer, the stamps, and the digest of the
 * shop's customer it carried (a shop's echo of it is then a no-op; any other update clears it).
 */
interface NextLink {
  baseline: string;
  fieldStamps: string;
  sourceDigest: string | undefined;
}

/** What this update changes: nothing newer updates did not set already, merged into the customer as last sent. */
function planUpdate(link: CustomerLink, u: Update, deps: UpdateDeps): Plan {
  const stamps = JSON.parse(link.fieldStamps) as FieldStamps;
  const effective = effectivePatch(u.customer, stamps, u.stamp);
  const fields = Object.keys(effective.customer);
  if (fields.length === 0) return { kind: 'stale' };
  const baseline = JSON.parse(link.baseline) as CustomerRequest;
  const parsed = parseCustomerRequest(applyMergePatch(baseline, { Customer: effective.customer }), {
    defaultCustomerGroup: deps.defaultCustomerGroup,
  });
  if (!parsed.ok) return { kind: 'invalid' };
  const ours = deps.toD365Fields(baseline);
  const changes = changedFields(deps.toD365Fields(parsed.value), ours);
  const next: NextLink = {
    baseline: JSON.stringify(parsed.value),
    fieldStamps: JSON.stringify(stampFields(stamps, fields, u.stamp)),
    sourceDigest: u.sourceDigest,
  };
  if (Object.keys(changes).length === 0) return { kind: 'unchanged', ...next };
  return { kind: 'send', ...next, changes, ours };
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
        baseline: plan.baseline,
        fieldStamps: plan.fieldStamps,
        d365Etag: sent.etag,
        inFlight: undefined,
        lastUpdate,
        sourceDigest: plan.sourceDigest,
      });
      return ended('updated');
    }
    case 'keep-d365': {
      const lastUpdate = lastUpdateJson(correlationId, 'kept_d365');
      await deps.links.save(link, {
        fieldStamps: plan.fieldStamps,
        d365Etag: undefined,
        inFlight: undefined,
        lastUpdate,
        sourceDigest: plan.sourceDigest,
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
