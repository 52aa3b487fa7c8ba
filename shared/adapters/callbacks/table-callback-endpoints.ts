import { createHash } from 'node:crypto';
import { RestError, TableClient } from '@azure/data-tables';
import { CallbackEndpoints } from '../../ports';

const PARTITION = 'disabled';
/** How long an answer is kept in memory; another instance's 410 is seen within this time. */
const CACHE_MS = 30_000;

const rowKey = (url: string): string => createHash('sha256').update(url).digest('hex');

/**
 * Disabled callback endpoints (those that answered 410 Gone) in a table of their own
 * (CALLBACK_ENDPOINTS_TABLE_NAME): PartitionKey `disabled`, RowKey the SHA-256 of the URL (the URL
 * itself is kept as a column for operators; deleting the row enables the endpoint again). Answers
 * are cached for 30 seconds, so the intake does not read the table for every request.
 */
export function tableCallbackEndpoints(
  getClient: () => Promise<TableClient>,
  now: () => number = Date.now,
): CallbackEndpoints {
  const cache = new Map<string, { disabled: boolean; until: number }>();
  return {
    async isDisabled(url) {
      const cached = cache.get(url);
      if (cached && cached.until > now()) return cached.disabled;
      let disabled: boolean;
      try {
        await (await getClient()).getEntity(PARTITION, rowKey(url));
        disabled = true;
      } catch (error) {
        if (!(error instanceof RestError && error.statusCode === 404)) throw error;
        disabled = false;
      }
      if (cache.size > 10_000) cache.clear();
      cache.set(url, { disabled, until: now() + CACHE_MS });
      return disabled;
    },
    async disable(url, at) {
      await (
        await getClient()
      ).upsertEntity({ partitionKey: PARTITION, rowKey: rowKey(url), url, disabledAt: at });
      cache.set(url, { disabled: true, until: now() + CACHE_MS });
    },
  };
}
