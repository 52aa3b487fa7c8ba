import { RestError, TableClient } from '@azure/data-tables';
import type { BackfillUploads, ShopCustomer } from '../ports';

/**
 * An uploaded customer export's pages in Azure Table storage (BACKFILL_TABLE_NAME): PartitionKey =
 * the job's ID (beside its row, RowKey ''), RowKey = `page-000000`…, the page's customers as JSON
 * cut into string properties of at most 30,000 characters (a property holds 64 KiB, an entity 1 MiB:
 * https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model).
 */
const PART_CHARS = 30_000;
const rowKey = (page: number): string => `page-${String(page).padStart(6, '0')}`;

const isStatus = (error: unknown, code: number): boolean =>
  error instanceof RestError && error.statusCode === code;

export function tableBackfillUploads(getClient: () => Promise<TableClient>): BackfillUploads {
  return {
    async putPages(jobId, pages) {
      const client = await getClient();
      for (const [page, customers] of pages.entries()) {
        const json = JSON.stringify(customers);
        const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
          partitionKey: jobId,
          rowKey: rowKey(page),
          parts: Math.ceil(json.length / PART_CHARS),
        };
        for (let i = 0; i * PART_CHARS < json.length; i += 1)
          entity[`part${i}`] = json.slice(i * PART_CHARS, (i + 1) * PART_CHARS);
        await client.upsertEntity(entity, 'Replace');
      }
    },
    async getPage(jobId, page) {
      const client = await getClient();
      try {
        const entity = await client.getEntity<Record<string, unknown>>(jobId, rowKey(page));
        let json = '';
        for (let i = 0; i < Number(entity.parts ?? 0); i += 1) json += String(entity[`part${i}`] ?? '');
        return JSON.parse(json) as ShopCustomer[];
      } catch (error) {
        if (isStatus(error, 404)) return undefined;
        throw error;
      }
    },
    async deletePage(jobId, page) {
      const client = await getClient();
      try {
        await client.deleteEntity(jobId, rowKey(page));
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
      }
    },
  };
}
