import { RestError, TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { encodeFoEventMessage } from '../domain/fo-events/event-message';
import type { FoApplyState, FoApplyStates, FoEventLedger, FoEventQueue } from '../ports';

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

const stateKey = (legalEntity: string, customerAccount: string): string =>
  `cust-${Buffer.from(`${legalEntity.toUpperCase()}\n${customerAccount}`, 'utf8').toString('base64url')}`;

/** The D365 → shop state of each linked customer, one row in the same table (`cust-…` partitions). */
export function tableFoApplyStates(table: () => Promise<TableClient>): FoApplyStates {
  return {
    async get(legalEntity, customerAccount) {
      try {
        const row = await (
          await table()
        ).getEntity<{ state?: string }>(stateKey(legalEntity, customerAccount), '');
        const state =
          typeof row.state === 'string' ? (JSON.parse(row.state) as FoApplyState) : { stamps: {} };
        return { state, etag: row.etag };
      } catch (error) {
        if (error instanceof RestError && error.statusCode === 404) return { state: { stamps: {} } };
        throw error;
      }
    },
    async save(legalEntity, customerAccount, state, etag) {
      const entity = {
        partitionKey: stateKey(legalEntity, customerAccount),
        rowKey: '',
        state: JSON.stringify(state),
      };
      try {
        const client = await table();
        const answer =
          etag === undefined
            ? await client.createEntity(entity)
            : await client.updateEntity(entity, 'Replace', { etag });
        return answer.etag ?? '';
      } catch (error) {
        if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412))
          return false;
        throw error;
      }
    },
  };
}
