import { app, InvocationContext } from '@azure/functions';
import { appServices } from '../shared/app-services';
import { invocationLog } from '../shared/log';
import { recordPoisonMessage } from '../shared/process-customer';

/** Queue trigger on the poison queue: the request ends as `failed` (retries exhausted). */
export async function customerPoison(message: unknown, context: InvocationContext): Promise<void> {
  const { statusStore, telemetry } = appServices();
  await recordPoisonMessage(message, { statusStore, telemetry, log: invocationLog(context) });
}

app.storageQueue('customerPoison', {
  queueName: '%CUSTOMER_QUEUE_NAME%-poison',
  connection: 'AzureWebJobsStorage',
  handler: customerPoison,
});
