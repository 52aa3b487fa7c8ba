import { app, InvocationContext } from '@azure/functions';
import { appServices, workerDeps } from '../shared/composition';
import { invocationLog } from '../shared/adapters/invocation-log';
import { processQueuedRequest } from '../shared/use-cases/worker/dispatch';

/**
 * Queue trigger on `%CUSTOMER_QUEUE_NAME%`: creates the customer in D365, or applies an update
 * (issue 17). Retries are ours: a transient failure queues the next attempt with a delay and this
 * delivery is acknowledged. Only an unexpected error (storage unreachable) throws, leaving the
 * redelivery to the host.
 */
export async function processCustomer(message: unknown, context: InvocationContext): Promise<void> {
  await processQueuedRequest(message, workerDeps(appServices(), invocationLog(context)));
}

app.storageQueue('processCustomer', {
  queueName: '%CUSTOMER_QUEUE_NAME%',
  connection: 'AzureWebJobsStorage',
  handler: processCustomer,
});
