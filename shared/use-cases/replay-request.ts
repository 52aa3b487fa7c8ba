import { messageFromRecord } from '../domain/queue-message';
import { StatusRecord } from '../domain/status';
import { CustomerQueue, Log, StatusStore } from '../ports';
import { clock } from './clock';

/**
 * An operator's replay of a failed request: back to `queued` with a fresh retry budget (attempts
 * count from 0 again). It never creates a second customer: a request that reached D365 before is
 * looked up first.
 */
export async function replayFailedRequest(
  correlationId: string,
  deps: { statusStore: StatusStore; queue: CustomerQueue; log: Log; now?: () => Date },
): Promise<
  { kind: 'replayed'; record: StatusRecord } | { kind: 'not-found' } | { kind: 'not-failed' | 'no-payload' }
> {
  const record = await deps.statusStore.get(correlationId);
  if (!record) return { kind: 'not-found' };
  if (record.status !== 'failed') return { kind: 'not-failed' };
  if (!record.payload) return { kind: 'no-payload' };
  const now = clock(deps).toISOString();
  const replayed = await deps.statusStore.update(record, {
    status: 'queued',
    attempts: 0,
    errorCode: undefined,
    errorMessage: undefined,
    lastError: undefined,
    queuedAt: now,
    updatedAt: now,
  });
  await deps.queue.send(messageFromRecord(record));
  deps.log.info('customer.replayed', { correlationId, legalEntity: record.legalEntity });
  return { kind: 'replayed', record: replayed };
}
