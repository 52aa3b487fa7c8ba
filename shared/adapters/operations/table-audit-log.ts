import { randomUUID } from 'node:crypto';
import { odata, TableClient } from '@azure/data-tables';
import { invertedTime } from '../../domain/operations/attention';
import { AuditEntry, MAX_AUDITED_IDS } from '../../domain/operations/audit';
import type { AuditLog } from '../../ports';

/**
 * The operator audit log in its own table (OPERATIONS_AUDIT_TABLE_NAME), apart from every table that
 * holds personal data: partition `feed` (every entry, newest first: inverted time + ID), and
 * `req-<correlationId>` for each request an entry names (the request's own history, read by its
 * detail view). An entry is written once and never changed.
 */
type Row = Record<string, unknown> & { partitionKey: string; rowKey: string };

function toRow(partitionKey: string, entry: AuditEntry): Row {
  return {
    partitionKey,
    rowKey: `${invertedTime(entry.at)}-${entry.id}`,
    entry: JSON.stringify(entry),
    action: entry.action,
    actor: entry.actor.id,
  };
}

const fromRow = (row: Record<string, unknown>): AuditEntry => JSON.parse(String(row.entry)) as AuditEntry;

export function tableAuditLog(table: () => Promise<TableClient>): AuditLog {
  /** One page of a partition, newest first; the cursor is the last row key returned. */
  const page = async (partitionKey: string, limit: number, after?: string) => {
    const client = await table();
    const filter = [
      odata`PartitionKey eq ${partitionKey}`,
      ...(after ? [odata`RowKey gt ${after}`] : []),
    ].join(' and ');
    const rows: Record<string, unknown>[] = [];
    const pages = client.listEntities<Record<string, unknown>>({ queryOptions: { filter } }).byPage({
      maxPageSize: limit + 1,
    });
    for await (const found of pages) {
      rows.push(...found);
      if (rows.length > limit) break;
    }
    const shown = rows.slice(0, limit);
    const last = shown.at(-1);
    return {
      entries: shown.map(fromRow),
      ...(rows.length > limit && last && { cursor: Buffer.from(String(last.rowKey)).toString('base64url') }),
    };
  };
  return {
    async append(draft) {
      const entry: AuditEntry = {
        ...draft,
        id: randomUUID(),
        correlationIds: draft.correlationIds.slice(0, MAX_AUDITED_IDS),
      };
      const client = await table();
      await client.createEntity(toRow('feed', entry));
      if (draft.correlationIds.length <= MAX_AUDITED_IDS)
        await Promise.all(entry.correlationIds.map((id) => client.createEntity(toRow(`req-${id}`, entry))));
      return entry;
    },
    async forRequest(correlationId, limit) {
      return (await page(`req-${correlationId}`, limit)).entries;
    },
    async recent(limit, cursor) {
      const after = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : undefined;
      return page('feed', limit, after && /^\d{13}-[0-9a-f-]{36}$/.test(after) ? after : undefined);
    },
  };
}
