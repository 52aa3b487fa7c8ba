/** The real adapters, wired to the validated configuration (the composition root's one builder). */
import { ManagedIdentityCredential } from '@azure/identity';
import { Config, getConfig } from '../config/config';
import { d365Client } from '../adapters/d365/d365-client';
import { d365Gate } from '../adapters/d365/d365-gate';
import { fleetGate } from '../adapters/d365/fleet-gate';
import { batchedEmailLookup } from '../adapters/d365/batched-email-lookup';
import { createD365CustomerUpdates } from '../adapters/d365/d365-customer-updates';
import { createD365PostalAddresses } from '../adapters/d365/d365-postal-addresses';
import { createD365ContactPersons } from '../adapters/d365/d365-contact-persons';
import { tableGateRows } from '../adapters/d365/gate-rows';
import { fairAdmission } from '../adapters/fair-admission';
import { tableIdentityClaims } from '../adapters/table-identity-claims';
import { tableCustomerLinks } from '../adapters/table-customer-links';
import { tableErasureMarks } from '../adapters/table-erasure-marks';
import { keyVaultCorrelationKey } from '../adapters/key-vault-correlation-key';
import { applicationInsightsTelemetry } from '../adapters/app-insights-telemetry';
import { invocationLog } from '../adapters/invocation-log';
import { bigCommerceCustomers } from '../adapters/bigcommerce-customers';
import { shopClients } from '../adapters/shops/shop-clients';
import { callbackServices } from '../adapters/callbacks/callback-services';
import { storageCustomerQueue } from '../adapters/storage-customer-queue';
import { storageWriteBackQueue } from '../adapters/storage-write-back-queue';
import { storageFoEventQueue, tableFoApplyStates, tableFoEventLedger } from '../adapters/storage-fo-events';
import { storageBackfillQueue } from '../adapters/storage-backfill-queue';
import { tableBackfillJobs } from '../adapters/table-backfill-jobs';
import { tableBackfillUploads } from '../adapters/table-backfill-uploads';
import { tableDriftWatermarks } from '../adapters/table-drift-watermarks';
import { tableOperationsIndex } from '../adapters/operations/table-operations-index';
import { indexedStatusStore } from '../adapters/operations/indexed-status-store';
import { tableAuditLog } from '../adapters/operations/table-audit-log';
import { tableReplayJobs } from '../adapters/operations/table-replay-jobs';
import { storageReplayTicks } from '../adapters/operations/storage-replay-ticks';
import { gateRoom } from '../adapters/operations/gate-room';
import { concurrencyLimit, rateLimiter } from '../http/rate-limit';
import { resolveSuperseded } from '../use-cases/operations/auto-resolve';
import { errorName } from '../domain/failure';
import type { TableClient } from '@azure/data-tables';
import type { BackfillQueue, TokenSource } from '../ports';
import type { AppServices } from './app-services';
import { keyVaultParts } from './key-vault';
import { lazyStatusStore, queueDepth, StorageParts, storageParts } from './storage';

/**
 * How long a released fleet gate row stays this instance's for its next create: under a steady flow
 * the next create comes well within it and takes the row without the partition's read, the take and
 * the give-back (three storage transactions a customer); a quarter second holds a row from the rest
 * of the fleet no longer than the poller's own back-off does.
 */
const GATE_LINGER_MS = 250;

/** D365 through the fleet gate: creates, batched lookups, updates and postal addresses. */
function d365Parts(config: Config, tokens: TokenSource, getTable: () => Promise<TableClient>) {
  const d365 = d365Client(tokens, config.d365);
  const gate = fleetGate(getTable, {
    slots: config.d365MaxConcurrency,
    callTimeoutMs: config.d365.timeoutMs,
    maxCallsPerSecond: config.d365MaxRequestsPerSecond,
    // A released row waits this long for the instance's next create (issue 33, docs/performance.md).
    lingerMs: GATE_LINGER_MS,
  });
  const gatedLookup =
    config.lookupBatch.maxSize > 1
      ? batchedEmailLookup(d365, gate, {
          maxBatch: config.lookupBatch.maxSize,
          windowMs: config.lookupBatch.windowMs,
          // Well inside the lease and the customer claim, which nothing renews during the lookup.
          maxGateWaitMs: Math.min((config.leaseSeconds * 1000) / 3, 20_000),
        })
      : undefined;
  const entity = { url: config.d365.url, timeoutMs: config.d365.timeoutMs };
  return {
    d365,
    gate,
    gatedLookup,
    // CustomersV3 by key for both targets (README "Customer updates"): the custom service only creates.
    d365Updates: createD365CustomerUpdates(tokens, entity),
    postalAddresses: createD365PostalAddresses(tokens, entity),
    contactPersons: createD365ContactPersons(tokens, entity),
  };
}

