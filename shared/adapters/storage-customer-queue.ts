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
      const sent = await client.sendMessage(encodeQueueMessage(message), {
        visibilityTimeout: options?.delaySeconds || undefined,
        messageTimeToLive: timeToLiveSeconds,
      });
      return { messageId: sent.messageId, popReceipt: sent.popReceipt };
    },
    async discard(receipt) {
      // Delete Message with the put's own pop receipt, valid until a Get Messages hands the message
      // out ("If deletion fails using this popreceipt then the message has been dequeued by another
      // client": https://learn.microsoft.com/dotnet/api/azure.storage.queues.models.sendreceipt.popreceipt;
      // https://learn.microsoft.com/rest/api/storageservices/put-message returns it).
      await client.deleteMessage(receipt.messageId, receipt.popReceipt);
    },
  };
}
