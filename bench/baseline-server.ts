import { createHash, randomUUID } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { createServer, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { storageCustomerQueue } from '../shared/adapters/storage-customer-queue';
import { QUEUE_MESSAGE_VERSION } from '../shared/domain/queue-message';
import { tableStatusStore } from '../shared/adapters/table-status-store';

/**
 * The intake baseline: the limit of the parts we stand on. A bare `node:http` server that does
 * exactly the intake's storage writes — the status record through the app's own table adapter
 * (`tableStatusStore(...).create`: same entity, same columns, one `createEntity`), then the
 * message through its queue adapter (`storageCustomerQueue(...).send`: base64 JSON, no expiry, one
 * `sendMessage`) — with the same SDKs against the same kind of Azurite, and answers 202. No
 * framework, no host, no validation or normalisation (the body is stored as it came).
 *
 * Environment: BENCH_STORAGE (connection string), BENCH_TABLE, BENCH_QUEUE, BENCH_PORT (default: a free one).
 * Prints `Listening on http://127.0.0.1:<port>` once it listens.
 */

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function main(): Promise<void> {
  const connectionString = process.env.BENCH_STORAGE ?? '';
  const table = TableClient.fromConnectionString(connectionString, process.env.BENCH_TABLE ?? '', {
    allowInsecureConnection: true,
  });
  const queue = new QueueClient(connectionString, process.env.BENCH_QUEUE ?? '');
  await table.createTable();
  await queue.createIfNotExists();

  const statusStore = tableStatusStore(table);
  const customerQueue = storageCustomerQueue(queue);

  const server = createServer((req, res) => {
    void (async () => {
      const request = JSON.parse(await text(req)) as { Customer?: { LegalEntity?: string } };
      const correlationId = randomUUID();
      const now = new Date().toISOString();
      const payload = JSON.stringify(request);
      await statusStore.create({
        correlationId,
        status: 'queued',
        legalEntity: request.Customer?.LegalEntity ?? '',
        target: 'custom-service',
        attempts: 0,
        createdAt: now,
        queuedAt: now,
        updatedAt: now,
        payload,
        fingerprint: createHash('sha256').update(payload).digest('hex'),
      });
      await customerQueue.send({ v: QUEUE_MESSAGE_VERSION, correlationId, acceptedAt: now });
      answer(res, 202, { correlationId, status: 'queued' });
    })().catch(() => answer(res, 503, { error: 'storage unavailable' }));
  });
  server.keepAliveTimeout = 65_000;
  server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', () => {
    console.log(`Listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

void main();
