import { app, InvocationContext } from '@azure/functions';
import { appServices, applyToShopDeps } from '../shared/composition';
import { invocationLog } from '../shared/adapters/invocation-log';
import { applyToShop } from '../shared/use-cases/fo-events/apply-to-shop';

/**
 * Queue trigger on `%FO_EVENTS_QUEUE_NAME%` (issue 29): writes a D365 customer change to the linked
 * shop customer. Throws when the shop cannot be reached or another instance holds the customer, so
 * the host delivers the message again (its poison queue after maxDequeueCount).
 */
export async function applyFoEvent(message: unknown, context: InvocationContext): Promise<void> {
  await applyToShop(message, applyToShopDeps(appServices(), invocationLog(context)));
}

app.storageQueue('applyFoEvent', {
  queueName: '%FO_EVENTS_QUEUE_NAME%',
  connection: 'AzureWebJobsStorage',
  handler: applyFoEvent,
});
