import {
  KeyScope,
  keyedCorrelationId,
  legacyCorrelationId,
  mayHaveLegacyRecord,
} from '../domain/correlation-id';
import { errorName } from '../domain/failure';
import { CorrelationKeyError, CorrelationKeySource, Log, StatusStore } from '../ports';

/** What an intake needs to turn an Idempotency-Key (or a webhook's event key) into its correlation ID. */
export interface KeyCorrelationDeps {
  statusStore: Pick<StatusStore, 'get'>;
  /** The fleet's correlation-ID key (CORRELATION_KEY_SECRET_NAME). */
  correlationKey: CorrelationKeySource;
  /** RECORD_RETENTION_DAYS: how long a record (and so a legacy ID's) can outlive the key's creation. */
  retentionDays: number;
  now?: () => Date;
  log: Log;
}

/**
 * The correlation ID a key stands for (issue 24): the keyed one (HMAC under the fleet's secret),
 * unless a request of the same key was accepted before keyed IDs, under its legacy (unkeyed) ID:
 * then that one, so a retry finds its request and no second customer is made. The legacy ID is
 * looked up (one point read) only while such a record can still exist: `RECORD_RETENTION_DAYS`
 * after the key was created. Undefined (logged: the key's problem, or the store's error) when the
 * key cannot be read or the lookup fails: the intake answers `unavailable`, nothing is stored.
 */
export async function correlationIdForKey(
  deps: KeyCorrelationDeps,
  scope: KeyScope,
): Promise<string | undefined> {
  try {
    const key = await deps.correlationKey.get();
    const keyed = keyedCorrelationId(key.secret, scope);
    if (!mayHaveLegacyRecord(key, deps.retentionDays, deps.now?.() ?? new Date())) return keyed;
    const legacy = legacyCorrelationId(scope);
    return (await deps.statusStore.get(legacy)) ? legacy : keyed;
  } catch (error) {
    const reason = error instanceof CorrelationKeyError ? error.message : errorName(error);
    deps.log.error('intake.key_id_failed', { reason });
    return undefined;
  }
}
