// The update worker (issue 17): one customer's updates are serialised across the fleet by a claim on
// the customer, ordered by their stamps, and sent to D365 with If-Match. (~300 lines: one state machine.)
import { CustomerRequest, parseCustomerRequest } from '../domain/customer-contract';
import {
  applyMergePatch,
  changedFields,
  ConflictPolicy,
  decideOnCurrent,
  effectivePatch,
  FieldStamps,
  isUpdateRequest,
  parseUpdateRequest,
  stampFields,
  UpdateRequest,
} from '../domain/customer-update';
import { permanent, ProcessingError, transient } from '../domain/failure';
import { decodeQueueMessage, QueueMessage } from '../domain/queue-message';
import { FAILURE_CODES, isTerminal, Outcome, StatusRecord } from '../domain/status';
import {
  CustomerLink,
  CustomerLinks,
  D365CustomerUpdates,
  GateSlot,
  IdentityClaim,
  StatusConflictError,
} from '../ports';
import { clock, later, secondsUntil } from './clock';
import { announceEnding } from './deliver-callback';
import {
  decideOrDefer,
  FENCE_MARGIN_SECONDS,
  giveBack,
  processCustomerMessage,
  ProcessDeps,
  ProcessResult,
  recordFailure,
  requeue,
  scheduleRetry,
  takeSlot,
} from './process-customer';

export interface UpdateDeps extends ProcessDeps {
  links: CustomerLinks;
  d365Updates: D365CustomerUpdates;
  /** The customer as D365's entity fields (CustomersV3), for the diff: the same mapping as the create. */
  toD365Fields: (request: CustomerRequest) => Record<string, unknown>;
  conflictPolicy: ConflictPolicy;
}

/** The customer queue's worker: updates go to `processCustomerUpdate`, creates to `processCustomerMessage`. */
export async function processQueuedRequest(input: unknown, deps: UpdateDeps): Promise<ProcessResult> {
  const decoded = decodeQueueMessage(input);
  if (decoded.ok && isUpdateRequest(decoded.message.request))
    return processCustomerUpdate(decoded.message, deps);
  return processCustomerMessage(input, deps);
}

/** The claim key that serialises one customer's updates on the fleet. */
export const updateClaimKey = (legalEntity: string, customerAccount: string): string =>
  `update|${legalEntity.toUpperCase()}|${customerAccount}`;

type Sent =
  | { kind: 'applied'; etag?: string }
  | { kind: 'keep-d365'; fields: string[] }
  | { kind: 'review'; fields: string[] };

/**
 * Processes one queued update: waits for the customer's create if it is still running, claims the
 * customer (one update at a time on any instance), drops what newer updates already set, merges the
 * rest into the customer as we last sent it, and PATCHes only the changed entity fields with the
 * ETag of our last write. A 412 means D365 changed the customer: D365's values are read and, if a
 * field this update changes is different from what we last sent, the conflict policy decides.
 */
