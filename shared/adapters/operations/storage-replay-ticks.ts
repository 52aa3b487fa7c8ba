import { QueueClient } from '@azure/storage-queue';
import type { ReplayTicks } from '../../ports';

/** The replay queue (REPLAY_QUEUE_NAME): one small JSON message per tick of a bulk replay job. */
export function storageReplayTicks(client: () => Promise<QueueClient>): ReplayTicks {
  return {
    async send(tick, options) {
      await (
        await client()
      ).sendMessage(Buffer.from(JSON.stringify(tick), 'utf8').toString('base64'), {
        visibilityTimeout: options?.delaySeconds || undefined,
        messageTimeToLive: -1,
      });
    },
  };
}
