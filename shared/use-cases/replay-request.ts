import { messageFromRecord } from '../domain/queue-message';
import { StatusRecord } from '../domain/status';
import { CustomerQueue, Log, StatusStore } from '../ports';
import { clock } from './clock';

export interface ReplayDeps {
  statusStore: StatusStore;
  queue: CustomerQueue;
  log: Log;
  now?: () => Date;
}

/**
 * Puts a failed request back to `queued` with a fresh retry budget (attempts count from 0 again),
 * clears its failure and any resolution, applies `changes` (an operator's edited payload), then
 * sends its message. The one requeue of every replay (the replay route, the operations API). It
 * never creates a second customer: a request that reached D365 before is looked up first by the
 * worker. A concurrent change of the record throws `StatusConflictError` before anything is sent.
 */
export async function requeueFailed(
  record: StatusRecord & { payload: string },
  changes: Partial<StatusRecord>,
  deps: ReplayDeps,
): Promise<StatusRecord> {
  const now = clock(deps).toISOString();
  const queued = await deps.statusStore.update(record, {
    status: 'queued',
    attempts: 0,
    errorCode: undefined,
    errorMessage: undefined,
    lastError: undefined,
    resolvedAt: undefined,
    resolution: undefined,
    resolvedBy: undefined,
    resolutionNote: undefined,
    // Live unless the changes say otherwise (a bulk replay's `background`).
    priority: undefined,
    queuedAt: now,
    updatedAt: now,
    ...changes,
  });
  await deps.queue.send(messageFromRecord(queued));
  deps.log.info('customer.replayed', {
    correlationId: record.correlationId,
    legalEntity: record.legalEntity,
  });
  return queued;
}

/** An operator's replay of a failed request by the replay route (see `requeueFailed`). */
export async function replayFailedRequest(
  correlationId: string,
  deps: ReplayDeps,
): Promise<
  { kind: 'replayed'; record: StatusRecord } | { kind: 'not-found' } | { kind: 'not-failed' | 'no-payload' }
> {
  const record = await deps.statusStore.get(correlationId);
  if (!record) return { kind: 'not-found' };
  if (record.status !== 'failed') return { kind: 'not-failed' };
  if (!record.payload) return { kind: 'no-payload' };
  // An operator's replay of one request is live work, even of a request bulk work once sent.
  const changes = { priority: undefined };
  return {
    kind: 'replayed',
    record: await requeueFailed({ ...record, payload: record.payload }, changes, deps),
  };
}
