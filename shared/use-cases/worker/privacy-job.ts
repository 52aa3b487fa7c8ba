import type { PrivacyState } from '../../domain/privacy';
import { clock, later } from '../clock';
import type { Claimed, PrivacyDeps, ProcessResult, WorkerDeps } from './deps';
import { giveBack, recordPrivacyCompleted } from './endings';

/** The steps shared by a privacy request's work (privacy.ts, erase.ts, privacy-d365.ts). */
export type PrivacyWorkerDeps = WorkerDeps & { privacy: PrivacyDeps };

export const hasPrivacyDeps = (deps: WorkerDeps): deps is PrivacyWorkerDeps => deps.privacy !== undefined;

/** Where one invocation of a privacy request stands: the claimed work, its state, when it started. */
export interface PrivacyWork {
  work: Claimed;
  state: PrivacyState;
  started: number;
}

/** Saves the state (and renews the lease: the write is conditional, a lost lease throws). */
export async function saveState(
  job: PrivacyWork,
  deps: PrivacyWorkerDeps,
  changes: { lastError?: string } = {},
): Promise<void> {
  job.work.record = await deps.statusStore.update(job.work.record, {
    payload: JSON.stringify(job.state),
    leaseUntil: later(deps, deps.leaseSeconds),
    updatedAt: clock(deps).toISOString(),
    ...changes,
  });
}

/** Whether this invocation has worked its slice: it then hands over to the next. */
export const sliceUsed = (job: PrivacyWork, deps: PrivacyWorkerDeps): boolean =>
  Date.now() - job.started > (deps.privacy.sliceMs ?? 60_000);

/** Saves and queues the request again (the attempt handed back): waiting, or the next slice. */
export async function comeBack(
  job: PrivacyWork,
  delaySeconds: number,
  reason: string,
  deps: PrivacyWorkerDeps,
): Promise<ProcessResult> {
  await saveState(job, deps, { lastError: reason });
  return giveBack(job.work.record, job.work.message, delaySeconds, reason, deps);
}

/**
 * The request is done. An erasure forgets the identifiers it gathered (the proof stays); an export
 * keeps them (hashes and IDs, no values) to build the export when it is fetched.
 */
export async function complete(job: PrivacyWork, deps: PrivacyWorkerDeps): Promise<ProcessResult> {
  const { state } = job;
  const completedAt = clock(deps).toISOString();
  let final: PrivacyState = { ...state, phase: 'done', completedAt };
  if (state.kind === 'erase') {
    const { sourceCustomerId: _id, emailKey: _key, ...subject } = state.subject;
    final = { ...final, subject, expanded: undefined, batch: undefined };
  }
  return recordPrivacyCompleted(job.work.record, final, deps);
}
