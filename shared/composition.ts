/**
 * The composition root: the real adapters, built once per process from the validated
 * configuration (shared/composition/create-services.ts), and what each use-case or route takes
 * from them. Function files import from here; tests build use-cases with their own adapters.
 */
export type { AppServices } from './composition/app-services';
export { appServices, createAppServices } from './composition/create-services';
export {
  acceptDeps,
  reconcileDeps,
  workerDeps,
  writeBackDeps,
  writeBackLeaseSeconds,
} from './composition/worker-deps';
export {
  applyToShopDeps,
  backfillPageDeps,
  bulkReplayDeps,
  driftRepairDeps,
  foDataEventDeps,
  foGridEventDeps,
} from './composition/job-deps';
export { foSafetyNetDeps } from './composition/fo-safety-net-deps';
export { createHttpDeps, privacyHttpDeps, updateHttpDeps, webhookHttpDeps } from './composition/http-deps';
