import { QueueClient } from '@azure/storage-queue';
import { encodeQueueMessage, QueueMessage } from '../domain/queue-message';

/** Where accepted requests wait for the worker. */
export interface CustomerQueue {
  send(message: QueueMessage, options?: { delaySeconds?: number }): Promise<void>;
}

/**
 * A Storage queue. Messages never expire by default: the worker, not the queue's 7-day default,
 * decides when a request ends; the poison queue passes a time to live.
 */
export function storageCustomerQueue(client: QueueClient, timeToLiveSeconds = -1): CustomerQueue {
  return {
    async send(message, options) {
      await client.sendMessage(encodeQueueMessage(message), {
        visibilityTimeout: options?.delaySeconds || undefined,
        messageTimeToLive: timeToLiveSeconds,
      });
    },
  };
}
