import { QueueClient } from '@azure/storage-queue';
import { encodeWriteBackMessage } from '../domain/write-back';
import { WriteBackQueue } from '../ports';

/** The shop write-back queue (WRITE_BACK_QUEUE_NAME): messages never expire (the step decides when one ends). */
export function storageWriteBackQueue(client: QueueClient): WriteBackQueue {
  return {
    async send(message, options) {
      await client.sendMessage(encodeWriteBackMessage(message), {
        visibilityTimeout: options?.delaySeconds || undefined,
        messageTimeToLive: -1,
      });
    },
  };
}
