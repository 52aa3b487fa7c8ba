import { createHash, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';

/**
 * The intake baseline: the limit of the parts we stand on. A bare `node:http` server that does
 * exactly the intake's storage writes — one status entity (same columns, same sizes) with
 * `createEntity`, then one base64 JSON queue message with `sendMessage` (no expiry) — through the
 * same SDKs against the same Azurite, and answers 202. No framework, no host, no validation.
 *
 * Environment: BENCH_STORAGE (connection string), BENCH_TABLE, BENCH_QUEUE, BENCH_PORT (default: a free one).
 * Prints `Listening on http://127.0.0.1:<port>` once it listens.
 */

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

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

  const server = createServer((req, res) => {
    void (async () => {
      const request = JSON.parse(await readBody(req)) as { Customer?: { LegalEntity?: string } };
      const correlationId = randomUUID();
      const now = new Date().toISOString();
      const payload = JSON.stringify(request);
      await table.createEntity({
        partitionKey: correlationId,
        rowKey: '',
        status: 'queued',
        legalEntity: request.Customer?.LegalEntity ?? '',
        target: 'custom-service',
        attempts: 0,
        createdAt: now,
        queuedAt: now,
        updatedAt: now,
        payload,
        fingerprint: createHash('sha256').update(payload).digest('hex'),
        customerAccount: '',
        outcome: '',
        errorCode: '',
        errorMessage: '',
        lastError: '',
      });
      const message = JSON.stringify({ v: 1, correlationId, acceptedAt: now, request });
      await queue.sendMessage(Buffer.from(message, 'utf8').toString('base64'), { messageTimeToLive: -1 });
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
