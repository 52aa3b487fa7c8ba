/** What the intake, the queue worker, the write-back step and the reconciler need, from the services. */
import type { Config } from '../config/config';
import { mapToCustomersV3 } from '../adapters/d365/d365-payload';
import {
  addressListFromCustomersV3,
  ANONYMISED_FIELDS,
  anonymiseCustomersV3,
  customersV3FieldsOf,
} from '../adapters/d365/d365-entity-fields';
import type { AcceptDeps } from '../use-cases/accept-customer';
import type { WorkerDeps } from '../use-cases/worker/deps';
import type { WriteBackDeps } from '../use-cases/worker/write-back';
import type { ReconcileDeps } from '../use-cases/reconcile';
import type { ReviewDeps } from '../use-cases/operations/act-on-review';
import type { Log } from '../ports';
import type { AppServices } from './app-services';

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
      foEvents: services.foEvents.ledger,
      backfillUploads: services.backfill.uploads,
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

/** What the operator actions on one request need (issue 31; a review's link as the worker's, issue 32). */
export function operatorActionDeps(services: AppServices, log: Log): ReviewDeps {
  const { config } = services;
  return {
    statusStore: services.statusStore,
    queue: services.queue,
    audit: services.auditLog,
    log,
    defaultCustomerGroup: config.d365.defaultCustomerGroup,
    // A review's link ends the request as the worker does: the customer link, its callback and telemetry.
    telemetry: services.telemetry,
    callbackOutbox: services.callbacks.outbox,
    target: config.d365.target,
    links: services.links,
    toD365Fields: (request) => ({ ...mapToCustomersV3(request).body }),
  };
}
