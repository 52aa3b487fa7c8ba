import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { startAzurite } from '@d365-customer-sync/functions-host';
import { startEmulator } from '@d365-customer-sync/d365-emulator';
import { spawnHost } from '@d365-customer-sync/functions-host';
import { appRoot } from './app-root';
import { localAppSettings } from './local-environment';
import { emulatorApi as controlApi } from './emulator-clients';
import { ensureCorrelationKeyIfAllowed } from './correlation-key';

export { appRoot };
export const APP_DIR = appRoot();

/** Trusts an emulator's certificate in this test process (the host gets NODE_EXTRA_CA_CERTS). */
export function trustCertificate(pem: string): void {
  const current = tls.getCACertificates('default');
  if (!current.includes(pem)) tls.setDefaultCACertificates([...current, pem]);
}

export interface AppStackOptions {
  /** Azurite to use; without it the stack starts an Azurite of its own (in memory). */
  storageConnectionString?: string;
  /** App settings that differ from the local defaults (a function gets the emulator's URL). */
  settings?: Record<string, string> | ((emulatorUrl: string) => Record<string, string>);
  emulator?: Parameters<typeof startEmulator>[0];
  /** More CAs the host trusts besides the emulator's (a test's own HTTPS callback receiver). */
  extraCaCertPems?: string[];
  /** Collects every line the host printed (for the personal-data checks). */
  onHostLine?: (line: string) => void;
}

export type AppStack = Awaited<ReturnType<typeof startAppStack>>;

/**
 * The app as it runs locally: the real host (a child process running the compiled app) against
 * Azurite and an emulator of its own, with a queue and a table of its own so that several stacks
 * on one Azurite never see each other's messages. Used by the integration tests and the soak run.
 */
export async function startAppStack(options: AppStackOptions = {}) {
  const azurite = options.storageConnectionString
    ? undefined
    : await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  const connectionString = options.storageConnectionString ?? azurite!.connectionString;
  const emulator = await startEmulator({ host: '127.0.0.1', port: 0, ...options.emulator });
  trustCertificate(emulator.caCertPem);
  const suffix = randomBytes(4).toString('hex');
  const queueName = `customers-${suffix}`;
  const tableName = `status${suffix}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...localAppSettings(emulator.url, connectionString),
    CUSTOMER_QUEUE_NAME: queueName,
    STATUS_TABLE_NAME: tableName,
    LINK_TABLE_NAME: `links${suffix}`,
    OPERATIONS_TABLE_NAME: `ops${suffix}`,
    OPERATIONS_AUDIT_TABLE_NAME: `audit${suffix}`,
    CALLBACK_QUEUE_NAME: `callbacks-${suffix}`,
    REPLAY_QUEUE_NAME: `replays-${suffix}`,
    WRITE_BACK_QUEUE_NAME: `writeback-${suffix}`,
    CALLBACK_ENDPOINTS_TABLE_NAME: `callbacks${suffix}`,
    // Every store of the stack is its own: a backfill queue shared with another suite's stack let
    // that stack's host take this one's pages (and fail the job: the source is not one of its own).
    BACKFILL_QUEUE_NAME: `backfill-${suffix}`,
    BACKFILL_TABLE_NAME: `backfills${suffix}`,
    FO_EVENTS_QUEUE_NAME: `foevents-${suffix}`,
    FO_EVENTS_TABLE_NAME: `foevents${suffix}`,
    // Drift repair pages each shop's customers on a timer (issue 30): a test that counts shop API calls
    // would count its pages whenever a run fell inside it. Off here; the drift tests switch it on.
    'AzureWebJobs.driftRepair.Disabled': 'true',
    // The F&O safety net (issue 29) reads shop pages and D365 customers on a timer: off too, unless a test asks.
    'AzureWebJobs.foSafetyNet.Disabled': 'true',
    NODE_EXTRA_CA_CERTS: options.extraCaCertPems?.length
      ? writeCaBundle([emulator.caCertPem, ...options.extraCaCertPems])
      : emulator.caCertPath,
    ...(typeof options.settings === 'function' ? options.settings(emulator.url) : options.settings),
  };
  // The deployment's one-time secret (issue 24), in the emulator's Key Vault before the host reads it.
  const correlationKey = await ensureCorrelationKeyIfAllowed(emulator.url, {
    secretName: env.CORRELATION_KEY_SECRET_NAME,
  });
  const hostOutput: string[] = [];
  const start = (port = 0) =>
    spawnHost({
      appDir: APP_DIR,
      port,
      env,
      onLine: (line) => {
        hostOutput.push(line);
        options.onHostLine?.(line);
      },
    });
  const queue = new QueueClient(connectionString, queueName);
  await queue.createIfNotExists();
  let host = await start();

  const emulatorApi = controlApi(emulator.url);

  return {
    emulator,
    env,
    queueName,
    tableName,
    hostOutput,
    /** The correlation-ID key the app reads (only tests and its writer know it); none when the emulator refuses the app's identity. */
    correlationKey,
    get url() {
      return host.url;
    },
    /** The host process (for memory figures). */
    get pid() {
      return host.pid;
    },
    queue,
    poisonQueue: new QueueClient(connectionString, `${queueName}-poison`),
    table: TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true }),
    /** The operations index and replay jobs (issue 31). */
    opsTable: TableClient.fromConnectionString(connectionString, `ops${suffix}`, {
      allowInsecureConnection: true,
    }),
    emulatorApi,
    customers: async () =>
      (
        await emulatorApi<{
          value: {
            account: string;
            legalEntity: string;
            via: 'custom-service' | 'odata';
            fields: Record<string, unknown>;
            contract?: Record<string, unknown>;
          }[];
        }>('GET', '/_emulator/customers')
      ).value,
    /** Kills the host (no graceful shutdown) and starts it again with the same settings, on the same port. */
    async restartHost(signal: NodeJS.Signals = 'SIGKILL') {
      const { port } = host;
      await host.kill(signal);
      host = await start(port);
    },
    /** Kills the host and leaves it down (a bench looks at what the kill left, then `startHost`). */
    async killHost(signal: NodeJS.Signals = 'SIGKILL') {
      await host.kill(signal);
    },
    /** Starts the killed host again with the same settings, on the same port. */
    async startHost() {
      host = await start(host.port);
    },
    async stop() {
      await host.stop();
      await emulator.stop();
      await azurite?.stop();
    },
  };
}

/** Writes PEM certificates into one file (NODE_EXTRA_CA_CERTS names a single file). */
function writeCaBundle(pems: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'app-stack-ca-'));
  const file = join(dir, 'ca-bundle.pem');
  writeFileSync(file, pems.map((pem) => pem.trim()).join('\n') + '\n');
  return file;
}

/** POSTs a JSON body to the app. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text ? safeJson(text) : undefined,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Polls a status URL until the status is terminal or the timeout passes. */
export async function waitForTerminal(
  statusUrl: string,
  timeoutMs = 30_000,
  headers: Record<string, string> = {},
): Promise<{
  status: string;
  customerAccount?: string;
  error?: { code: string; message: string };
  [k: string]: unknown;
}> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const response = await fetch(statusUrl, { headers });
    last = await response.json();
    const status = (last as { status?: string }).status;
    if (status === 'succeeded' || status === 'failed' || status === 'needs_review') return last as never;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no terminal status within ${timeoutMs} ms; last answer: ${JSON.stringify(last)}`);
}
