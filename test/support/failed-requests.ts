import { createHash, randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { indexedStatusStore } from '../../shared/adapters/operations/indexed-status-store';
import { tableOperationsIndex } from '../../shared/adapters/operations/table-operations-index';
import { tableStatusStore } from '../../shared/adapters/table-status-store';
import { parseCustomerRequest } from '../../shared/domain/customer-contract';
import type { FailureCode, StatusRecord } from '../../shared/domain/status';
import { sampleCustomer } from '../fixtures/sample-customers';

const ensure = async (table: TableClient): Promise<void> => {
  await table.createTable().catch((error: { statusCode?: number }) => {
    if (error.statusCode !== 409) throw error;
  });
};

/**
 * A simulated hour of bad configuration (issue 31): `count` create requests that ended `failed`
 * with `errorCode`, written as the app writes them (the intake's record, the worker's failure) through
 * the app's own status store and operations index, so that a replay takes them as it takes real ones.
 * Each is a valid customer with an e-mail of its own (`failed.<n>.<run>@example.com`).
 */
export async function seedFailedRequests(
  tables: { status: TableClient; operations: TableClient },
  count: number,
  options: {
    errorCode?: FailureCode;
    legalEntity?: string;
    /** A group D365 does not know makes the request fail again when replayed. */
    customerGroup?: string;
    target?: 'odata' | 'custom-service';
  } = {},
): Promise<string[]> {
  await Promise.all([ensure(tables.status), ensure(tables.operations)]);
  const store = indexedStatusStore(
    tableStatusStore(tables.status),
    tableOperationsIndex(async () => tables.operations),
  );
  const run = randomUUID().slice(0, 8);
  const base = sampleCustomer('full');
  const started = Date.now() - 3_600_000;
  const ids: string[] = [];
  for (let from = 0; from < count; from += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, count - from) }, async (_, k) => {
        const n = from + k;
        const body = {
          Customer: {
            ...base.Customer,
            ...(options.legalEntity !== undefined && { LegalEntity: options.legalEntity }),
            ...(options.customerGroup !== undefined && { CustomerGroup: options.customerGroup }),
            EmailAddress: `failed.${n}.${run}@example.com`,
          },
        };
        const parsed = parseCustomerRequest(body, { defaultCustomerGroup: '30' });
        if (!parsed.ok) throw new Error(`sample invalid: ${JSON.stringify(parsed.errors)}`);
        const payload = JSON.stringify(parsed.value);
        const at = new Date(started + n * (3_600_000 / Math.max(1, count))).toISOString();
        const record: Omit<StatusRecord, 'etag'> = {
          correlationId: randomUUID(),
          status: 'failed',
          legalEntity: parsed.value.Customer.LegalEntity,
          target: options.target ?? 'custom-service',
          attempts: 1,
          createdAt: at,
          queuedAt: at,
          updatedAt: at,
          payload,
          fingerprint: createHash('sha256').update(payload).digest('hex'),
          errorCode: options.errorCode ?? 'not_registered',
          errorMessage: 'D365 refused the app (401 to a freshly issued token, or 403).',
        };
        await store.create(record as StatusRecord);
        ids[n] = record.correlationId;
      }),
    );
  }
  return ids;
}
