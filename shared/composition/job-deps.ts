/** What the background work needs, from the services: F&O events, backfill pages, drift repair, bulk replay. */
import type { Log } from '../ports';
import type { DataEventHttpDeps } from '../http/fo-data-events';
import type { ApplyToShopDeps } from '../use-cases/fo-events/apply-to-shop';
import type { AcceptGridEventDeps } from '../use-cases/fo-events/accept-grid-event';
import type { BackfillPageDeps } from '../use-cases/backfill/backfill-page';
import type { DriftRepairDeps } from '../use-cases/drift/repair-drift';
import type { BulkReplayDeps } from '../use-cases/operations/bulk-replay';
import type { AppServices } from './app-services';
import { acceptDeps, writeBackLeaseSeconds } from './worker-deps';

/** What the F&O data event intake needs (issue 29): the shops' legal entities and sources, the stores. */
export function foDataEventDeps(services: AppServices, log: Log): DataEventHttpDeps {
  const shops = services.config.webhooks.sources.filter(
    (source) => source.kind === 'shopify' || source.kind === 'bigcommerce',
  );
  return {
    telemetry: services.telemetry,
    log,
    callers: services.config.callers,
    accept: {
      shopLegalEntities: new Set(shops.map((source) => source.legalEntity.toUpperCase())),
      shopSources: new Set(shops.map((source) => source.name)),
      links: services.links,
      ledger: services.foEvents.ledger,
      queue: services.foEvents.queue,
      telemetry: services.telemetry,
      log,
      now: () => new Date(),
    },
  };
}

/** What the Event Grid intake of F&O events needs (issue 29): the HTTPS intake's use-case and stores. */
export function foGridEventDeps(services: AppServices, log: Log): AcceptGridEventDeps {
  const { accept, telemetry } = foDataEventDeps(services, log);
  return { accept, telemetry, log };
}

/** What the shop update of a D365 change needs (issue 29); its lease is the write-back's. */
export function applyToShopDeps(services: AppServices, log: Log): ApplyToShopDeps {
  return {
    ledger: services.foEvents.ledger,
    states: services.foEvents.states,
    links: services.links,
    shopClients: services.shopClients,
    telemetry: services.telemetry,
    log,
    now: () => new Date(),
    leaseSeconds: writeBackLeaseSeconds(services.config),
    conflictPolicy: services.config.conflictPolicy,
  };
}

/** What a backfill page needs, from the services (issue 30). */
export function backfillPageDeps(services: AppServices, log: Log): BackfillPageDeps {
  const { config } = services;
  return {
    backfillJobs: services.backfill.jobs,
    backfillQueue: services.backfill.queue,
    uploads: services.backfill.uploads,
    shopClients: services.shopClients,
    links: services.links,
    webhookSources: config.webhooks.sources,
    accept: acceptDeps(services, log),
    customerQueueDepth: services.customerQueueDepth,
    pageSize: config.backfill.pageSize,
    maxBacklog: config.backfill.maxBacklog,
    gate: { room: services.replay.gateRoom, reserveSlots: config.operations.replay.reserveSlots },
    dryRunLookup: { d365: services.d365, gate: services.gate, maxWaitMs: 10_000 },
    retry: config.retry,
    telemetry: services.telemetry,
    log,
  };
}

/** What a drift-repair run needs, from the services (issue 30). */
export function driftRepairDeps(services: AppServices, log: Log, runId: string): DriftRepairDeps {
  const { config } = services;
  return {
    watermarks: services.driftWatermarks,
    shopClients: services.shopClients,
    links: services.links,
    webhookSources: config.webhooks.sources,
    accept: acceptDeps(services, log),
    customerQueueDepth: async () => (await services.queueDepths())[config.queueName] ?? 0,
    settings: {
      intervalSeconds: config.driftRepair.intervalSeconds,
      maxCustomers: config.driftRepair.maxCustomers,
      pageSize: config.backfill.pageSize,
      settleSeconds: config.driftRepair.settleSeconds,
      lookbackSeconds: config.driftRepair.lookbackHours * 3600,
      maxBacklog: config.backfill.maxBacklog,
      // A page: the shop's budget wait and its call, then one intake per customer; renewed per page.
      leaseSeconds: Math.ceil((config.shops.maxWaitMs + config.shops.timeoutMs) / 1000) + 120,
    },
    telemetry: services.telemetry,
    log,
    runId,
  };
}

/** What bulk replay (start, tick, cancel, revive) needs, from the services. */
export function bulkReplayDeps(services: AppServices, log: Log): BulkReplayDeps {
  const { config } = services;
  return {
    statusStore: services.statusStore,
    queue: services.queue,
    index: services.operationsIndex,
    jobs: services.replay.jobs,
    ticks: services.replay.ticks,
    gate: services.replay.gateRoom,
    audit: services.auditLog,
    log,
    pacing: {
      reserveSlots: config.operations.replay.reserveSlots,
      batchSize: config.operations.replay.batchSize,
      // Admission's background share per instance (fair sharing): the window never exceeds it.
      backgroundShare: config.fairShare.waiters,
    },
    customerQueueDepth: services.customerQueueDepth,
  };
}
