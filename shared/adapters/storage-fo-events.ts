import { odata, RestError, TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { encodeFoEventMessage, FoEventChange, parseFoEventChange } from '../domain/fo-events/event-message';
import type { FoApplyState, FoApplyStates, FoEventLedger, FoEventQueue } from '../ports';

/**
 * F&O data events (issue 29) in FO_EVENTS_TABLE_NAME: the ledger of event IDs taken (one partition
 * per event so the claim is one conditional insert, fleet-wide), each row with the change it
 * brought (personal data: the mapped CustomersV3 fields) and the key of its customer, so an erasure
 * finds the rows of one customer and the retention timer those past FO_EVENTS_RETENTION_DAYS.
 * Messages on FO_EVENTS_QUEUE_NAME name the event only.
 */
export function tableFoEventLedger(table: () => Promise<TableClient>): FoEventLedger {
  const deleteRow = async (client: TableClient, partitionKey: string): Promise<boolean> => {
    try {
      await client.deleteEntity(partitionKey, '');
      return true;
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return false;
      throw error;
    }
  };
  const deleteMatching = async (filter: string, limit: number): Promise<number> => {
    const client = await table();
    const keys: string[] = [];
    const rows = client.listEntities({ queryOptions: { filter, select: ['PartitionKey'] } });
    for await (const row of rows) {
      keys.push(row.partitionKey!);
      if (keys.length >= limit) break;
    }
    let deleted = 0;
    for (const key of keys) if (await deleteRow(client, key)) deleted += 1;
    return deleted;
  };
  return {
    async claim(eventId, at, change?: FoEventChange) {
      const entity = {
        partitionKey: eventId,
        rowKey: '',
        receivedAt: at,
        ...(change && {
          customer: customerKey(change.legalEntity, change.customerAccount),
          change: JSON.stringify(change),
        }),
      };
      try {
        await (await table()).createEntity(entity);
        return true;
      } catch (error) {
        if (error instanceof RestError && error.statusCode === 409) return false;
        throw error;
      }
    },
    async release(eventId) {
      await deleteRow(await table(), eventId);
    },
    async get(eventId) {
      try {
        const row = await (await table()).getEntity<{ change?: string }>(eventId, '');
        return parseFoEventChange(row.change);
      } catch (error) {
        if (error instanceof RestError && error.statusCode === 404) return undefined;
        throw error;
      }
    },
    async forgetCustomer(legalEntity, customerAccount) {
      const key = customerKey(legalEntity, customerAccount);
      let deleted = 0;
      for (;;) {
        const batch = await deleteMatching(odata`customer eq ${key}`, 100);
        deleted += batch;
        if (batch < 100) break;
      }
      if (await deleteRow(await table(), key)) deleted += 1;
      return deleted;
    },
    async deleteReceivedBefore(cutoff, limit) {
      return deleteMatching(odata`receivedAt lt ${cutoff}`, limit);
    },
  };
}

/** Messages live FO_EVENTS_RETENTION_DAYS at most (their event's row is deleted then too). */
export function storageFoEventQueue(
  queue: () => Promise<QueueClient>,
  timeToLiveSeconds: number,
): FoEventQueue {
  return {
    async send(message) {
      await (
        await queue()
      ).sendMessage(encodeFoEventMessage(message), {
        messageTimeToLive: timeToLiveSeconds,
      });
    },
  };
}

/** One D365 customer's key: its state row's partition, and the `customer` column of its events' rows. */
const customerKey = (legalEntity: string, customerAccount: string): string =>
  `cust-${Buffer.from(`${legalEntity.toUpperCase()}\n${customerAccount}`, 'utf8').toString('base64url')}`;

/** The D365 → shop state of each linked customer, one row in the same table (`cust-…` partitions). */
export function tableFoApplyStates(table: () => Promise<TableClient>): FoApplyStates {
  return {
    async get(legalEntity, customerAccount) {
      try {
        const row = await (
          await table()
        ).getEntity<{ state?: string }>(customerKey(legalEntity, customerAccount), '');
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
        partitionKey: customerKey(legalEntity, customerAccount),
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
