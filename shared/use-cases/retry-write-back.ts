import type { StatusRecord } from '../domain/status';
import { writeBackMessage, WriteBackDetail } from '../domain/write-back';
import { Log, StatusStore, WriteBackQueue } from '../ports';
import { clock } from './clock';

/**
 * An operator's retry of a failed shop write-back (issue 28), once its cause is fixed (a new Admin
 * API token in Key Vault, the customer back in the shop): `pending` again with a fresh series of
 * attempts, and queued. The create's own status is untouched. Writing twice is harmless: the shop
 * client skips a value the shop already holds.
 */
export type RetryWriteBackResult =
  | { kind: 'retried'; record: StatusRecord }
  | { kind: 'not-found' }
  /** No write-back (not a shop's customer), or one that is pending or written. */
  | { kind: 'not-failed' };

export async function retryWriteBack(
  correlationId: string,
  deps: { statusStore: StatusStore; writeBackQueue: WriteBackQueue; log: Log; now?: () => Date },
): Promise<RetryWriteBackResult> {
  const record = await deps.statusStore.get(correlationId);
  if (!record) return { kind: 'not-found' };
  if (record.writeBack !== 'failed') return { kind: 'not-failed' };
  const detail: WriteBackDetail = { attempts: 0, since: clock(deps).toISOString() };
  const retried = await deps.statusStore.update(record, {
    writeBack: 'pending',
    writeBackDetail: JSON.stringify(detail),
  });
  await deps.writeBackQueue.send(writeBackMessage(correlationId));
  deps.log.info('shop.write_back.retried', { correlationId, source: record.source });
  return { kind: 'retried', record: retried };
}
