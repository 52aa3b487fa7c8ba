import { customersV3FieldsOf } from '../adapters/d365/d365-entity-fields';
import type { Log } from '../ports';
import { fieldsAwaitingReview } from '../use-cases/fo-events/awaiting-review';
import type { SafetyNetDeps } from '../use-cases/fo-events/safety-net';
import type { AppServices } from './app-services';
import { applyToShopDeps } from './job-deps';

/** What a run of the F&O safety net needs, from the services (issue 29). */
export function foSafetyNetDeps(services: AppServices, log: Log, runId: string): SafetyNetDeps {
  const { config } = services;
  return {
    watermarks: services.foSafetyNetRows,
    runId,
    shopClients: services.shopClients,
    links: services.links,
    webhookSources: config.webhooks.sources,
    d365: services.d365Updates,
    gate: services.gate,
    apply: applyToShopDeps(services, log),
    settings: {
      intervalSeconds: config.foSafetyNet.intervalSeconds,
      maxCustomers: config.foSafetyNet.maxCustomers,
      pageSize: config.backfill.pageSize,
      gateWaitMs: 10_000,
      // A page: the shop's budget wait and its call, then per customer a D365 read and a shop update.
      leaseSeconds: Math.ceil((config.shops.maxWaitMs + config.shops.timeoutMs) / 1000) + 300,
    },
    awaitingReview: fieldsAwaitingReview(services.statusStore, customersV3FieldsOf),
    telemetry: services.telemetry,
    log,
  };
}
