import { QueueClient } from '@azure/storage-queue';
import { encodeBackfillMessage } from '../domain/backfill';
import { BackfillQueue } from '../ports';

/** The backfill queue (BACKFILL_QUEUE_NAME): page messages never expire (the job decides when it ends). */
export function storageBackfillQueue(client: QueueClient): BackfillQueue {
  return {
    async send(message, options) {
      await client.sendMessage(encodeBackfillMessage(message), {
        visibilityTimeout: options?.delaySeconds || undefined,
        messageTimeToLive: -1,
      });
    },
  };
}
