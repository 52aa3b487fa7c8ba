import { QueueClient } from '@azure/storage-queue';
import { encodeQueueMessage, QueueMessage } from './queue-message';

/** Where accepted requests wait for the worker. */
export interface CustomerQueue {
  send(message: QueueMessage, options?: { delaySeconds?: number }): Promise<void>;
}

export function storageCustomerQueue(client: QueueClient): CustomerQueue {
  return {
    async send(message, options) {
      await client.sendMessage(encodeQueueMessage(message), {
        visibilityTimeout: options?.delaySeconds,
        // Kept until processed: the worker, not the queue's 7-day default, decides when a request ends.
        messageTimeToLive: -1,
      });
    },
  };
}
