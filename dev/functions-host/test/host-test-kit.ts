import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { startAzurite } from '../src/azurite';
import { SpawnedHost, spawnHost } from '../src/spawn';

/** The fixture Functions app the host's tests run (plain CommonJS using @azure/functions). */
export const FIXTURE_APP = join(__dirname, 'fixture-app');
/** The version-matrix fixture: uses only @azure/functions APIs that exist since 4.0.0. */
export const MATRIX_APP = join(__dirname, 'matrix-app');
const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** A schedule that does not fire while a test runs (midnight, 1 January). */
export const QUIET_SCHEDULE = '0 0 0 1 1 *';

export interface Storage {
  connectionString: string;
  stop(): Promise<void>;
}

/** The Azurite of the test run (global setup) when there is one, else one started for this file. */
export async function useStorage(): Promise<Storage> {
  const shared = process.env.TEST_STORAGE_CONNECTION_STRING;
  if (shared) return { connectionString: shared, stop: async () => undefined };
  const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  return { connectionString: azurite.connectionString, stop: () => azurite.stop() };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export interface FixtureEvent {
  at: number;
  type: string;
  [key: string]: unknown;
}

export interface FixtureHost extends SpawnedHost {
  /** Every line the host printed. */
  lines: string[];
  /** The trigger queue of the fixture's queueWorker function. */
  queue: QueueClient;
  poisonQueue: QueueClient;
  /** What the fixture's functions recorded so far. */
  events(type?: string): FixtureEvent[];
}

export interface FixtureHostOptions {
  env?: NodeJS.ProcessEnv;
  appDir?: string;
  /** Port to pass to the host; undefined lets it use local.settings.json or 7071 (default: 0, a free port). */
  port?: number | undefined;
}

/**
 * Starts the compiled host (`npm run build -w dev/functions-host` first) on a free port for the fixture app, with its
 * own queue and events file. Keys are unset unless `env` sets them.
 */
export async function startFixtureHost(
  storage: Storage,
  options: FixtureHostOptions = {},
): Promise<FixtureHost> {
  const eventsFile = join(mkdtempSync(join(tmpdir(), 'host-events-')), 'events.jsonl');
  writeFileSync(eventsFile, '');
  const queueName = uniqueName('work');
  const env: NodeJS.ProcessEnv = {
    AzureWebJobsStorage: storage.connectionString,
    FIXTURE_QUEUE: queueName,
    FIXTURE_OUTPUT_QUEUE: queueName,
    FIXTURE_TIMER_SCHEDULE: QUIET_SCHEDULE,
    FIXTURE_EVENTS_FILE: eventsFile,
    DEV_FUNCTION_KEY: undefined,
    DEV_FUNCTION_KEYS: undefined,
    DEV_MASTER_KEY: undefined,
    ...options.env,
  };
  const lines: string[] = [];
  const host = await spawnHost({
    appDir: options.appDir ?? FIXTURE_APP,
    port: 'port' in options ? options.port : 0,
    env,
    onLine: (line) => lines.push(line),
  });
  const service = QueueServiceClient.fromConnectionString(storage.connectionString);
  const name = env.FIXTURE_QUEUE as string;
  return {
    ...host,
    lines,
    queue: service.getQueueClient(name),
    poisonQueue: service.getQueueClient(`${name}-poison`),
    events(type?: string) {
      const all = readFileSync(eventsFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as FixtureEvent);
      return type ? all.filter((e) => e.type === type) : all;
    },
  };
}

/** Polls `check` every 100 ms until it returns something other than undefined/false. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  description: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined && result !== false) return result;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
    await sleep(100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

/** Sends a message the way an Azure Functions app expects it by default: base64 of the UTF-8 text. */
export async function sendBase64(queue: QueueClient, text: string): Promise<string> {
  const response = await queue.sendMessage(Buffer.from(text, 'utf8').toString('base64'));
  return response.messageId;
}

/** Every message currently in the queue (visible or not), by its approximate count, and the visible ones' texts. */
export async function queueState(queue: QueueClient): Promise<{ count: number; texts: string[] }> {
  if (!(await queue.exists())) return { count: 0, texts: [] };
  const [properties, peeked] = await Promise.all([
    queue.getProperties(),
    queue.peekMessages({ numberOfMessages: 32 }),
  ]);
  return {
    count: properties.approximateMessagesCount ?? 0,
    texts: peeked.peekedMessageItems.map((m) => m.messageText),
  };
}

/**
 * A copy of the fixture app in a temporary folder (with `node_modules` linked to the repository's,
 * so `require('@azure/functions')` resolves), plus extra files such as local.settings.json.
 */
export function copyFixtureApp(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'host-app-'));
  cpSync(FIXTURE_APP, dir, { recursive: true, filter: (source) => !source.endsWith('local.settings.json') });
  if (!existsSync(join(dir, 'node_modules')))
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/**
 * The `@azure/functions` versions the host is tested against, each with the package folder it
 * resolves to: the pinned aliases of package.json (oldest 4.0.x, the last release before the library
 * stopped passing an empty GET body to `Request`) and the version the project itself uses.
 */
export const LIBRARY_VERSIONS: readonly { version: string; packageDir: string }[] = [
  { version: '4.0.1', packageDir: join(REPO_ROOT, 'node_modules', 'azure-functions-4.0.1') },
  { version: '4.16.2', packageDir: join(REPO_ROOT, 'node_modules', 'azure-functions-4.16.2') },
  {
    version: (
      JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/@azure/functions/package.json'), 'utf8')) as {
        version: string;
      }
    ).version,
    packageDir: join(REPO_ROOT, 'node_modules', '@azure', 'functions'),
  },
];

/**
 * A copy of `source` (default: the matrix fixture) in a temporary folder whose
 * `node_modules/@azure/functions` is a link to `packageDir`, so the app runs on that library version.
 * Checks that the link resolves to the version asked for.
 */
export function appWithLibrary(packageDir: string, expectedVersion: string, source = MATRIX_APP): string {
  const dir = mkdtempSync(join(tmpdir(), `host-app-${expectedVersion}-`));
  cpSync(source, dir, { recursive: true });
  mkdirSync(join(dir, 'node_modules', '@azure'), { recursive: true });
  symlinkSync(packageDir, join(dir, 'node_modules', '@azure', 'functions'), 'dir');
  const resolved = JSON.parse(
    readFileSync(join(dir, 'node_modules', '@azure', 'functions', 'package.json'), 'utf8'),
  ) as { name: string; version: string };
  if (resolved.name !== '@azure/functions' || resolved.version !== expectedVersion) {
    throw new Error(
      `${packageDir} is ${resolved.name}@${resolved.version}, not @azure/functions@${expectedVersion}`,
    );
  }
  return dir;
}
