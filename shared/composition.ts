// The composition root: every adapter wired to the configuration in one place (long because each port has its wiring here).
import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential, TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { QueueClient } from '@azure/storage-queue';
import { Config, getConfig } from './config/config';
import { isLoopbackUrl } from './config/urls';
import { storageCustomerQueue } from './adapters/storage-customer-queue';
import { AcceptDeps } from './use-cases/accept-customer';
import { d365Client } from './adapters/d365/d365-client';
import { d365Gate } from './adapters/d365/d365-gate';
import { fleetGate } from './adapters/d365/fleet-gate';
import { fairAdmission } from './adapters/fair-admission';
import { batchedEmailLookup } from './adapters/d365/batched-email-lookup';
import { tableIdentityClaims } from './adapters/table-identity-claims';
import { tableCustomerLinks } from './adapters/table-customer-links';
import { tableErasureMarks } from './adapters/table-erasure-marks';
import { mapToCustomersV3 } from './adapters/d365/d365-payload';
import {
  addressListFromCustomersV3,
  ANONYMISED_FIELDS,
  anonymiseCustomersV3,
  customersV3FieldsOf,
} from './adapters/d365/d365-entity-fields';
import { createD365CustomerUpdates } from './adapters/d365/d365-customer-updates';
import { createD365PostalAddresses } from './adapters/d365/d365-postal-addresses';
import { createD365ContactPersons } from './adapters/d365/d365-contact-persons';
import { processQueuedRequest } from './use-cases/worker/dispatch';
import type { WorkerDeps } from './use-cases/worker/deps';
import type { UpdateHttpDeps } from './http/update-intake';
import type { CreateHttpDeps } from './http/create-intake';
import { concurrencyLimit, RateLimiter, rateLimiter } from './http/rate-limit';
import { ReconcileDeps } from './use-cases/reconcile';
import { keyVaultSecretSource } from './adapters/key-vault-secret-source';
import { keyVaultCorrelationKey } from './adapters/key-vault-correlation-key';
import { tableStatusStore } from './adapters/table-status-store';
import { applicationInsightsTelemetry } from './adapters/app-insights-telemetry';
import { entraTokenSource, PUBLIC_AUTHORITY } from './adapters/entra-token-source';
import {
  CorrelationKeySource,
  CustomerLinks,
  CustomerQueue,
  D365Client,
  D365CustomerUpdates,
  D365PostalAddresses,
  D365ContactPersons,
  D365Gate,
  FairAdmission,
  ErasureMarks,
  IdentityClaims,
  Log,
  SourceCustomers,
  StatusStore,
  Telemetry,
  ShopClients,
  WebhookSecrets,
  WriteBackQueue,
} from './ports';
import type { InvocationContext } from '@azure/functions';
import { invocationLog } from './adapters/invocation-log';
import { keyVaultWebhookSecrets } from './adapters/key-vault-webhook-secrets';
import { signingSecretRules } from './config/signing-secrets';
import { secretWeakness } from './domain/secret-strength';
import { bigCommerceCustomers } from './adapters/bigcommerce-customers';
import { shopClients } from './adapters/shops/shop-clients';
import type { WebhookHttpDeps } from './http/webhooks/intake';
import type { PrivacyHttpDeps } from './http/privacy-requests';
import { callbackServices, CallbackServices } from './adapters/callbacks/callback-services';
import { ensuredOnce } from './adapters/ensured-once';
import { storageWriteBackQueue } from './adapters/storage-write-back-queue';
import { storageFoEventQueue, tableFoApplyStates, tableFoEventLedger } from './adapters/storage-fo-events';
import type { DataEventHttpDeps } from './http/fo-data-events';
import { storageBackfillQueue } from './adapters/storage-backfill-queue';
import { tableBackfillJobs } from './adapters/table-backfill-jobs';
import { tableDriftWatermarks } from './adapters/table-drift-watermarks';
import type { DriftRepairDeps } from './use-cases/drift/repair-drift';
import type { BackfillPageDeps } from './use-cases/backfill/backfill-page';
import type { WriteBackDeps } from './use-cases/worker/write-back';
import { errorName } from './domain/failure';
import { tableOperationsIndex } from './adapters/operations/table-operations-index';
import { indexedStatusStore } from './adapters/operations/indexed-status-store';
import type { AuditLog, BackfillJobs, BackfillQueue, DriftWatermarks, OperationsIndex } from './ports';
import type { FoApplyStates, FoEventLedger, FoEventQueue } from './ports';
import type { ApplyToShopDeps } from './use-cases/fo-events/apply-to-shop';
import { tableAuditLog } from './adapters/operations/table-audit-log';
import { tableReplayJobs } from './adapters/operations/table-replay-jobs';
import { storageReplayTicks } from './adapters/operations/storage-replay-ticks';
import { gateRoom } from './adapters/operations/gate-room';
import { tableGateRows } from './adapters/d365/gate-rows';
import type { GateRoom, ReplayJobs, ReplayTicks } from './ports';
import type { BulkReplayDeps } from './use-cases/operations/bulk-replay';
import { resolveSuperseded } from './use-cases/operations/auto-resolve';
import { watchedStatusStore } from './use-cases/last-written';