export async function processCustomerUpdate(
  message: QueueMessage,
  deps: UpdateDeps,
  claimAttempts = 3,
): Promise<ProcessResult> {
  const { correlationId } = message;
  const found = await deps.statusStore.get(correlationId);
  const update = parseUpdateRequest(message.request);
  if (!found) {
    deps.log.error('customer.message.invalid', { correlationId, reason: 'no record for an update' });
    return { kind: 'discarded' };
  }
  if (!update) {
    await recordFailure(found, 'invalid_message', FAILURE_CODES.invalid_message, deps);
    return { kind: 'discarded' };
  }
  const decision = await decideOrDefer(found, message, deps);
  if ('result' in decision) return decision.result;
  let record: StatusRecord;
  try {
    record = await deps.statusStore.update(found, {
      status: 'processing',
      attempts: decision.attempt,
      leaseUntil: later(deps, deps.leaseSeconds),
      nextAttemptAt: undefined,
      queuedAt: found.queuedAt ?? found.createdAt,
      updatedAt: clock(deps).toISOString(),
    });
  } catch (error) {
    if (!(error instanceof StatusConflictError)) throw error;
    if (claimAttempts > 1) return processCustomerUpdate(message, deps, claimAttempts - 1);
    return { kind: 'deferred', delaySeconds: await requeue(message, 1, deps) };
  }
  let claim: IdentityClaim | undefined;
  let slot: GateSlot | undefined;
  try {
    const u = update.Update;
    let link = await readLink(u, deps);
    if (!link) throw permanent('customer_not_found', FAILURE_CODES.customer_not_found);
    if (link.customerAccount === undefined) {
      // The create of this customer has not finished: wait for it (unless it ended without one).
      const create = await deps.statusStore.get(link.createCorrelationId);
      if (!create || create.status === 'failed' || create.status === 'needs_review')
        throw permanent('customer_not_created', FAILURE_CODES.customer_not_created);
      return await giveBack(record, message, 1, 'waiting for the customer to be created', deps);
    }
    const account = link.customerAccount;
    record = await deps.statusStore.update(record, { customerAccount: account });
    const callSeconds = deps.callTimeoutMs / 1000 + FENCE_MARGIN_SECONDS;
    const claimed = await deps.identityClaims.claim(
      updateClaimKey(link.legalEntity, account),
      correlationId,
      later(deps, Math.max(deps.leaseSeconds, 4 * callSeconds)),
    );
    if ('held' in claimed) {
      const wait = Math.min(Math.max(1, secondsUntil(deps, claimed.until)), 2);
      return await giveBack(record, message, wait, 'another update of this customer is running', deps);
    }
    claim = claimed;
    link = (await readLink(u, deps))!; // read again under the claim: the previous update's result
    // This very update wrote the link before its worker lost the record's lease: it is done.
    const done = lastUpdateOf(link);
    if (done?.id === correlationId) return await endUpdate(record, account, done.outcome, deps);
    // An earlier update's PATCH of unknown outcome (its answer was lost): it goes first, else this one
    // would take its values in D365 for a change made there, or be applied before an older one.
    const earlier = inFlightOf(link);
    let pending: Record<string, unknown> = {};
    if (earlier && earlier.id !== correlationId) {
      const other = await deps.statusStore.get(earlier.id);
      if (other && !isTerminal(other.status))
        return await giveBack(
          record,
          message,
          1,
          'an earlier update of this customer may have reached D365',
          deps,
        );
      pending = earlier.changes;
    }
    const stamps = JSON.parse(link.fieldStamps) as FieldStamps;
    const effective = effectivePatch(u.customer, stamps, u.stamp);
    const fields = Object.keys(effective.customer);
    if (fields.length === 0) {
      deps.log.info('customer.update.stale', { correlationId, customerAccount: account });
      return await endUpdate(record, account, 'stale', deps);
    }
    const baseline = JSON.parse(link.baseline) as CustomerRequest;
    const parsed = parseCustomerRequest(applyMergePatch(baseline, { Customer: effective.customer }), {
      defaultCustomerGroup: deps.defaultCustomerGroup,
    });
    if (!parsed.ok) throw permanent('invalid_update', FAILURE_CODES.invalid_update);
    const merged = parsed.value;
    const ours = deps.toD365Fields(baseline);
    const changes = changedFields(deps.toD365Fields(merged), ours);
    const nextStamps = JSON.stringify(stampFields(stamps, fields, u.stamp));
    if (Object.keys(changes).length === 0) {
      await deps.links.save(link, {
        baseline: JSON.stringify(merged),
        fieldStamps: nextStamps,
        lastUpdate: lastUpdateJson(correlationId, 'unchanged'),
      });
      return await endUpdate(record, account, 'unchanged', deps);
    }
    const taken = await takeSlot(record, message, deps);
    if ('result' in taken) return taken.result;
    ({ slot, record } = taken);
    if (!(await claim.extend(later(deps, Math.max(deps.leaseSeconds, 4 * callSeconds)))))
      return await giveBack(record, message, 1, 'the customer claim ran out', deps);
    link = await deps.links.save(link, { inFlight: JSON.stringify({ id: correlationId, changes }) });
    const sent = await sendChanges(link, account, changes, ours, slot, deps, pending);
    switch (sent.kind) {
      case 'applied':
        await deps.links.save(link, {
          baseline: JSON.stringify(merged),
          fieldStamps: nextStamps,
          d365Etag: sent.etag,
          inFlight: undefined,
          lastUpdate: lastUpdateJson(correlationId, 'updated'),
        });
        return await endUpdate(record, account, 'updated', deps);
      case 'keep-d365':
        await deps.links.save(link, {
          fieldStamps: nextStamps,
          d365Etag: undefined,
          inFlight: undefined,
          lastUpdate: lastUpdateJson(correlationId, 'kept_d365'),
        });
        deps.log.warn('customer.update.kept_d365', { correlationId, reason: sent.fields.join(',') });
        return await endUpdate(record, account, 'kept_d365', deps);
      case 'review':
        await deps.links.save(link, { d365Etag: undefined, inFlight: undefined });
        return await flagForReview(record, sent.fields, deps);
    }
    throw new Error('unreachable');
  } catch (error) {
    if (error instanceof StatusConflictError) {
      deps.log.warn('customer.lease_lost', { correlationId });
      return { kind: 'discarded' };
    }
    if (!(error instanceof ProcessingError)) throw error;
    if (error.failure.kind === 'permanent') {
      await recordFailure(record, error.failure.code, error.failure.message, deps);
      return { kind: 'failed', code: error.failure.code };
    }
    return await scheduleRetry(record, message, error.failure, deps);
  } finally {
    await slot?.release();
    await claim?.release();
  }
}

