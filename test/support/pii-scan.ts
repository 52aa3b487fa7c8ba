import { TableServiceClient, TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';

/**
 * The PII scan of the privacy tests (issue 27, "Done when"): every table and every queue (poison
 * queues included) of the storage account the app writes (the app keeps nothing in blobs), listed from the account
 * itself (so a store added later is scanned without being named here), read as text. Queues are
 * peeked (32 messages per queue, the service's most; nothing is taken off them), and their text is
 * read both as stored and base64-decoded (the Functions queue trigger's encoding).
 */
export interface StoredText {
  /** Everything read, one line per row or message. */
  text: string;
  /** What was read: names of the stores and how many rows / messages / blobs. */
  tables: string[];
  queues: string[];
  rows: number;
  messages: number;
}

const insecure = { allowInsecureConnection: true };

/**
 * Only the stores of one local stack: they carry its random suffix (dev/local-stack/app-stack.ts).
 * A stack started on the suites' shared Azurite must not read other suites' rows (jest runs two
 * suites at once: their rows and their fixtures' customer IDs would show up in this one's scan).
 */
export function storesOfStack(env: NodeJS.ProcessEnv): (name: string) => boolean {
  const suffix = /^customers-(.+)$/.exec(env.CUSTOMER_QUEUE_NAME ?? '')?.[1];
  if (suffix === undefined) throw new Error('the stack has no customers-<suffix> queue name');
  return (name) => name.includes(suffix);
}

export async function scanStorage(
  connectionString: string,
  include: (storeName: string) => boolean = () => true,
): Promise<StoredText> {
  const parts: string[] = [];
  const found: StoredText = { text: '', tables: [], queues: [], rows: 0, messages: 0 };
  const tables = TableServiceClient.fromConnectionString(connectionString, insecure);
  for await (const table of tables.listTables()) {
    const name = table.name!;
    if (!include(name)) continue;
    found.tables.push(name);
    const client = TableClient.fromConnectionString(connectionString, name, insecure);
    for await (const row of client.listEntities()) {
      parts.push(JSON.stringify(row));
      found.rows += 1;
    }
  }
  const queues = QueueServiceClient.fromConnectionString(connectionString);
  for await (const queue of queues.listQueues()) {
    if (!include(queue.name)) continue;
    found.queues.push(queue.name);
    const peeked = await queues.getQueueClient(queue.name).peekMessages({ numberOfMessages: 32 });
    for (const m of peeked.peekedMessageItems) {
      parts.push(m.messageText, Buffer.from(m.messageText, 'base64').toString('utf8'));
      found.messages += 1;
    }
  }
  return { ...found, text: parts.join('\n') };
}

/** The values of `values` found in the scanned text. */
export const foundIn = (stored: StoredText, values: readonly string[]): string[] =>
  values.filter((value) => stored.text.includes(value));

/** A one-line account of a scan, for the test's output (figures for the closing note). */
export const scanFigures = (stored: StoredText): string =>
  `${stored.tables.length} tables (${stored.rows} rows), ${stored.queues.length} queues (${stored.messages} messages)`;