/**
 * The composition root: the real adapters, built once per process from the validated
 * configuration. Function files take what they need from here; tests build use-cases with
 * their own adapters instead.
 */
export interface AppServices {
  config: Config;
  statusStore: StatusStore;
  queue: CustomerQueue;
  poisonQueue: CustomerQueue;
  d365: D365Client;
  /** Shared by the whole fleet (rows in the status table): D365 concurrency and throttling pauses. */
  gate: D365Gate;
  /** Batched duplicate lookups, each batch in a gate slot of its own (absent with D365_LOOKUP_BATCH_SIZE=1). */
  gatedLookup?: Pick<D365Client, 'findCustomersByEmail'>;
  /** Per-customer claims for the duplicate policy, shared by the fleet (rows in the status table). */
  identityClaims: IdentityClaims;
  /** Customer links and the update state (issue 17), in LINK_TABLE_NAME. */
  links: CustomerLinks;
  /** Erasure marks (issue 27): erased source customers not taken in again (rows in the status table). */
  erasureMarks: ErasureMarks;
  /** Updates of existing customers through CustomersV3 (both targets). */
  d365Updates: D365CustomerUpdates;
  /** A customer's postal addresses (CustomerPostalAddresses): the CustomersV3 target's further addresses. */
  postalAddresses: D365PostalAddresses;
  /** An organisation customer's contact persons (CDSContactPersonsV2): the CustomersV3 target's contact person. */
  contactPersons: D365ContactPersons;
  telemetry: Telemetry;
  /** Per-caller request budget of this instance (intake). */
  rateLimiter: RateLimiter;
  /** Prefer: wait requests held open by this instance. */
  waits: ReturnType<typeof concurrencyLimit>;
  /** Fair sharing between callers (issue 24): this instance's admission per caller (FAIR_SHARE_WAITERS, CALLER_WEIGHTS). */
  admission?: FairAdmission;
  /** Webhook signing secrets from Key Vault, cached and re-read (rotation without restart). */
  webhookSecrets: WebhookSecrets;
  /** The fleet's correlation-ID key (issue 24), read once from Key Vault and kept. */
  correlationKey: CorrelationKeySource;
  /** Shops' APIs the worker reads webhook customers from (BigCommerce). */
  sourceCustomers: SourceCustomers;
  /** The shops' Admin APIs the D365 account is written back to (issue 28), paced by a fleet-wide budget. */
  shopClients: ShopClients;
  /** Where shop write-backs wait for their step (WRITE_BACK_QUEUE_NAME). */
  writeBackQueue: WriteBackQueue;
  /** Result callbacks: the outbox, the disabled endpoints, the sender. */
  callbacks: CallbackServices;
  /** Approximate message counts of the customer queue and its poison queue. */
  queueDepths(): Promise<Record<string, number>>;
  /** The customer queue's approximate message count alone (one call: backfill and bulk replay pace by it). */
  customerQueueDepth(): Promise<number>;
  /** The operations index (issue 31), kept by `statusStore` on every write. */
  operationsIndex: OperationsIndex;
  /** The operator audit log (issue 31), in its own table. */
  auditLog: AuditLog;
  /** Backfill jobs and their page queue (issue 30). */
  backfill: { jobs: BackfillJobs; queue: BackfillQueue };
  /** Drift repair's row per shop (issue 30), in the backfill table. */
  driftWatermarks: DriftWatermarks;
  /** F&O data events (issue 29): the event IDs taken, and their queue. */
  foEvents: { ledger: FoEventLedger; queue: FoEventQueue; states: FoApplyStates };
  /** Bulk replay jobs (beside the operations index), their tick queue, and the gate's room they pace by. */
  replay: { jobs: ReplayJobs; ticks: ReplayTicks; gateRoom: GateRoom };
}

