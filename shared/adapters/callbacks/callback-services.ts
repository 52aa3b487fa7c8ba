import type { TableClient } from '@azure/data-tables';
import type { QueueClient } from '@azure/storage-queue';
import type { Config } from '../../config/config';
import {
  CallbackEndpoints,
  CallbackOutbox,
  CallbackSender,
  CallbackSigning,
  WebhookSecrets,
} from '../../ports';
import { ensuredOnce } from '../ensured-once';
import { httpsCallbackSender } from './https-callback-sender';
import { keyVaultCallbackSigning } from './key-vault-callback-signing';
import { storageCallbackOutbox } from './storage-callback-outbox';
import { tableCallbackEndpoints } from './table-callback-endpoints';

export interface CallbackServices {
  outbox: CallbackOutbox;
  endpoints: CallbackEndpoints;
  sender: CallbackSender;
  /** Whether the signing secret can be read (the intake refuses a Callback-Url that cannot be signed). */
  signing: CallbackSigning;
}

/** The result-callback adapters, on the app's storage account (composition root helper). */
export function callbackServices(
  config: Config,
  storage: {
    queueClientFor: (name: string) => QueueClient;
    tableClientFor: (name: string) => TableClient;
    local: boolean;
  },
  secrets: WebhookSecrets,
): CallbackServices {
  const queue = storage.queueClientFor(config.callbacks.queueName);
  const table = storage.tableClientFor(config.callbacks.endpointsTable);
  const getQueue = ensuredOnce(queue, () => queue.createIfNotExists(), storage.local);
  const getTable = ensuredOnce(
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
    signing: keyVaultCallbackSigning(secrets, config.callbacks.secretName),
    sender: httpsCallbackSender({
      timeoutMs: config.callbacks.timeoutMs,
      allowedPrivateAddresses: config.callbacks.allowedPrivateAddresses,
    }),
  };
}
