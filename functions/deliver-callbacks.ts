import { app, InvocationContext } from '@azure/functions';
import { appServices } from '../shared/composition';
import { invocationLog } from '../shared/adapters/invocation-log';
import { deliverCallback } from '../shared/use-cases/deliver-callback';

/**
 * Queue trigger on `%CALLBACK_QUEUE_NAME%` (the callback outbox): POSTs one signed result event to
 * its callback URL. A failed attempt queues the next one with a delay (back-off or the endpoint's
 * Retry-After) and this delivery is acknowledged; only storage being unreachable throws.
 */
export async function deliverCallbacks(message: unknown, context: InvocationContext): Promise<void> {
  const services = appServices();
  const { config, callbacks } = services;
  await deliverCallback(message, {
    statusStore: services.statusStore,
    outbox: callbacks.outbox,
    endpoints: callbacks.endpoints,
    sender: callbacks.sender,
    secrets: services.webhookSecrets,
    secretName: config.callbacks.secretName,
    retry: config.callbacks.retry,
    telemetry: services.telemetry,
    log: invocationLog(context),
  });
}

app.storageQueue('deliverCallbacks', {
  queueName: '%CALLBACK_QUEUE_NAME%',
  connection: 'AzureWebJobsStorage',
  handler: deliverCallbacks,
});
