import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { SpawnedHost, spawnHost, startAzurite } from '@d365-customer-sync/functions-host';
import { startEmulator } from '@d365-customer-sync/d365-emulator';
import { APP_DIR, trustCertificate } from './app-stack';
import { localAppSettings } from './local-environment';
import { emulatorApi as controlApi } from './emulator-clients';
import { ensureCorrelationKeyIfAllowed } from './correlation-key';

export interface FleetStackOptions {
  /** How many hosts (instances of the app) share the storage account and the emulator. */
  hosts: number;
  /** Azurite to use; without it the fleet starts an Azurite of its own (in memory). */
  storageConnectionString?: string;
  /** App settings that differ from the local defaults (the same for every host). */
  settings?: Record<string, string>;
  /** Settings that name the emulator (e.g. shops' API URLs in WEBHOOK_SOURCES), given its URL. */
  emulatorSettings?: (emulatorUrl: string) => Record<string, string>;
  emulator?: Parameters<typeof startEmulator>[0];
  /** Every line host i writes (the bench counts executions and their durations from them). */
  onLine?: (host: number, line: string) => void;
}

export type FleetStack = Awaited<ReturnType<typeof startFleetStack>>;

/**
 * Several instances of the app as Azure runs them: N hosts (each its own process and port) on one
 * storage account (one queue, one status table) and one D365 emulator. Ports are chosen freely
 * (port 0), so several fleets can run side by side without clashes.
 */
export async function startFleetStack(options: FleetStackOptions) {
  const azurite = options.storageConnectionString
    ? undefined
    : await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  const connectionString = options.storageConnectionString ?? azurite!.connectionString;
  const emulator = await startEmulator({
    host: '127.0.0.1',
    port: 0,
    log: () => undefined,
    ...options.emulator,
  });
  trustCertificate(emulator.caCertPem);
  const suffix = randomBytes(4).toString('hex');
  const queueName = `fleet-${suffix}`;
  const tableName = `fleet${suffix}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...localAppSettings(emulator.url, connectionString),
    CUSTOMER_QUEUE_NAME: queueName,
    STATUS_TABLE_NAME: tableName,
    LINK_TABLE_NAME: `fleetlinks${suffix}`,
    WRITE_BACK_QUEUE_NAME: `fleetwb-${suffix}`,
    BACKFILL_QUEUE_NAME: `fleetbf-${suffix}`,
    BACKFILL_TABLE_NAME: `fleetbf${suffix}`,
    FO_EVENTS_QUEUE_NAME: `fleetfo-${suffix}`,
    FO_EVENTS_TABLE_NAME: `fleetfo${suffix}`,
    // Drift repair pages each shop's customers on a timer (issue 30): a test that counts shop API calls
    // would count its pages whenever a run fell inside it. Off here; the drift tests switch it on.
    'AzureWebJobs.driftRepair.Disabled': 'true',
    // The F&O safety net (issue 29) reads shop pages and D365 customers on a timer: off too, unless a test asks.
    'AzureWebJobs.foSafetyNet.Disabled': 'true',
    NODE_EXTRA_CA_CERTS: emulator.caCertPath,
    ...options.settings,
    ...options.emulatorSettings?.(emulator.url),
  };
  const queue = new QueueClient(connectionString, queueName);
  await queue.createIfNotExists();
  // The deployment's one-time secret (issue 24): every host of the fleet reads the same.
  await ensureCorrelationKeyIfAllowed(emulator.url, { secretName: env.CORRELATION_KEY_SECRET_NAME });
  const start = (i: number, port = 0): Promise<SpawnedHost> =>
    spawnHost({
      appDir: APP_DIR,
      port,
      env,
      ...(options.onLine && { onLine: (line: string) => options.onLine!(i, line) }),
    });
  const hosts: SpawnedHost[] = await Promise.all(Array.from({ length: options.hosts }, (_, i) => start(i)));
  const down = new Set<number>();

  const emulatorApi = controlApi(emulator.url);

  return {
    emulator,
    env,
    queueName,
    tableName,
    queue,
    table: TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true }),
    emulatorApi,
    /** Base URL of host i (it may be down while killed). */
    url: (i: number): string => hosts[i % hosts.length]!.url,
    size: hosts.length,
    isDown: (i: number): boolean => down.has(i % hosts.length),
    /** The process ID of host i (a test may SIGSTOP it to see where its work stands, then kill it). */
    pid: (i: number): number => hosts[i % hosts.length]!.pid,
    /** Every line host i has printed (the last 1000). */
    output: (i: number): string[] => hosts[i % hosts.length]!.output,
    /** SIGKILLs host i (no graceful shutdown). */
    async kill(i: number) {
      down.add(i);
      await hosts[i]!.kill('SIGKILL');
    },
    /** Starts host i again, on its old port, with the same settings. */
    async restart(i: number) {
      hosts[i] = await start(i, hosts[i]!.port);
      down.delete(i);
    },
    customers: async () =>
      (
        await emulatorApi<{
          value: { account: string; legalEntity: string; fields: Record<string, unknown> }[];
        }>('GET', '/_emulator/customers')
      ).value,
    async stop() {
      await Promise.all(hosts.map((host, i) => (down.has(i) ? undefined : host.stop())));
      await emulator.stop();
      await azurite?.stop();
    },
  };
}
