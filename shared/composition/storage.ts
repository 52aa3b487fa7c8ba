/** Storage clients for the composition root: one per table or queue name, created on first use locally. */
import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential, TokenCredential } from '@azure/identity';
import { QueueClient } from '@azure/storage-queue';
import type { Config } from '../config/config';
import { ensuredOnce } from '../adapters/ensured-once';
import { tableStatusStore } from '../adapters/table-status-store';
import type { StatusStore } from '../ports';

export interface StorageParts {
  /** A connection string (Azurite or a key): tables and queues are created on first use. */
  local: boolean;
  tableClientFor(name: string): TableClient;
  queueClientFor(name: string): QueueClient;
  /** The table's client once it exists (created on first use when `local`). */
  ensuredTable(name: string): () => Promise<TableClient>;
  /** The queue's client once it exists (created on first use when `local`). */
  ensuredQueue(name: string): () => Promise<QueueClient>;
}

function storageCredential(config: Config): TokenCredential | undefined {
  return config.storage.kind === 'identity'
    ? new DefaultAzureCredential({ managedIdentityClientId: config.storage.clientId })
    : undefined;
}

/** Clients by name, from the connection string or the managed identity the configuration names. */
export function storageParts(config: Config): StorageParts {
  const storage = config.storage;
  const local = storage.kind === 'connectionString';
  const credential = storageCredential(config);
  const tableClientFor = (name: string): TableClient =>
    storage.kind === 'connectionString'
      ? TableClient.fromConnectionString(storage.connectionString, name, { allowInsecureConnection: true })
      : new TableClient(storage.tableServiceUri, name, credential!);
  const queueClientFor = (name: string): QueueClient =>
    storage.kind === 'connectionString'
      ? new QueueClient(storage.connectionString, name)
      : new QueueClient(`${storage.queueServiceUri.replace(/\/$/, '')}/${name}`, credential!);
  return {
    local,
    tableClientFor,
    queueClientFor,
    ensuredTable(name) {
      const client = tableClientFor(name);
      return ensuredOnce(client, () => client.createTable(), local);
    },
    ensuredQueue(name) {
      const client = queueClientFor(name);
      return ensuredOnce(client, () => client.createIfNotExists(), local);
    },
  };
}

/** The status store on a table client that is created on first use. */
export function lazyStatusStore(getClient: () => Promise<TableClient>): StatusStore {
  const store = async (): Promise<StatusStore> => tableStatusStore(await getClient());
  return {
    create: async (record) => (await store()).create(record),
    get: async (id) => (await store()).get(id),
    update: async (current, changes) => (await store()).update(current, changes),
    delete: async (record) => (await store()).delete(record),
    findLeaseExpired: async (before, limit) => (await store()).findLeaseExpired(before, limit),
    findStale: async (statuses, before, limit) => (await store()).findStale(statuses, before, limit),
    findCreatedBefore: async (before, limit) => (await store()).findCreatedBefore(before, limit),
    findEndedWithPayload: async (before, limit) => (await store()).findEndedWithPayload(before, limit),
    findHolding: async (query, limit) => (await store()).findHolding(query, limit),
    findOpenPrivacyRequests: async (limit) => (await store()).findOpenPrivacyRequests(limit),
    findWriteBacks: async (state, limit) => (await store()).findWriteBacks(state, limit),
  };
}

/** A queue's approximate message count. */
export async function queueDepth(get: () => Promise<QueueClient>): Promise<number> {
  return (await (await get()).getProperties()).approximateMessagesCount ?? 0;
}
