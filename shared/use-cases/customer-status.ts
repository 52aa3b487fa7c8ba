import { parseCorrelationId } from '../domain/correlation-id';
import { StatusAnswer, toStatusAnswer } from '../domain/status';
import { StatusStore } from '../ports';

export type StatusResult =
  { kind: 'found'; answer: StatusAnswer } | { kind: 'not-found' } | { kind: 'malformed-id' };

/**
 * The status use-case: one point read, answered without personal data. A record the caller may
 * not see (`mayAccess` on its owner) is reported as not found.
 */
export async function getCustomerStatus(
  correlationId: string,
  statusStore: StatusStore,
  mayAccess: (owner: string | undefined) => boolean = () => true,
): Promise<StatusResult> {
  const id = parseCorrelationId(correlationId);
  if (id === undefined) return { kind: 'malformed-id' };
  const record = await statusStore.get(id);
  return record && mayAccess(record.caller)
    ? { kind: 'found', answer: toStatusAnswer(record) }
    : { kind: 'not-found' };
}
