import { odata, RestError, TableClient } from '@azure/data-tables';
import { IdentityClaim, IdentityClaims } from '../ports';

/** Identity claims live in the status table, one partition each: `~identity-<key>`, row ''. */
export const IDENTITY_PARTITION_PREFIX = '~identity-';

interface ClaimRow {
  partitionKey: string;
  rowKey: string;
  owner: string;
  until: string;
  /** So that retention removes claims left behind by killed holders with the old records. */
  createdAt: string;
}

const is = (error: unknown, ...codes: number[]): boolean =>
  error instanceof RestError && codes.includes(error.statusCode ?? 0);

/**
 * Customer-identity claims as Table entities: a conditional insert takes a free identity; a claim
 * whose time ran out (or that the same owner holds, a retry of the same request) is taken over with
 * a conditional replace (its ETag), so two owners never both hold it.
 */
export function tableIdentityClaims(
  table: () => Promise<TableClient>,
  now: () => Date = () => new Date(),
): IdentityClaims {
  return {
    async claim(key, owner, until) {
      const client = await table();
      const row: ClaimRow = {
        partitionKey: `${IDENTITY_PARTITION_PREFIX}${key}`,
        rowKey: '',
        owner,
        until,
        createdAt: now().toISOString(),
      };
      let etag: string;
      try {
        etag = (await client.createEntity(row)).etag ?? '';
      } catch (error) {
        if (!is(error, 409)) throw error;
        let existing;
        try {
          existing = await client.getEntity<ClaimRow>(row.partitionKey, '');
        } catch (readError) {
          if (is(readError, 404)) return { held: true, until: now().toISOString() };
          throw readError;
        }
        if (existing.owner !== owner && existing.until > now().toISOString())
          return { held: true, until: existing.until };
        try {
          etag = (await client.updateEntity(row, 'Replace', { etag: existing.etag })).etag ?? '';
        } catch (takeError) {
          if (is(takeError, 404, 412)) return { held: true, until: now().toISOString() };
          throw takeError;
        }
      }
      let heldUntil = until;
      const claim: IdentityClaim = {
        get until() {
          return heldUntil;
        },
        async extend(next) {
          try {
            etag = (await client.updateEntity({ ...row, until: next }, 'Replace', { etag })).etag ?? '';
            heldUntil = next;
            return true;
          } catch (error) {
            if (is(error, 404, 412)) return false;
            throw error;
          }
        },
        async release() {
          try {
            await client.deleteEntity(row.partitionKey, '', { etag });
          } catch (error) {
            if (!is(error, 404, 412)) throw error;
          }
        },
      };
      return claim;
    },
    async releaseOwnedBy(owners) {
      if (owners.size === 0) return 0;
      const client = await table();
      // '.' follows '-': the partitions of every claim, and nothing else.
      const filter = odata`PartitionKey ge ${IDENTITY_PARTITION_PREFIX} and PartitionKey lt ${'~identity.'}`;
      let released = 0;
      for await (const row of client.listEntities<ClaimRow>({ queryOptions: { filter } })) {
        if (!owners.has(row.owner)) continue;
        try {
          await client.deleteEntity(row.partitionKey, row.rowKey, { etag: row.etag });
          released += 1;
        } catch (error) {
          if (!is(error, 404, 412)) throw error; // gone, or taken by another owner meanwhile
        }
      }
      return released;
    },
  };
}
