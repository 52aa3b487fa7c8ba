import { parsePrivacyState } from '../domain/privacy';
import type { StatusRecord } from '../domain/status';
import type { ErasureMarks, Log, StatusStore } from '../ports';
import { clock } from './clock';

/**
 * The merchant's say (issue 27): after an erasure, deliveries of that customer (or, after
 * shop/redact, of that shop) are acknowledged and dropped, and API creates naming it refused, until
 * an operator releases the erasure request: its marks are lifted and `releasedAt` is recorded. What
 * was erased stays erased; the next delivery is taken in as new.
 */
export type ReleaseResult = { kind: 'released'; record: StatusRecord } | { kind: 'not-ready' };

export async function releasePrivacyRequest(
  record: StatusRecord,
  deps: { statusStore: StatusStore; erasureMarks?: ErasureMarks; log: Log; now?: () => Date },
): Promise<ReleaseResult> {
  const state = parsePrivacyState(record.payload);
  if (!state || state.kind !== 'erase' || record.status !== 'succeeded' || !deps.erasureMarks)
    return { kind: 'not-ready' };
  for (const key of state.marks) await deps.erasureMarks.release(key);
  if (state.releasedAt !== undefined) return { kind: 'released', record };
  const releasedAt = clock(deps).toISOString();
  const updated = await deps.statusStore.update(record, {
    payload: JSON.stringify({ ...state, releasedAt }),
    updatedAt: releasedAt,
  });
  deps.log.info('privacy.released', {
    correlationId: record.correlationId,
    reason: `${state.marks.length} mark(s)`,
  });
  return { kind: 'released', record: updated };
}
