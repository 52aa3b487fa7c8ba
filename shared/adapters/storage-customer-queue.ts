import { QueueClient } from '@azure/storage-queue';
import { encodeQueueMessage } from '../domain/queue-message';
import { CustomerQueue } from '../ports';

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
