import { RestError, TableClient } from '@azure/data-tables';
import { ErasureMarks } from '../ports';

/** Erasure marks live in the status table, one partition each: `~erased-<key>`, row '' (key: a SHA-256). */
export const ERASURE_PARTITION_PREFIX = '~erased-';

const is = (error: unknown, ...codes: number[]): boolean =>
  error instanceof RestError && codes.includes(error.statusCode ?? 0);

/** Erasure marks as Table entities: a point read to check, an insert to mark, a delete to lift. */
export function tableErasureMarks(table: () => Promise<TableClient>): ErasureMarks {
  const partition = (key: string): string => `${ERASURE_PARTITION_PREFIX}${key}`;
  return {
    async isMarked(key) {
      try {
        await (await table()).getEntity(partition(key), '');
        return true;
      } catch (error) {
        if (is(error, 404)) return false;
        throw error;
      }
    },
    async mark(key, requestId, at) {
      try {
        await (
          await table()
        ).createEntity({ partitionKey: partition(key), rowKey: '', requestId, markedAt: at });
      } catch (error) {
        if (!is(error, 409)) throw error; // marked before: the first mark stands
      }
    },
    async release(key) {
      try {
        await (await table()).deleteEntity(partition(key), '');
      } catch (error) {
        if (!is(error, 404)) throw error;
      }
    },
  };
}
