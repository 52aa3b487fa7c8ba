import { RestError, TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { encodeFoEventMessage } from '../domain/fo-events/event-message';
import type { FoEventLedger, FoEventQueue } from '../ports';

/**
 * F&O data events (issue 29): the ledger of event IDs taken (FO_EVENTS_TABLE_NAME, one partition
 * per event so the claim is one conditional insert, fleet-wide) and their queue (FO_EVENTS_QUEUE_NAME).
 * A row holds the event ID and when it came; no personal data.
 */
export function tableFoEventLedger(table: () => Promise<TableClient>): FoEventLedger {
  return {
    async claim(eventId, at) {
      try {
        await (await table()).createEntity({ partitionKey: eventId, rowKey: '', receivedAt: at });
        return true;
      } catch (error) {
        if (error instanceof RestError && error.statusCode === 409) return false;
        throw error;
      }
    },
    async release(eventId) {
      try {
        await (await table()).deleteEntity(eventId, '');
      } catch (error) {
        if (!(error instanceof RestError && error.statusCode === 404)) throw error;
      }
    },
  };
}

/** Messages never expire: the shop update decides when one ends. */
export function storageFoEventQueue(queue: () => Promise<QueueClient>): FoEventQueue {
  return {
    async send(message) {
      await (await queue()).sendMessage(encodeFoEventMessage(message), { messageTimeToLive: -1 });
    },
  };
}
