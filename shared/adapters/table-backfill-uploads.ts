import { odata, RestError, TableClient, TableEntityResult } from '@azure/data-tables';
import type { BackfillUploads, ShopCustomer } from '../ports';

/**
 * An uploaded customer export's pages in Azure Table storage (BACKFILL_TABLE_NAME): PartitionKey =
 * the job's ID (beside its row, RowKey ''), RowKey = `page-000000`…, the page's customers as JSON
 * cut into string properties of at most 30,000 characters (a property holds 64 KiB, an entity 1 MiB:
 * https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model),
 * and `uploadedAt` (retention; a page written before it had none and goes by its `Timestamp`).
 */
const PART_CHARS = 30_000;
const rowKey = (page: number): string => `page-${String(page).padStart(6, '0')}`;

type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

/**
 * Page rows only: their RowKeys (`page-…`, before `page.`), with `parts` (a drift repair row's
 * RowKey is a source name, which could begin with `page-`, but it has no `parts`).
 */
const PAGES = "RowKey ge 'page-' and RowKey lt 'page.' and parts ge 0";

const isStatus = (error: unknown, code: number): boolean =>
  error instanceof RestError && error.statusCode === code;

function pageEntity(jobId: string, key: string, customers: ShopCustomer[], uploadedAt: string): Entity {
  const json = JSON.stringify(customers);
  const entity: Entity = {
    partitionKey: jobId,
    rowKey: key,
    uploadedAt,
    parts: Math.max(1, Math.ceil(json.length / PART_CHARS)),
  };
  for (let i = 0; i * PART_CHARS < json.length; i += 1)
    entity[`part${i}`] = json.slice(i * PART_CHARS, (i + 1) * PART_CHARS);
  return entity;
}

function customersOf(entity: Record<string, unknown>): ShopCustomer[] {
  let json = '';
  for (let i = 0; i < Number(entity.parts ?? 0); i += 1) json += String(entity[`part${i}`] ?? '');
  return JSON.parse(json) as ShopCustomer[];
}

/** Deletes a page row; false when it was gone already. */
async function deleteRow(client: TableClient, row: { partitionKey?: string; rowKey?: string }) {
  try {
    await client.deleteEntity(row.partitionKey ?? '', row.rowKey ?? '');
    return true;
  } catch (error) {
    if (isStatus(error, 404)) return false;
    throw error;
  }
}

export function tableBackfillUploads(getClient: () => Promise<TableClient>): BackfillUploads {
  /** The source of a job (its row's `source`), once per job. */
  async function sourceOf(client: TableClient, jobId: string, known: Map<string, string | undefined>) {
    if (!known.has(jobId)) {
      try {
        const job = await client.getEntity<{ source?: unknown }>(jobId, '');
        known.set(jobId, typeof job.source === 'string' ? job.source : undefined);
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
        known.set(jobId, undefined);
      }
    }
    return known.get(jobId);
  }

  /** One page without the customers `erase` picks, rewritten on its ETag (again after a change). */
  async function forgetInPage(
    client: TableClient,
    row: TableEntityResult<Record<string, unknown>>,
    erase: (customer: ShopCustomer) => boolean,
  ): Promise<number> {
    const [jobId, key] = [row.partitionKey ?? '', row.rowKey ?? ''];
    for (let current = row; ;) {
      const customers = customersOf(current);
      const kept = customers.filter((customer) => !erase(customer));
      if (kept.length === customers.length) return 0;
      const uploadedAt =
        typeof current.uploadedAt === 'string' ? current.uploadedAt : new Date().toISOString();
      try {
        await client.updateEntity(pageEntity(jobId, key, kept, uploadedAt), 'Replace', {
          etag: current.etag,
        });
        return customers.length - kept.length;
      } catch (error) {
        if (isStatus(error, 404)) return 0; // passed meanwhile: deleted with all of it
        if (!isStatus(error, 412)) throw error;
        try {
          current = await client.getEntity<Record<string, unknown>>(jobId, key);
        } catch (again) {
          if (isStatus(again, 404)) return 0;
          throw again;
        }
      }
    }
  }

  return {
    async putPages(jobId, pages, uploadedAt) {
      const client = await getClient();
      for (const [page, customers] of pages.entries())
        await client.upsertEntity(pageEntity(jobId, rowKey(page), customers, uploadedAt), 'Replace');
    },
    async getPage(jobId, page) {
      const client = await getClient();
      try {
        return customersOf(await client.getEntity<Record<string, unknown>>(jobId, rowKey(page)));
      } catch (error) {
        if (isStatus(error, 404)) return undefined;
        throw error;
      }
    },
    async deletePage(jobId, page) {
      await deleteRow(await getClient(), { partitionKey: jobId, rowKey: rowKey(page) });
    },
    async deletePages(jobId) {
      const client = await getClient();
      const rows = client.listEntities({
        queryOptions: { filter: `${odata`PartitionKey eq ${jobId}`} and ${PAGES}`, select: ['RowKey'] },
      });
      let deleted = 0;
      for await (const row of rows)
        if (await deleteRow(client, { partitionKey: jobId, rowKey: row.rowKey })) deleted += 1;
      return deleted;
    },
    async deleteUploadedBefore(cutoff, limit) {
      const client = await getClient();
      const old = odata`(uploadedAt lt ${cutoff} or Timestamp lt ${new Date(cutoff)})`;
      const rows = client.listEntities({
        queryOptions: { filter: `${PAGES} and ${old}`, select: ['PartitionKey', 'RowKey'] },
      });
      let deleted = 0;
      for await (const row of rows) {
        if (deleted >= limit) break;
        if (await deleteRow(client, row)) deleted += 1;
      }
      return deleted;
    },
    async forgetCustomers(erase) {
      const client = await getClient();
      const sources = new Map<string, string | undefined>();
      let gone = 0;
      for await (const row of client.listEntities<Record<string, unknown>>({
        queryOptions: { filter: PAGES },
      })) {
        const source = await sourceOf(client, row.partitionKey ?? '', sources);
        gone += await forgetInPage(client, row, (customer) => erase(customer, source));
      }
      return gone;
    },
  };
}
