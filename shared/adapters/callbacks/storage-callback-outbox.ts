import { QueueClient } from '@azure/storage-queue';
import { encodeCallbackMessage } from '../../domain/callback-event';
import { CallbackOutbox } from '../../ports';

/**
 * The callback outbox on a Storage queue (CALLBACK_QUEUE_NAME). Messages never expire: the
 * deliverer decides when an event is given up.
 */
export function storageCallbackOutbox(client: QueueClient): CallbackOutbox {
  return {
    async send(message, options) {
      await client.sendMessage(encodeCallbackMessage(message), {
        visibilityTimeout: options?.delaySeconds || undefined,
        messageTimeToLive: -1,
      });
    },
  };
}