/** What the intake use-case needs, from the services. */
export function acceptDeps(services: AppServices, log: Log): AcceptDeps {
  const { config, statusStore, queue, telemetry } = services;
  return {
    statusStore,
    queue,
    telemetry,
    log,
    target: config.d365.target,
    defaultCustomerGroup: config.d365.defaultCustomerGroup,
    links: services.links,
    erasureMarks: services.erasureMarks,
    shopClients: services.shopClients,
    writeBackQueue: services.writeBackQueue,
    correlationKey: services.correlationKey,
    retentionDays: config.retentionDays,
  };
}

/** What the queue worker (creates and updates) needs, from the services. */
export function workerDeps(services: AppServices, log: Log): WorkerDeps {
  const { config } = services;
  return {
    ...acceptDeps(services, log),
    d365: services.d365,
    gate: services.gate,
    admission: services.admission,
    gatedLookup: services.gatedLookup,
    identityClaims: services.identityClaims,
    callTimeoutMs: config.d365.timeoutMs,
    poisonQueue: services.poisonQueue,
    duplicatePolicy: config.duplicatePolicy,
    retry: config.retry,
    leaseSeconds: config.leaseSeconds,
    settleSeconds: config.d365.settleSeconds,
    postalAddresses: services.postalAddresses,
    furtherAddressesOf: (request) => mapToCustomersV3(request).further,
    contactPersons: services.contactPersons,
    callbackOutbox: services.callbacks.outbox,
    links: services.links,
    sourceCustomers: services.sourceCustomers,
    webhookSources: config.webhooks.sources,
    d365Updates: services.d365Updates,
    toD365Fields: (request) => ({ ...mapToCustomersV3(request).body }),
    entityFields: {
      fieldsOf: customersV3FieldsOf,
      addressList: addressListFromCustomersV3,
      anonymise: anonymiseCustomersV3,
      anonymisedFields: ANONYMISED_FIELDS,
    },
    conflictPolicy: config.conflictPolicy,
    privacy: {
      erasureMarks: services.erasureMarks,
      anonymiseIn: (legalEntity) => config.privacy.anonymiseLegalEntities.includes(legalEntity.toUpperCase()),
      settleSeconds: config.privacy.settleSeconds,
    },
    shopClients: services.shopClients,
    writeBackQueue: services.writeBackQueue,
  };
}

/**
 * An attempt's lease on a write-back: the budget wait and up to four shop calls (definition, read,
 * write, one re-read), and the writes around them.
 */
export const writeBackLeaseSeconds = (config: Config): number =>
  Math.ceil((config.shops.maxWaitMs + 4 * config.shops.timeoutMs) / 1000) + 5;

