import { app, InvocationContext } from '@azure/functions';
import { appServices } from '../shared/app-services';
import { invocationLog } from '../shared/log';
import { processCustomerMessage } from '../shared/process-customer';

/**
 * Queue trigger on `%CUSTOMER_QUEUE_NAME%`: creates the customer in D365. A transient failure
 * throws, so the host makes the message visible again after `visibilityTimeout` and moves it to
 * the poison queue after `maxDequeueCount` deliveries (host.json).
 */
export async function processCustomer(message: unknown, context: InvocationContext): Promise<void> {
  const { config, statusStore, d365, telemetry } = appServices();
  await processCustomerMessage(message, {
    statusStore,
    d365,
    telemetry,
    log: invocationLog(context),
    target: config.d365.target,
    defaultCustomerGroup: config.d365.defaultCustomerGroup,
  });
}

app.storageQueue('processCustomer', {
  queueName: '%CUSTOMER_QUEUE_NAME%',
  connection: 'AzureWebJobsStorage',
  handler: processCustomer,
});
