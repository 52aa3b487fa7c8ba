import { mayReplay } from '../../domain/operations/request-view';
import { ReplayJob, Settled, settledOf } from '../../domain/operations/replay-job';
import { OperationsIndex, StatusConflictError } from '../../ports';
import { ReplayDeps, requeueFailed } from '../replay-request';

/** The steps of a bulk replay's cycle (shared/use-cases/operations/bulk-replay.ts). */
type StepDeps = ReplayDeps & { index: OperationsIndex };

/** The earlier of two ISO times (the first may be absent). */
export const earlier = (a: string | undefined, b: string): string =>
  a !== undefined && Date.parse(a) < Date.parse(b) ? a : b;

/**
 * Where the in-flight requests stand, oldest first (the job releases them in order, and they mostly
 * end in order): the reads stop at the first one still pending, so a cycle in which nothing ended
 * costs one status read rather than one per request in flight (issue 31: the job's upkeep was most
 * of a replayed request's storage calls). A `full` look reads them all (one that ended before an
 * older one still retrying is not held behind it for long). Unread ones: `undefined`.
 */
export async function settleInFlight(
  job: ReplayJob,
  deps: StepDeps,
  full: boolean,
): Promise<(Settled | undefined)[]> {
  if (full) {
    const records = await Promise.all(job.inFlight.map((id) => deps.statusStore.get(id)));
    return records.map((record) => settledOf(record, job.id));
  }
  const settled: Settled[] = [];
  for (const id of job.inFlight) {
    const one = settledOf(await deps.statusStore.get(id), job.id);
    settled.push(one);
    if (one.kind === 'pending') break;
  }
  return settled;
}

/** The next `count` requests of the job: a page of the failed view (by filter) or the next IDs. */
export async function pick(
  job: ReplayJob,
  count: number,
  deps: StepDeps,
): Promise<{ ids: string[]; cursor?: string; exhausted: boolean }> {
  if (job.ids !== undefined) {
    const from = Number(job.cursor ?? 0);
    const ids = job.ids.slice(from, from + count);
    return { ids, cursor: String(from + ids.length), exhausted: from + ids.length >= job.ids.length };
  }
  const page = await deps.index.list({
    view: 'failed',
    ...job.filter,
    to: earlier(job.filter?.to, job.asOf),
    limit: count,
    ...(job.cursor !== undefined && { cursor: job.cursor }),
  });
  return {
    ids: page.entries.map((entry) => entry.correlationId),
    ...(page.cursor !== undefined ? { cursor: page.cursor } : { cursor: job.cursor }),
    exhausted: page.cursor === undefined,
  };
}

/** Puts one failed request back on the queue for the job (not replayable, or changed meanwhile: skipped later). */
export async function release(correlationId: string, jobId: string, deps: StepDeps): Promise<void> {
  const record = await deps.statusStore.get(correlationId);
  if (!record || !mayReplay(record) || record.resolvedAt !== undefined) return;
  try {
    // Bulk work: it yields to live requests for an instance's room and D365 slots (fair sharing).
    await requeueFailed(
      { ...record, payload: record.payload! },
      { replayJobId: jobId, priority: 'background' },
      deps,
    );
  } catch (error) {
    if (!(error instanceof StatusConflictError)) throw error;
  }
}
