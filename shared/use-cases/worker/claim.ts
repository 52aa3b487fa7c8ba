import type { QueueMessage } from '../../domain/queue-message';
import type { StatusRecord } from '../../domain/status';
import { decideDelivery } from '../../domain/worker-decisions';
import { GateSlot, StatusConflictError } from '../../ports';
import { clock, later } from '../clock';
import { callSeconds, inlineWaitMs, ProcessResult, WorkerDeps } from './deps';
import { defer, giveBack } from './endings';

/**
 * The claim and the gate slot: how a delivery becomes this invocation's attempt (`queued` or
 * `retrying` → `processing`, a conditional write with a lease), and how a claimed attempt waits for
 * one of the fleet's D365 slots without losing its lease.
 */

/**
 * Whether this delivery of a request (a create or an update) is to be worked on now: the claim's
 * attempt, or the answer for a delivery that is not (already ended, held elsewhere, an early copy,
 * the fleet paused for longer than an invocation may wait: then the message goes back for later).
 */
export async function decideOrDefer(
  record: StatusRecord,
  message: QueueMessage,
  deps: WorkerDeps,
): Promise<{ attempt: number; mayExist: boolean } | { result: ProcessResult }> {
  const { correlationId } = record;
  const decision = decideDelivery(record, {
    now: clock(deps).getTime(),
    gatePausedUntil: deps.gate.pausedUntil(),
    realNow: Date.now(),
    maxInlineWaitMs: inlineWaitMs(deps),
  });
  switch (decision.kind) {
    case 'claim':
      return decision;
    case 'already-finished':
      deps.log.info('customer.redelivered_after_end', { correlationId, status: record.status });
      return { result: { kind: 'already-finished' } };
    case 'held-elsewhere': {
      // Another invocation holds it (e.g. the intake answering with Prefer: wait); look again later.
      const delaySeconds = await defer(message, decision.delaySeconds, deps);
      deps.log.info('customer.held_elsewhere', {
        correlationId,
        status: record.status,
        retryAfterSeconds: delaySeconds,
      });
      return { result: { kind: 'deferred', delaySeconds } };
    }
    case 'not-due':
      deps.log.info('customer.not_due', { correlationId, status: record.status });
      return { result: { kind: 'discarded' } };
    case 'throttled': {
      const delaySeconds = await defer(message, decision.delaySeconds, deps);
      deps.log.info('customer.deferred_by_throttling', { correlationId, retryAfterSeconds: delaySeconds });
      return { result: { kind: 'deferred', delaySeconds } };
    }
  }
}

/**
 * Claims the request for attempt `attempt`: `processing` with a lease, conditional on the record's
 * ETag. `conflict` when the record changed since it was read (the intake marking it `queued`, or
 * another invocation claiming it): read it again and decide again.
 */
export async function claimRecord(
  record: StatusRecord,
  attempt: number,
  deps: WorkerDeps,
): Promise<StatusRecord | 'conflict'> {
  try {
    return await deps.statusStore.update(record, {
      status: 'processing',
      attempts: attempt,
      leaseUntil: later(deps, deps.leaseSeconds),
      nextAttemptAt: undefined,
      queuedAt: record.queuedAt ?? record.createdAt,
      updatedAt: clock(deps).toISOString(),
    });
  } catch (error) {
    if (error instanceof StatusConflictError) return 'conflict';
    throw error;
  }
}

/**
 * Issue 33: a create that needs no lookup (`DUPLICATE_POLICY=create`, never sent before) takes the
 * gate slot this instance has at hand, if any (`takeAtOnce`: no storage call, no wait), before its
 * claim; the claim is then the fence as well: `submitting` straight away, with lease for the whole
 * call, one conditional write where `processing` and then `submitting` were two. Nothing happens
 * between them but taking the slot, so what a crash leaves is what it left before: `queued` (taken
 * again as usual) or `submitting` (looked up before a create, as after the fence). Undefined: no
 * slot at hand, the claim and the fence go as before.
 */
export function slotAtOnce(mayExist: boolean, deps: WorkerDeps): GateSlot | undefined {
  if (mayExist || deps.duplicatePolicy !== 'create') return undefined;
  return deps.gate.takeAtOnce?.();
}

/** The claim as the fence (see `slotAtOnce`): `submitting`, conditional on the record's ETag. */
export async function claimAtFence(
  record: StatusRecord,
  attempt: number,
  deps: WorkerDeps,
): Promise<StatusRecord | 'conflict'> {
  const now = clock(deps).toISOString();
  try {
    return await deps.statusStore.update(record, {
      status: 'submitting',
      attempts: attempt,
      leaseUntil: later(deps, Math.max(callSeconds(deps), deps.leaseSeconds)),
      nextAttemptAt: undefined,
      queuedAt: record.queuedAt ?? record.createdAt,
      submittedAt: record.submittedAt ?? now,
      updatedAt: now,
    });
  } catch (error) {
    if (error instanceof StatusConflictError) return 'conflict';
    throw error;
  }
}

/**
 * Takes a fleet gate slot for a claimed request, renewing the request's lease while it waits (so
 * queueing never eats the lease); after `maxInlineWaitMs`, or a pause that ends later, gives the
 * attempt back instead. A renewal that conflicts means another invocation took the request over.
 */
export async function takeSlot(
  record: StatusRecord,
  message: QueueMessage,
  deps: WorkerDeps,
  /** Called at every lease renewal while waiting (keeps a customer claim taken before the slot). */
  keepAlive?: () => Promise<unknown>,
): Promise<{ slot: GateSlot; record: StatusRecord } | { result: ProcessResult }> {
  const deadline = Date.now() + inlineWaitMs(deps);
  // Fair sharing: this instance's waiters take turns by caller (waiting-line.ts).
  const share = deps.admission?.shareOf(record);
  let current = record;
  for (;;) {
    const chunk = Math.max(0, Math.min((deps.leaseSeconds * 1000) / 3, deadline - Date.now()));
    const answer = await deps.gate.acquire(chunk, share && { share });
    if ('run' in answer) return { slot: answer, record: current };
    if (answer.retryAt > deadline || Date.now() >= deadline) {
      const wait = Math.max(1, (answer.retryAt - Date.now()) / 1000);
      const reason =
        answer.reason === 'paused' ? 'D365 is throttling the fleet (429)' : 'every D365 slot is taken';
      return { result: await giveBack(current, message, wait, reason, deps) };
    }
    current = await renewLease(current, deps);
    await keepAlive?.();
  }
}

/** The request's lease, renewed for `leaseSeconds` (a conflict: another invocation took it over). */
export const renewLease = (record: StatusRecord, deps: WorkerDeps): Promise<StatusRecord> =>
  deps.statusStore.update(record, {
    leaseUntil: later(deps, deps.leaseSeconds),
    updatedAt: clock(deps).toISOString(),
  });
