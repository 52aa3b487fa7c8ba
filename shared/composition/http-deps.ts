/** What the HTTP routes need, from the process-wide services and the invocation's log. */
import type { InvocationContext } from '@azure/functions';
import { invocationLog } from '../adapters/invocation-log';
import type { WebhookHttpDeps } from '../http/webhooks/intake';
import type { PrivacyHttpDeps } from '../http/privacy-requests';
import type { CreateHttpDeps } from '../http/create-intake';
import type { UpdateHttpDeps } from '../http/update-intake';
import { processQueuedRequest } from '../use-cases/worker/dispatch';
import { watchedStatusStore } from '../use-cases/last-written';
import { appServices } from './create-services';
import { acceptDeps, workerDeps } from './worker-deps';

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
