import { createHash, randomUUID } from 'node:crypto';
import type { AppStack } from '../dev/local-stack/app-stack';
import { indexedStatusStore } from '../shared/adapters/operations/indexed-status-store';
import { tableOperationsIndex } from '../shared/adapters/operations/table-operations-index';
import { tableStatusStore } from '../shared/adapters/table-status-store';
import { parseCustomerRequest } from '../shared/domain/customer-contract';
import type { StatusRecord } from '../shared/domain/status';
import { customerBody } from './customers';

const ensure = async (table: AppStack['table']): Promise<void> => {
  await table.createTable().catch((error: { statusCode?: number }) => {
    if (error.statusCode !== 409) throw error;
  });
};

/**
 * A simulated hour of bad configuration written straight into storage (`--seed store`, the default):
 * `count` creates that ended `failed` with `not_registered`, their `createdAt` spread over the past
 * hour, each a valid customer of its own, written as the app writes them (the intake's record with
 * the worker's failure) through the app's own status store and operations index, so the list and
 * the replay meet them as they meet real ones. 25 writes at a time; nothing of them is kept here.
 * (`--seed intake` makes them through `POST /api/customers` and a refusing D365 instead: the real
 * path, ~4–25 a second on this machine.)
 */
export async function seedFailuresInStore(stack: AppStack, count: number, tag: string): Promise<void> {
  await Promise.all([ensure(stack.table), ensure(stack.opsTable)]);
  const store = indexedStatusStore(
    tableStatusStore(stack.table),
    tableOperationsIndex(async () => stack.opsTable),
  );
  const hourAgo = Date.now() - 3_600_000;
  for (let from = 0; from < count; from += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, count - from) }, async (_, k) => {
        const n = from + k;
        const parsed = parseCustomerRequest(JSON.parse(customerBody(tag, n)), { defaultCustomerGroup: '30' });
        if (!parsed.ok) throw new Error(`the bench's customer is invalid: ${JSON.stringify(parsed.errors)}`);
        const payload = JSON.stringify(parsed.value);
        const at = new Date(hourAgo + Math.floor((n * 3_600_000) / count)).toISOString();
        const record: Omit<StatusRecord, 'etag'> = {
          correlationId: randomUUID(),
          status: 'failed',
          legalEntity: parsed.value.Customer.LegalEntity,
          target: 'custom-service',
          attempts: 1,
          createdAt: at,
          queuedAt: at,
          updatedAt: at,
          payload,
          fingerprint: createHash('sha256').update(payload).digest('hex'),
          errorCode: 'not_registered',
          errorMessage: 'D365 refused the app (401 to a freshly issued token, or 403).',
        };
        await store.create(record as StatusRecord);
      }),
    );
  }
}
