import { TableClient } from '@azure/data-tables';
import { ClientSecretCredential, DefaultAzureCredential, TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { QueueClient } from '@azure/storage-queue';
import {
  Config,
  getConfig,
  LOCAL_KEY_VAULT_READER_CLIENT_ID,
  LOCAL_KEY_VAULT_READER_SECRET,
  LOCAL_TENANT_ID,
} from './config';
import { CustomerQueue, storageCustomerQueue } from './customer-queue';
import { D365Client, d365Client } from './d365-client';
import { keyVaultSecretSource } from './secret-source';
import { StatusStore, tableStatusStore } from './status-store';
import { applicationInsightsTelemetry, Telemetry } from './telemetry';
import { entraTokenSource } from './token-source';

/**
 * The composition root: the real adapters, built once per process from the validated
 * configuration. Function files take what they need from here; tests build use-cases with
 * their own adapters instead.
 */
export interface AppServices {
  config: Config;
  statusStore: StatusStore;
  queue: CustomerQueue;
  d365: D365Client;
  telemetry: Telemetry;
}

function storageCredential(config: Config): TokenCredential | undefined {
  return config.storage.kind === 'identity'
    ? new DefaultAzureCredential({ managedIdentityClientId: config.storage.clientId })
    : undefined;
}

/** Creates a queue or table once when running on a connection string (locally); in Azure the template does. */
function ensuredOnce<T>(client: T, create: () => Promise<unknown>, local: boolean): () => Promise<T> {
  let ready: Promise<unknown> | undefined;
  return async () => {
    if (local) {
      ready ??= create().catch((error: unknown) => {
        ready = undefined;
        throw error;
      });
      await ready;
    }
    return client;
  };
}

function lazyStatusStore(getClient: () => Promise<TableClient>): StatusStore {
  const store = async (): Promise<StatusStore> => tableStatusStore(await getClient());
  return {
    create: async (record) => (await store()).create(record),
    get: async (id) => (await store()).get(id),
    update: async (current, changes) => (await store()).update(current, changes),
    delete: async (record) => (await store()).delete(record),
  };
}

export function createAppServices(config: Config): AppServices {
  const local = config.storage.kind === 'connectionString';
  const credential = storageCredential(config);
  const tableClient =
    config.storage.kind === 'connectionString'
      ? TableClient.fromConnectionString(config.storage.connectionString, config.statusTable, {
          allowInsecureConnection: true,
        })
      : new TableClient(config.storage.tableServiceUri, config.statusTable, credential!);
  const queueClient =
    config.storage.kind === 'connectionString'
      ? new QueueClient(config.storage.connectionString, config.queueName)
      : new QueueClient(
          `${config.storage.queueServiceUri.replace(/\/$/, '')}/${config.queueName}`,
          credential!,
        );

  const getTable = ensuredOnce(tableClient, () => tableClient.createTable(), local);
  const getQueue = ensuredOnce(queueClient, () => queueClient.createIfNotExists(), local);

  const keyVaultCredential: TokenCredential =
    config.keyVault.auth === 'emulator'
      ? new ClientSecretCredential(
          LOCAL_TENANT_ID,
          LOCAL_KEY_VAULT_READER_CLIENT_ID,
          LOCAL_KEY_VAULT_READER_SECRET,
          {
            authorityHost: config.authorityHost,
            disableInstanceDiscovery: true,
          },
        )
      : new DefaultAzureCredential();
  const secretClient = new SecretClient(config.keyVault.url, keyVaultCredential, {
    disableChallengeResourceVerification: config.keyVault.auth === 'emulator',
  });
  const secrets = keyVaultSecretSource(secretClient, config.keyVault.secretName, config.d365.timeoutMs);
  const tokens = entraTokenSource(secrets, {
    tenantId: config.d365.tenantId,
    clientId: config.d365.clientId,
    resource: config.d365.url,
    authorityHost: config.authorityHost,
    timeoutMs: config.d365.timeoutMs,
  });

  return {
    config,
    statusStore: lazyStatusStore(getTable),
    queue: {
      send: async (message, options) => storageCustomerQueue(await getQueue()).send(message, options),
    },
    d365: d365Client(tokens, config.d365),
    telemetry: applicationInsightsTelemetry(config.applicationInsightsConnectionString),
  };
}

let services: AppServices | undefined;

/** The process-wide services; the configuration is validated on first use (at app start). */
export function appServices(): AppServices {
  services ??= createAppServices(getConfig());
  return services;
}
