import { parseCorrelationId } from '../domain/correlation-id';
import { StatusAnswer, toStatusAnswer } from '../domain/status';
import { Caller, mayReadRequest } from '../domain/ownership';
import { StatusStore } from '../ports';

export type StatusResult =
  { kind: 'found'; answer: StatusAnswer } | { kind: 'not-found' } | { kind: 'malformed-id' };

/**
 * The status use-case: one point read, answered without personal data. A record the caller may
 * not see (the ownership policy: another caller's) is reported as not found.
 */
export async function getCustomerStatus(
  correlationId: string,
  statusStore: StatusStore,
  caller: Caller,
): Promise<StatusResult> {
  const id = parseCorrelationId(correlationId);
  if (id === undefined) return { kind: 'malformed-id' };
  const record = await statusStore.get(id);
  return record && mayReadRequest(caller, record.caller)
    ? { kind: 'found', answer: toStatusAnswer(record) }
    : { kind: 'not-found' };
}
