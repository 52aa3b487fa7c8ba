import type { TableClient } from '@azure/data-tables';
import type { QueueClient } from '@azure/storage-queue';
import type { Config } from '../../config/config';
import { CallbackEndpoints, CallbackOutbox, CallbackSender } from '../../ports';
import { httpsCallbackSender } from './https-callback-sender';
import { storageCallbackOutbox } from './storage-callback-outbox';
import { tableCallbackEndpoints } from './table-callback-endpoints';

export interface CallbackServices {
  outbox: CallbackOutbox;
  endpoints: CallbackEndpoints;
  sender: CallbackSender;
}

/** Creates a queue or table once when running locally (on a connection string); in Azure the template does. */
function once<T>(client: T, create: () => Promise<unknown>, local: boolean): () => Promise<T> {
  let ready: Promise<unknown> | undefined;
  return async () => {
    if (local) {
      ready ??= create().catch((error: unknown) => {
        ready = undefined;
        throw error;
      });
      await ready;
    }
    return client;
  };
}

/** The result-callback adapters, on the app's storage account (composition root helper). */
export function callbackServices(
  config: Config,
  storage: {
    queueClientFor: (name: string) => QueueClient;
    tableClientFor: (name: string) => TableClient;
    local: boolean;
  },
): CallbackServices {
  const queue = storage.queueClientFor(config.callbacks.queueName);
  const table = storage.tableClientFor(config.callbacks.endpointsTable);
  const getQueue = once(queue, () => queue.createIfNotExists(), storage.local);
  const getTable = once(
    table,
    () =>
      table.createTable().catch((error: { statusCode?: number }) => {
        if (error.statusCode !== 409) throw error;
      }),
    storage.local,
  );
  return {
    outbox: {
      send: async (message, options) => storageCallbackOutbox(await getQueue()).send(message, options),
    },
    endpoints: tableCallbackEndpoints(getTable),
    sender: httpsCallbackSender({
      timeoutMs: config.callbacks.timeoutMs,
      allowedPrivateAddresses: config.callbacks.allowedPrivateAddresses,
    }),
  };
}