/** What the F&O data event intake needs (issue 29): the shops' legal entities and sources, the stores. */
export function foDataEventDeps(services: AppServices, log: Log): DataEventHttpDeps {
  const shops = services.config.webhooks.sources.filter(
    (source) => source.kind === 'shopify' || source.kind === 'bigcommerce',
  );
  return {
    telemetry: services.telemetry,
    log,
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

/** What the shop update of a D365 change needs (issue 29); its lease is the write-back's. */
export function applyToShopDeps(services: AppServices, log: Log): ApplyToShopDeps {
  return {
    states: services.foEvents.states,
    links: services.links,
    shopClients: services.shopClients,
    telemetry: services.telemetry,
    log,
    now: () => new Date(),
    leaseSeconds: writeBackLeaseSeconds(services.config),
  };
}

/** What the write-back step needs, from the services. */
export function writeBackDeps(services: AppServices, log: Log): WriteBackDeps {
  const { config } = services;
  return {
    statusStore: services.statusStore,
    shopClients: services.shopClients,
    queue: services.writeBackQueue,
    retry: config.retry,
    leaseSeconds: writeBackLeaseSeconds(config),
    callbackOutbox: services.callbacks.outbox,
    telemetry: services.telemetry,
    log,
  };
}

/** What a backfill page needs, from the services (issue 30). */
export function backfillPageDeps(services: AppServices, log: Log): BackfillPageDeps {
  const { config } = services;
  return {
    backfillJobs: services.backfill.jobs,
    backfillQueue: services.backfill.queue,
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

/** What the webhook routes need, from the services. */
export function webhookHttpDeps(context: InvocationContext): WebhookHttpDeps {
  const services = appServices();
  const log = invocationLog(context);
  return {
    config: services.config,
    secrets: services.webhookSecrets,
    accept: acceptDeps(services, log),
    telemetry: services.telemetry,
    log,
  };
}

/** What the privacy routes need (issue 27), from the services. */
export function privacyHttpDeps(context: InvocationContext): PrivacyHttpDeps {
  const services = appServices();
  const log = invocationLog(context);
  return {
    config: services.config,
    accept: acceptDeps(services, log),
    statusStore: services.statusStore,
    exports: { statusStore: services.statusStore, links: services.links, log },
    auditLog: services.auditLog,
    log,
  };
}

/** What the create route needs, from the services. */
export function createHttpDeps(context: InvocationContext): CreateHttpDeps {
  const services = appServices();
  const log = invocationLog(context);
  return {
    config: services.config,
    accept: acceptDeps(services, log),
    statusStore: services.statusStore,
    waits: services.waits,
    rateLimiter: services.rateLimiter,
    callbackEndpoints: services.callbacks.endpoints,
    callbackSigning: services.callbacks.signing,
    processNow: async (message, accepted) => {
      // The record as the worker last wrote it is the answer: no read back (issue 33).
      const watched = watchedStatusStore(services.statusStore, message.correlationId);
      await processQueuedRequest(
        message,
        { ...workerDeps(services, log), statusStore: watched.store },
        { accepted },
      );
      return watched.last();
    },
  };
}

/** What the update routes need, from the services. */
export function updateHttpDeps(context: InvocationContext): UpdateHttpDeps {
  const services = appServices();
  const log = invocationLog(context);
  return {
    config: services.config,
    accept: { ...acceptDeps(services, log), links: services.links },
    statusStore: services.statusStore,
    waits: services.waits,
    rateLimiter: services.rateLimiter,
    callbackEndpoints: services.callbacks.endpoints,
    callbackSigning: services.callbacks.signing,
    processNow: (message) => processQueuedRequest(message, workerDeps(services, log)),
  };
}

/** What the reconciler needs, from the services. */
export function reconcileDeps(services: AppServices, log: Log): ReconcileDeps {
  const { config } = services;
  return {
    ...acceptDeps(services, log),
    retry: config.retry,
    reconcileAfterSeconds: config.reconcileAfterSeconds,
    callbackOutbox: services.callbacks.outbox,
    queueDepths: services.queueDepths,
    writeBackQueue: services.writeBackQueue,
  };
}

function storageCredential(config: Config): TokenCredential | undefined {
  return config.storage.kind === 'identity'
    ? new DefaultAzureCredential({ managedIdentityClientId: config.storage.clientId })
    : undefined;
}

function lazyStatusStore(getClient: () => Promise<TableClient>): StatusStore {
  const store = async (): Promise<StatusStore> => tableStatusStore(await getClient());
  return {
    create: async (record) => (await store()).create(record),
    get: async (id) => (await store()).get(id),
    update: async (current, changes) => (await store()).update(current, changes),
    delete: async (record) => (await store()).delete(record),
    findLeaseExpired: async (before, limit) => (await store()).findLeaseExpired(before, limit),
    findStale: async (statuses, before, limit) => (await store()).findStale(statuses, before, limit),
    findCreatedBefore: async (before, limit) => (await store()).findCreatedBefore(before, limit),
    findEndedWithPayload: async (before, limit) => (await store()).findEndedWithPayload(before, limit),
    findHolding: async (query, limit) => (await store()).findHolding(query, limit),
    findOpenPrivacyRequests: async (limit) => (await store()).findOpenPrivacyRequests(limit),
    findWriteBacks: async (state, limit) => (await store()).findWriteBacks(state, limit),
  };
}

export function createAppServices(config: Config): AppServices {
  const local = config.storage.kind === 'connectionString';
  const credential = storageCredential(config);
  const tableClient =
    config.storage.kind === 'connectionString'
      ? TableClient.fromConnectionString(config.storage.connectionString, config.statusTable, {
          allowInsecureConnection: true,
        })
      : new TableClient(config.storage.tableServiceUri, config.statusTable, credential!);
  const queueClientFor = (name: string): QueueClient =>
    config.storage.kind === 'connectionString'
      ? new QueueClient(config.storage.connectionString, name)
      : new QueueClient(`${config.storage.queueServiceUri.replace(/\/$/, '')}/${name}`, credential!);
  const queueClient = queueClientFor(config.queueName);
  const poisonClient = queueClientFor(config.poisonQueueName);

  const getTable = ensuredOnce(tableClient, () => tableClient.createTable(), local);
  const linkClient =
    config.storage.kind === 'connectionString'
      ? TableClient.fromConnectionString(config.storage.connectionString, config.linkTable, {
          allowInsecureConnection: true,
        })
      : new TableClient(config.storage.tableServiceUri, config.linkTable, credential!);
  const getLinks = ensuredOnce(linkClient, () => linkClient.createTable(), local);
  const getQueue = ensuredOnce(queueClient, () => queueClient.createIfNotExists(), local);
  const getPoison = ensuredOnce(poisonClient, () => poisonClient.createIfNotExists(), local);
  const writeBackClient = queueClientFor(config.shops.writeBackQueueName);
  const getWriteBack = ensuredOnce(writeBackClient, () => writeBackClient.createIfNotExists(), local);
  const tableClientFor = (name: string): TableClient =>
    config.storage.kind === 'connectionString'
      ? TableClient.fromConnectionString(config.storage.connectionString, name, {
          allowInsecureConnection: true,
        })
      : new TableClient(config.storage.tableServiceUri, name, credential!);
  const operationsClient = tableClientFor(config.operations.table);
  const getOperations = ensuredOnce(operationsClient, () => operationsClient.createTable(), local);
  const operationsIndex = tableOperationsIndex(getOperations);
  const auditClient = tableClientFor(config.operations.auditTable);
  const auditLog = tableAuditLog(ensuredOnce(auditClient, () => auditClient.createTable(), local));
  const backfillTable = tableClientFor(config.backfill.table);
  const getBackfillTable = ensuredOnce(backfillTable, () => backfillTable.createTable(), local);
  const backfillQueueClient = queueClientFor(config.backfill.queueName);
  const getBackfillQueue = ensuredOnce(
    backfillQueueClient,
    () => backfillQueueClient.createIfNotExists(),
    local,
  );
  const replayQueue = queueClientFor(config.operations.replay.queueName);
  const foEventsTable = tableClientFor(config.foEvents.table);
  const foEventsQueue = queueClientFor(config.foEvents.queueName);
  const getFoEventsTable = ensuredOnce(foEventsTable, () => foEventsTable.createTable(), local);
  // Outside any invocation (the index is kept by every writer): the host captures console lines.
  const processLog = invocationLog(console);

  // DefaultAzureCredential, as in Azure: the managed identity there; locally the identity that
  // AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET name (the local stack sets the emulator's),
  // or `az login`. A vault on this machine is the emulator, whose challenge cannot name its own domain.
  const keyVaultCredential = new DefaultAzureCredential({
    authorityHost: config.authorityHost,
    disableInstanceDiscovery: config.authorityHost !== PUBLIC_AUTHORITY,
  });
  const secretClient = new SecretClient(config.keyVault.url, keyVaultCredential, {
    disableChallengeResourceVerification: isLoopbackUrl(config.keyVault.url),
  });
  const secrets = keyVaultSecretSource(secretClient, config.keyVault.secretName, config.keyVault.timeoutMs);
  const tokens = entraTokenSource(secrets, {
    tenantId: config.d365.tenantId,
    clientId: config.d365.clientId,
    resource: config.d365.url,
    authorityHost: config.authorityHost,
    timeoutMs: config.entraTimeoutMs,
  });

  const signingRules = signingSecretRules(config);
  const webhookSecrets = keyVaultWebhookSecrets(secretClient, {
    refreshSeconds: config.webhooks.secretRefreshSeconds,
    rotationWindowSeconds: config.webhooks.rotationWindowSeconds,
    timeoutMs: config.keyVault.timeoutMs,
    weakness: (name, value) => {
      const rule = signingRules.get(name);
      return rule && secretWeakness(rule.kind, value);
    },
    // A weak secret is never used: deliveries signed with it get 401, callbacks wait unsigned.
    onRefused: (name, reason) =>
      console.error(
        `Refused the Key Vault secret "${name}" (${signingRules.get(name)?.setting ?? 'a signing secret'}): ${reason}. Put a stronger value in Key Vault as a new version of the secret.`,
      ),
  });

  const d365 = d365Client(tokens, config.d365);
  const gate = fleetGate(getTable, {
    slots: config.d365MaxConcurrency,
    callTimeoutMs: config.d365.timeoutMs,
    maxCallsPerSecond: config.d365MaxRequestsPerSecond,
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

  return {
    config,
    webhookSecrets,
    correlationKey: keyVaultCorrelationKey(
      secretClient,
      config.keyVault.correlationKeyName,
      config.keyVault.timeoutMs,
    ),
    callbacks: callbackServices(config, { queueClientFor, tableClientFor, local }, webhookSecrets),
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
    statusStore: indexedStatusStore(lazyStatusStore(getTable), operationsIndex, {
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
    }),
    operationsIndex,
    auditLog,
    replay: {
      jobs: tableReplayJobs(getOperations),
      ticks: storageReplayTicks(ensuredOnce(replayQueue, () => replayQueue.createIfNotExists(), local)),
      gateRoom: gateRoom(tableGateRows(getTable), config.d365MaxConcurrency),
    },
    writeBackQueue: {
      send: async (message, options) => storageWriteBackQueue(await getWriteBack()).send(message, options),
    },
    driftWatermarks: tableDriftWatermarks(getBackfillTable),
    foEvents: {
      ledger: tableFoEventLedger(getFoEventsTable),
      states: tableFoApplyStates(getFoEventsTable),
      queue: storageFoEventQueue(ensuredOnce(foEventsQueue, () => foEventsQueue.createIfNotExists(), local)),
    },
    backfill: {
      jobs: tableBackfillJobs(getBackfillTable),
      queue: {
        send: async (message, options) =>
          storageBackfillQueue(await getBackfillQueue()).send(message, options),
      },
    },
    queue: {
      send: async (message, options) => storageCustomerQueue(await getQueue()).send(message, options),
    },
    poisonQueue: {
      send: async (message, options) =>
        storageCustomerQueue(await getPoison(), config.retentionDays * 86_400).send(message, options),
    },
    d365,
    gate,
    gatedLookup,
    identityClaims: tableIdentityClaims(getTable),
    links: tableCustomerLinks(getLinks),
    erasureMarks: tableErasureMarks(getTable),
    // CustomersV3 by key for both targets (README "Customer updates"): the custom service only creates.
    d365Updates: createD365CustomerUpdates(tokens, {
      url: config.d365.url,
      timeoutMs: config.d365.timeoutMs,
    }),
    postalAddresses: createD365PostalAddresses(tokens, {
      url: config.d365.url,
      timeoutMs: config.d365.timeoutMs,
    }),
    contactPersons: createD365ContactPersons(tokens, {
      url: config.d365.url,
      timeoutMs: config.d365.timeoutMs,
    }),
    rateLimiter: rateLimiter(config.callers.ratePerMinute),
    waits: concurrencyLimit(config.callers.maxConcurrentWaits),
    // FAIR_SHARE_WAITERS=0: no fair sharing at all, first come, first served (admission and gate line).
    admission: config.fairShare.waiters > 0 ? fairAdmission(config.fairShare) : undefined,
    async customerQueueDepth() {
      return (await (await getQueue()).getProperties()).approximateMessagesCount ?? 0;
    },
    async queueDepths() {
      const depth = async (get: () => Promise<QueueClient>): Promise<number> =>
        (await (await get()).getProperties()).approximateMessagesCount ?? 0;
      return {
        [config.queueName]: await depth(getQueue),
        [config.poisonQueueName]: await depth(getPoison),
        [config.shops.writeBackQueueName]: await depth(getWriteBack),
        [config.backfill.queueName]: await depth(getBackfillQueue),
      };
    },
    telemetry: applicationInsightsTelemetry(
      config.applicationInsights?.connectionString,
      // In Azure the component takes Entra ID tokens only (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
      config.applicationInsights?.entraClientId === undefined
        ? undefined
        : () =>
            new ManagedIdentityCredential({
              clientId: config.applicationInsights!.entraClientId || undefined,
            }),
    ),
  };
}

let services: AppServices | undefined;

/** The process-wide services; the configuration is validated on first use (at app start). */
export function appServices(): AppServices {
  services ??= createAppServices(getConfig());
  return services;
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
