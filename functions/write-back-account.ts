import { app, InvocationContext } from '@azure/functions';
import { appServices, writeBackDeps } from '../shared/composition';
import { invocationLog } from '../shared/adapters/invocation-log';
import { processWriteBack } from '../shared/use-cases/worker/write-back';

/**
 * Queue trigger on `%WRITE_BACK_QUEUE_NAME%` (issue 28): writes a shop customer's D365 account to
 * the shop (Shopify metafield, BigCommerce attribute value). Retries are ours, through the queue;
 * only an unexpected error (storage unreachable) throws, leaving the redelivery to the host.
 */
export async function writeBackAccount(message: unknown, context: InvocationContext): Promise<void> {
  await processWriteBack(message, writeBackDeps(appServices(), invocationLog(context)));
}

app.storageQueue('writeBackAccount', {
  queueName: '%WRITE_BACK_QUEUE_NAME%',
  connection: 'AzureWebJobsStorage',
  handler: writeBackAccount,
});
