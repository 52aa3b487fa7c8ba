import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningProcess, startProcess } from './child-process';

/** Azurite's published development account (not a secret: it is the same on every machine). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  host?: string;
  /** 0 picks a free port. Defaults are Azurite's own: 10000, 10001, 10002. */
  blobPort?: number;
  queuePort?: number;
  tablePort?: number;
  /** Print Azurite's own output. */
  verbose?: boolean;
}

export interface RunningAzurite {
  blobUrl: string;
  queueUrl: string;
  tableUrl: string;
  /** A full connection string with the actual ports, usable as `AzureWebJobsStorage`. */
  connectionString: string;
  pid: number;
  stop(): Promise<void>;
}

/** Builds the connection string for an Azurite listening on the given endpoints. */
export function azuriteConnectionString(blobUrl: string, queueUrl: string, tableUrl: string): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_KEY}`,
    `BlobEndpoint=${blobUrl}/${AZURITE_ACCOUNT}`,
    `QueueEndpoint=${queueUrl}/${AZURITE_ACCOUNT}`,
    `TableEndpoint=${tableUrl}/${AZURITE_ACCOUNT}`,
  ].join(';');
}

/**
 * Starts Azurite (blob, queue and table) in memory on loopback, with telemetry off and the
 * API version check skipped, and resolves once all three services listen.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const host = options.host ?? '127.0.0.1';
  const bin = join(require.resolve('azurite/package.json'), '..', 'dist', 'src', 'azurite.js');
  const args = [
    bin,
    '--inMemoryPersistence',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    ...['blob', 'queue', 'table'].flatMap((service) => [`--${service}Host`, host]),
    '--blobPort',
    String(options.blobPort ?? 10000),
    '--queuePort',
    String(options.queuePort ?? 10001),
    '--tablePort',
    String(options.tablePort ?? 10002),
  ];
  const listening = (service: string): RegExp =>
    new RegExp(`Azurite ${service} service is successfully listening at (http://\\S+)`);
  const running: RunningProcess & { matches: RegExpMatchArray[] } = await startProcess(
    process.execPath,
    args,
    {
      name: 'Azurite',
      cwd: mkdtempSync(join(tmpdir(), 'azurite-')),
      // About 2 s of CPU to load; on a loaded 2-core machine (several stacks and test runs at once)
      // 30 s of wall time was not always enough.
      timeoutMs: 120_000,
      readyPatterns: [listening('Blob'), listening('Queue'), listening('Table')],
      onLine: options.verbose ? (line) => console.log(`[azurite] ${line}`) : undefined,
    },
  );
  const [blobUrl, queueUrl, tableUrl] = running.matches.map((m) => m[1] as string) as [
    string,
    string,
    string,
  ];
  return {
    blobUrl,
    queueUrl,
    tableUrl,
    connectionString: azuriteConnectionString(blobUrl, queueUrl, tableUrl),
    pid: running.child.pid ?? -1,
    stop: () => running.stop(),
  };
}
