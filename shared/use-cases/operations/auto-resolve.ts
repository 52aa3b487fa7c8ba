import { mayResolve } from '../../domain/operations/request-view';
import { customerKeyOf, MAX_SUPERSEDED, supersededNote } from '../../domain/operations/superseded';
import type { StatusRecord } from '../../domain/status';
import { AuditLog, Log, OperationsIndex, StatusConflictError, StatusStore } from '../../ports';
import { clock } from '../clock';

export interface AutoResolveDeps {
  index: OperationsIndex;
  audit: AuditLog;
  log: Log;
  now?: () => Date;
}

const SYSTEM = { kind: 'system' as const, id: 'system' };

/**
 * Automatic resolution (issue 31): when a create succeeds, the earlier open failures of the same
 * customer (failed / needs_review, unresolved, accepted before it) are resolved as `superseded`, with
 * the note `superseded by <id>`, and one audit entry (actor `system`). Bounded: one query of the
 * customer's open failures (none for most customers), then at most `MAX_SUPERSEDED` records.
 * `before` is the record as it was before its success (the payload names the customer).
 */
export async function resolveSuperseded(
  before: StatusRecord,
  /** The record as the success wrote it, or its write still on its way. */
  ended: StatusRecord | Promise<StatusRecord>,
  store: StatusStore,
  deps: AutoResolveDeps,
): Promise<string[]> {
  const key = customerKeyOf(before);
  if (key === undefined) return [];
  // The customer's open failures are read beside the success's write, not after it (issue 33).
  const [open, after] = await Promise.all([deps.index.openFailures(key, MAX_SUPERSEDED + 1), ended]);
  const resolved: string[] = [];
  for (const failure of open) {
    if (resolved.length === MAX_SUPERSEDED) break;
    if (failure.correlationId === after.correlationId) continue;
    // A failure accepted after this request may carry newer data: it is not moot.
    if (Date.parse(failure.createdAt) >= Date.parse(before.createdAt)) continue;
    const record = await store.get(failure.correlationId);
    if (!record) {
      await deps.index.removeOpen(key, failure.correlationId);
      continue;
    }
    if (!mayResolve(record) || customerKeyOf(record) !== key) continue;
    const at = clock(deps).toISOString();
    try {
      await store.update(record, {
        resolvedAt: at,
        resolution: 'superseded',
        resolvedBy: SYSTEM.id,
        resolutionNote: supersededNote(after.correlationId),
        updatedAt: at,
      });
      resolved.push(record.correlationId);
    } catch (error) {
      if (!(error instanceof StatusConflictError)) throw error;
    }
  }
  if (resolved.length === 0) return resolved;
  await deps.audit.append({
    at: clock(deps).toISOString(),
    actor: SYSTEM,
    action: 'request.auto_resolve',
    correlationIds: resolved,
    count: resolved.length,
    outcome: supersededNote(after.correlationId),
  });
  deps.log.info('request.auto_resolved', { correlationId: after.correlationId, total: resolved.length });
  return resolved;
}