/** The update whose PATCH was being sent when the link was last written (`inFlight`), and its fields. */
function inFlightOf(link: CustomerLink): { id: string; changes: Record<string, unknown> } | undefined {
  if (link.inFlight === undefined) return undefined;
  try {
    const value = JSON.parse(link.inFlight) as { id?: unknown; changes?: unknown };
    if (typeof value.id === 'string' && typeof value.changes === 'object' && value.changes !== null)
      return { id: value.id, changes: value.changes as Record<string, unknown> };
  } catch {
    // not ours: ignore it
  }
  return undefined;
}

const UPDATE_OUTCOMES = ['updated', 'unchanged', 'kept_d365'] as const;
type UpdateOutcome = (typeof UPDATE_OUTCOMES)[number];

const lastUpdateJson = (id: string, outcome: UpdateOutcome): string => JSON.stringify({ id, outcome });

/** The last update whose result the link holds (`lastUpdate`), and how it ended. */
function lastUpdateOf(link: CustomerLink): { id: string; outcome: UpdateOutcome } | undefined {
  if (link.lastUpdate === undefined) return undefined;
  try {
    const value = JSON.parse(link.lastUpdate) as { id?: unknown; outcome?: unknown };
    const outcome = UPDATE_OUTCOMES.find((o) => o === value.outcome);
    if (typeof value.id === 'string' && outcome) return { id: value.id, outcome };
  } catch {
    // not ours: ignore it
  }
  return undefined;
}

function readLink(u: UpdateRequest['Update'], deps: UpdateDeps): Promise<CustomerLink | undefined> {
  return deps.links.get(
    u.sourceCustomerId !== undefined && u.source !== undefined
      ? { kind: 'reference', source: u.source, sourceCustomerId: u.sourceCustomerId }
      : { kind: 'account', legalEntity: u.legalEntity, customerAccount: u.customerAccount ?? '' },
  );
}

/**
 * The PATCH with If-Match. Without an ETag of our last write (the first update, or after a 412)
 * D365's current values are read first: a field we change that D365 holds with another value than
 * we last sent was changed there, and the policy decides; values already equal to ours mean our own
 * earlier PATCH went through (its answer was lost).
 */
async function sendChanges(
  link: CustomerLink,
  account: string,
  changes: Record<string, unknown>,
  ours: Record<string, unknown>,
  slot: GateSlot,
  deps: UpdateDeps,
  pending: Record<string, unknown>,
): Promise<Sent> {
  let etag = link.d365Etag;
  for (let round = 0; round < 3; round++) {
    if (etag === undefined) {
      const current = await slot.run(() => deps.d365Updates.getCustomer(link.legalEntity, account));
      if (!current) throw permanent('customer_not_found', FAILURE_CODES.customer_not_found);
      const decision = decideOnCurrent(current.fields, ours, changes, deps.conflictPolicy, pending);
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
    if (result.kind === 'not_found') throw permanent('customer_not_found', FAILURE_CODES.customer_not_found);
    etag = undefined; // 412: D365 changed the customer since our ETag; read what it holds now
  }
  throw transient('D365 kept changing the customer while the update was sent');
}

async function endUpdate(
  record: StatusRecord,
  customerAccount: string,
  outcome: Outcome,
  deps: UpdateDeps,
): Promise<ProcessResult> {
  await announceEnding(record, 'succeeded', deps);
  await deps.statusStore.update(record, {
    status: 'succeeded',
    customerAccount,
    outcome,
    lastError: undefined,
    leaseUntil: undefined,
    nextAttemptAt: undefined,
    payload: undefined,
    updatedAt: clock(deps).toISOString(),
  });
  const { correlationId, legalEntity, attempts } = record;
  deps.log.info('customer.updated', {
    correlationId,
    legalEntity,
    customerAccount,
    outcome,
    attempt: attempts,
  });
  deps.telemetry.trackEvent({
    name: 'CustomerSucceeded',
    properties: { correlationId, legalEntity, outcome, target: 'odata', attempts: String(attempts) },
  });
  return { kind: 'succeeded', customerAccount, outcome };
}

/** UPDATE_CONFLICT_POLICY=review: nothing was sent; an operator compares the named fields in D365. */
async function flagForReview(
  record: StatusRecord,
  fields: string[],
  deps: UpdateDeps,
): Promise<ProcessResult> {
  await announceEnding(record, 'needs_review', deps);
  await deps.statusStore.update(record, {
    status: 'needs_review',
    errorCode: 'update_conflict',
    errorMessage: `${FAILURE_CODES.update_conflict} Fields: ${fields.join(', ')}.`,
    leaseUntil: undefined,
    nextAttemptAt: undefined,
    updatedAt: clock(deps).toISOString(),
  });
  const { correlationId, legalEntity } = record;
  deps.log.warn('customer.needs_review', { correlationId, legalEntity, code: 'update_conflict' });
  deps.telemetry.trackEvent({
    name: 'CustomerFailed',
    properties: { correlationId, legalEntity, reason: 'update_conflict', attempts: String(record.attempts) },
  });
  return { kind: 'needs-review' };
}
