import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { spawnHost, SpawnedHost } from '@d365-customer-sync/functions-host';
import { localAppSettings } from '../dev/local-stack/local-environment';
import { ensureCorrelationKey } from '../dev/local-stack/correlation-key';
import type { CorrelationKey } from '../shared/domain/correlation-id';
import { BenchEmulator } from './emulator-control';
import { repoRoot } from './paths';
import { RssReport, RssSampler, sampleRss } from './rss';

export interface OurHost {
  url: string;
  pid: number;
  tableName: string;
  queueName: string;
  /** The status table, read directly (timestamps of acceptance and success). */
  table: TableClient;
  /** The settings that differ from the local defaults (reported with the results). */
  settings: Record<string, string>;
  rss: RssSampler;
  /**
   * How often the app logged each event (`customer.accepted`, `customer.retry_scheduled`, ...),
   * and how often the host ran each function (`processCustomer`, `createCustomer`, ...).
   */
  events: Record<string, number>;
  /** Failed invocations the host reported. */
  failedInvocations: number;
  /** The correlation-ID key the app reads (the bench wrote it, so it can tell a key's request ID). */
  correlationKey: CorrelationKey;
  /** Graceful stop; resolves with the memory report. */
  stop(): Promise<RssReport>;
}

/**
 * Settings every bench host gets: the bench's load comes from one anonymous caller standing for
 * many terminals, so the per-caller rate limit (RATE_LIMIT_PER_MINUTE, 600 by default) is off;
 * otherwise it would measure the limiter.
 */
export const BENCH_SETTINGS: Record<string, string> = { RATE_LIMIT_PER_MINUTE: '0' };

const EVENT = /\): ([a-z]+\.[a-z_.]+)(?: |$)/;
const EXECUTED = /Executed 'Functions\.(\w+)'/;

/**
 * Our app on the local Functions host (a child process running the compiled app), with a queue
 * and a table of its own, against the bench's Azurite and emulator, like test/support does.
 */
export async function startOurHost(
  storageConnectionString: string,
  emulator: BenchEmulator,
  settings: Record<string, string> = {},
  options: { port?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<OurHost & { host: SpawnedHost }> {
  const suffix = randomBytes(4).toString('hex');
  const queueName = `bench-${suffix}`;
  const tableName = `bench${suffix}`;
  const events: Record<string, number> = {};
  let failedInvocations = 0;
  // The deployment's one-time secret (issue 24), the same for every host on this emulator.
  const correlationKey = await ensureCorrelationKey(emulator.url);
  const host = await spawnHost({
    appDir: repoRoot(),
    port: options.port ?? 0,
    env: {
      ...localAppSettings(emulator.url, storageConnectionString),
      CUSTOMER_QUEUE_NAME: queueName,
      STATUS_TABLE_NAME: tableName,
      NODE_EXTRA_CA_CERTS: emulator.caCertPath,
      APPLICATIONINSIGHTS_CONNECTION_STRING: '',
      DEV_FUNCTION_KEY: undefined,
      DEV_MASTER_KEY: undefined,
      ...BENCH_SETTINGS,
      ...options.env,
      ...settings,
    },
    onLine: (line) => {
      const event = EVENT.exec(line)?.[1] ?? EXECUTED.exec(line)?.[1];
      if (event) events[event] = (events[event] ?? 0) + 1;
      else if (line.includes('Exception while executing function')) failedInvocations += 1;
    },
  });
  const rss = sampleRss(host.pid);
  return {
    host,
    url: host.url,
    pid: host.pid,
    tableName,
    queueName,
    table: TableClient.fromConnectionString(storageConnectionString, tableName, {
      allowInsecureConnection: true,
    }),
    settings,
    rss,
    events,
    correlationKey,
    get failedInvocations() {
      return failedInvocations;
    },
    async stop() {
      const report = rss.stop();
      await host.stop();
      return report;
    },
  };
}
