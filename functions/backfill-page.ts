import { app, InvocationContext } from '@azure/functions';
import { appServices, backfillPageDeps } from '../shared/composition';
import { invocationLog } from '../shared/adapters/invocation-log';
import { processBackfillPage } from '../shared/use-cases/backfill/backfill-page';

/**
 * Queue trigger on `%BACKFILL_QUEUE_NAME%` (issue 30): one page of a shop's backfill. Waits (the
 * shop's budget, a busy customer queue) go back on the queue with a delay; only an unexpected error
 * (storage unreachable) throws, leaving the redelivery to the host.
 */
export async function backfillPage(message: unknown, context: InvocationContext): Promise<void> {
  await processBackfillPage(message, backfillPageDeps(appServices(), invocationLog(context)));
}

app.storageQueue('backfillPage', {
  queueName: '%BACKFILL_QUEUE_NAME%',
  connection: 'AzureWebJobsStorage',
  handler: backfillPage,
});