/** The status store kept in the operations index, the audit log and bulk replay's parts (issue 31). */
function operationsParts(config: Config, storage: StorageParts, getTable: () => Promise<TableClient>) {
  const getOperations = storage.ensuredTable(config.operations.table);
  const operationsIndex = tableOperationsIndex(getOperations);
  const auditLog = tableAuditLog(storage.ensuredTable(config.operations.auditTable));
  // Outside any invocation (the index is kept by every writer): the host captures console lines.
  const processLog = invocationLog(console);
  const statusStore = indexedStatusStore(lazyStatusStore(getTable), operationsIndex, {
    onIndexError: (error, correlationId) =>
      processLog.warn('operations.index_write_failed', { correlationId, reason: errorName(error) }),
    // A create that succeeds resolves the customer's earlier failures (issue 31).
    onSucceeded: async (before, after, store) => {
      await resolveSuperseded(before, after, store, {
        index: operationsIndex,
        audit: auditLog,
        log: processLog,
      });
    },
  });
  const replay = {
    jobs: tableReplayJobs(getOperations),
    ticks: storageReplayTicks(storage.ensuredQueue(config.operations.replay.queueName)),
    gateRoom: gateRoom(tableGateRows(getTable), config.d365MaxConcurrency),
  };
  return { statusStore, operationsIndex, auditLog, replay };
}

/** The queues a customer request, a write-back, a backfill page or an F&O event waits on, and their depths. */
type QueueParts = Pick<
  AppServices,
  'queue' | 'poisonQueue' | 'writeBackQueue' | 'customerQueueDepth' | 'queueDepths'
> & { backfillQueue: BackfillQueue };

function queueParts(config: Config, storage: StorageParts): QueueParts {
  const getQueue = storage.ensuredQueue(config.queueName);
  const getPoison = storage.ensuredQueue(config.poisonQueueName);
  const getWriteBack = storage.ensuredQueue(config.shops.writeBackQueueName);
  const getBackfillQueue = storage.ensuredQueue(config.backfill.queueName);
  const poisonSeconds = config.retentionDays * 86_400;
  return {
    queue: {
      send: async (message, options) => storageCustomerQueue(await getQueue()).send(message, options),
    },
    poisonQueue: {
      send: async (message, options) =>
        storageCustomerQueue(await getPoison(), poisonSeconds).send(message, options),
    },
    writeBackQueue: {
      send: async (message, options) => storageWriteBackQueue(await getWriteBack()).send(message, options),
    },
    backfillQueue: {
      send: async (message, options) => storageBackfillQueue(await getBackfillQueue()).send(message, options),
    },
    customerQueueDepth: () => queueDepth(getQueue),
    async queueDepths() {
      return {
        [config.queueName]: await queueDepth(getQueue),
        [config.poisonQueueName]: await queueDepth(getPoison),
        [config.shops.writeBackQueueName]: await queueDepth(getWriteBack),
        [config.backfill.queueName]: await queueDepth(getBackfillQueue),
      };
    },
  };
}

export function createAppServices(config: Config): AppServices {
  const storage = storageParts(config);
  const getTable = storage.ensuredTable(config.statusTable);
  const getBackfillTable = storage.ensuredTable(config.backfill.table);
  const getFoEventsTable = storage.ensuredTable(config.foEvents.table);
  const { secretClient, tokens, webhookSecrets } = keyVaultParts(config);
  const { backfillQueue, ...queues } = queueParts(config, storage);
  const insights = config.applicationInsights;
  return {
    config,
    webhookSecrets,
    correlationKey: keyVaultCorrelationKey(
      secretClient,
      config.keyVault.correlationKeyName,
      config.keyVault.timeoutMs,
    ),
    callbacks: callbackServices(config, storage, webhookSecrets),
    sourceCustomers: bigCommerceCustomers(webhookSecrets, d365Gate(config.d365MaxConcurrency), {
      timeoutMs: config.bigCommerceTimeoutMs,
    }),
    shopClients: shopClients(config.webhooks.sources, {
      secrets: webhookSecrets,
      table: getTable,
      shopifyApiVersion: config.shops.shopifyApiVersion,
      budgetShare: config.shops.budgetShare,
      timeoutMs: config.shops.timeoutMs,
      maxWaitMs: config.shops.maxWaitMs,
    }),
    ...operationsParts(config, storage, getTable),
    ...queues,
    ...d365Parts(config, tokens, getTable),
    driftWatermarks: tableDriftWatermarks(getBackfillTable),
    foSafetyNetRows: tableDriftWatermarks(getBackfillTable, 'fo-safety-net'),
    foEvents: {
      ledger: tableFoEventLedger(getFoEventsTable),
      states: tableFoApplyStates(getFoEventsTable),
      queue: storageFoEventQueue(
        storage.ensuredQueue(config.foEvents.queueName),
        config.foEvents.retentionDays * 86_400,
      ),
    },
    backfill: {
      jobs: tableBackfillJobs(getBackfillTable),
      queue: backfillQueue,
      uploads: tableBackfillUploads(getBackfillTable),
    },
    identityClaims: tableIdentityClaims(getTable),
    links: tableCustomerLinks(storage.ensuredTable(config.linkTable)),
    erasureMarks: tableErasureMarks(getTable),
    rateLimiter: rateLimiter(config.callers.ratePerMinute),
    waits: concurrencyLimit(config.callers.maxConcurrentWaits),
    // FAIR_SHARE_WAITERS=0: no fair sharing at all, first come, first served (admission and gate line).
    admission: config.fairShare.waiters > 0 ? fairAdmission(config.fairShare) : undefined,
    telemetry: applicationInsightsTelemetry(
      insights?.connectionString,
      // In Azure the component takes Entra ID tokens only (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
      insights?.entraClientId === undefined
        ? undefined
        : () => new ManagedIdentityCredential({ clientId: insights.entraClientId || undefined }),
    ),
  };
}

let services: AppServices | undefined;

/** The process-wide services; the configuration is validated on first use (at app start). */
export function appServices(): AppServices {
  services ??= createAppServices(getConfig());
  return services;
}
