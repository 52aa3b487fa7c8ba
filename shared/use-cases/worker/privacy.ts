import { PrivacyState, queryForRequest } from '../../domain/privacy';
import { countFound } from '../privacy-export';
import type { Claimed, ProcessResult } from './deps';
import { endAfterError } from './endings';
import { runErase } from './erase';
import { complete, PrivacyWork, PrivacyWorkerDeps } from './privacy-job';

/**
 * A claimed privacy request (issue 27; domain/privacy): an erasure (erase.ts) or an export
 * (privacy-export.ts). Its progress is kept in the record's payload (the `PrivacyState`) after each
 * step, with the lease renewed by the same conditional write, so a killed invocation's successor
 * (the reconciler re-queues it once its lease ends) goes on from the last step saved; each step can
 * be done again without harm.
 */
export async function runPrivacy(
  work: Claimed,
  state: PrivacyState,
  deps: PrivacyWorkerDeps,
): Promise<ProcessResult> {
  const job: PrivacyWork = { work, state, started: Date.now() };
  try {
    return state.kind === 'erase' ? await runErase(job, deps) : await runExport(job, deps);
  } catch (error) {
    return await endAfterError(error, work.record, work.message, deps);
  }
}

async function runExport(job: PrivacyWork, deps: PrivacyWorkerDeps): Promise<ProcessResult> {
  job.state.found = await countFound(queryForRequest(job.state), deps);
  return complete(job, deps);
}
