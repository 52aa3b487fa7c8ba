import { z } from 'zod';
import type { RetryPolicy } from '../domain/retry-policy';
import { SettingName, settings } from './settings';
import { mixedEnvironmentProblems } from './environment-mix';

/**
 * The app's configuration, read from the environment once and validated with zod against the
 * settings catalogue. A missing or malformed setting stops the app at start with a message that
 * names it.
 */
const settingsSchema = z.object(
  Object.fromEntries(
    settings.map((s) => [s.name, s.default === undefined ? s.schema : s.schema.default(s.default)]),
  ),
);

/** Storage is reached through the Functions host's own `AzureWebJobsStorage` connection. */
export type StorageConnection =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; queueServiceUri: string; tableServiceUri: string; clientId?: string };

export interface Config {
  d365: {
    url: string;
    tenantId: string;
    clientId: string;
    target: 'custom-service' | 'odata';
    servicePath: string;
    accountField: string;
    defaultCustomerGroup: string;
    timeoutMs: number;
  };
  keyVault: { url: string; secretName: string };
  authorityHost: string;
  storage: StorageConnection;
  queueName: string;
  poisonQueueName: string;
  statusTable: string;
  statusRetryAfterSeconds: number;
  duplicatePolicy: 'link' | 'reject' | 'create';
  retry: RetryPolicy;
  d365MaxConcurrency: number;
  leaseSeconds: number;
  preferWaitMaxSeconds: number;
  reconcileAfterSeconds: number;
  /** From APPLICATIONINSIGHTS_CONNECTION_STRING and, for Entra ID auth, APPLICATIONINSIGHTS_AUTHENTICATION_STRING. */
  applicationInsights?: { connectionString: string; entraClientId?: string };
  callers: {
    auth: 'keys' | 'app-service';
    roles: { create: string; read: string; operator: string };
    ratePerMinute: number;
    maxConcurrentWaits: number;
  };
  retentionDays: number;
}

export class ConfigError extends Error {
  readonly problems: { setting: string; message: string }[];
  constructor(problems: { setting: string; message: string }[]) {
    super(
      `Invalid configuration: ${problems.map((p) => `${p.setting} ${p.message}`).join('; ')}. ` +
        "Set it in local.settings.json (locally) or in the function app's settings (in Azure).",
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function readStorage(env: NodeJS.ProcessEnv): StorageConnection {
  const connectionString = env.AzureWebJobsStorage?.trim();
  if (connectionString) {
    return { kind: 'connectionString', connectionString };
  }
  const queueServiceUri = env.AzureWebJobsStorage__queueServiceUri?.trim();
  const tableServiceUri = env.AzureWebJobsStorage__tableServiceUri?.trim();
  const missing = [
    !queueServiceUri && 'AzureWebJobsStorage__queueServiceUri',
    !tableServiceUri && 'AzureWebJobsStorage__tableServiceUri',
  ].filter((name): name is string => Boolean(name));
  if (missing.length > 0 || !queueServiceUri || !tableServiceUri) {
    throw new ConfigError(
      missing.map((setting) => ({
        setting,
        message: 'is missing (or set AzureWebJobsStorage to a connection string)',
      })),
    );
  }
  return {
    kind: 'identity',
    queueServiceUri,
    tableServiceUri,
    clientId: env.AzureWebJobsStorage__clientId?.trim() || undefined,
  };
}

/**
 * `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` = `Authorization=AAD;ClientId=<managed identity>`
 * turns on Entra ID authentication (`entraClientId` '' means the system-assigned identity).
 */
function readApplicationInsights(env: NodeJS.ProcessEnv): Config['applicationInsights'] {
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
  if (!connectionString) return undefined;
  const parts = Object.fromEntries(
    (env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? '')
      .split(';')
      .map((part) => part.split('=').map((s) => s.trim()))
      .filter((kv) => kv.length === 2)
      .map(([k, v]) => [k!.toLowerCase(), v!]),
  );
  const aad = parts.authorization?.toUpperCase() === 'AAD';
  return { connectionString, ...(aad && { entraClientId: parts.clientid ?? '' }) };
}

/** Reads and validates the configuration from the given environment (default: `process.env`). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(
    settings.map((s) => {
      const value = env[s.name]?.trim();
      return [s.name, value === '' ? undefined : value];
    }),
  );
  const parsed = settingsSchema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        setting: String(issue.path[0]),
        message: issue.code === 'invalid_type' && issue.input === undefined ? 'is missing' : issue.message,
      }));
  let storage: StorageConnection | undefined;
  try {
    storage = readStorage(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  problems.push(...mixedEnvironmentProblems(env));
  if (!parsed.success || !storage || problems.length > 0) throw new ConfigError(problems);
  const data = parsed.data as Record<SettingName, string | number>;
  const str = (name: SettingName): string => String(data[name]);
  const num = (name: SettingName): number => Number(data[name]);
  return {
    d365: {
      url: str('D365_URL'),
      tenantId: str('D365_TENANT_ID'),
      clientId: str('D365_CLIENT_ID'),
      target: str('D365_TARGET') as Config['d365']['target'],
      servicePath: str('D365_SERVICE_PATH'),
      accountField: str('D365_ACCOUNT_FIELD'),
      defaultCustomerGroup: str('D365_DEFAULT_CUSTOMER_GROUP'),
      timeoutMs: num('D365_TIMEOUT_MS'),
    },
    keyVault: {
      url: str('KEY_VAULT_URL'),
      secretName: str('D365_CLIENT_SECRET_NAME'),
    },
    authorityHost: str('ENTRA_AUTHORITY_HOST'),
    storage,
    queueName: str('CUSTOMER_QUEUE_NAME'),
    poisonQueueName: `${str('CUSTOMER_QUEUE_NAME')}-poison`,
    statusTable: str('STATUS_TABLE_NAME'),
    statusRetryAfterSeconds: num('STATUS_RETRY_AFTER_SECONDS'),
    duplicatePolicy: str('DUPLICATE_POLICY') as Config['duplicatePolicy'],
    retry: {
      baseSeconds: num('RETRY_BASE_SECONDS'),
      maxDelaySeconds: num('RETRY_MAX_DELAY_SECONDS'),
      maxAttempts: num('RETRY_MAX_ATTEMPTS'),
      maxTotalSeconds: num('RETRY_MAX_TOTAL_SECONDS'),
    },
    d365MaxConcurrency: num('D365_MAX_CONCURRENCY'),
    leaseSeconds: num('PROCESSING_LEASE_SECONDS'),
    preferWaitMaxSeconds: num('PREFER_WAIT_MAX_SECONDS'),
    reconcileAfterSeconds: num('RECONCILE_AFTER_SECONDS'),
    applicationInsights: readApplicationInsights(env),
    callers: {
      auth: str('CALLER_AUTH') as Config['callers']['auth'],
      roles: {
        create: str('CALLER_ROLE_CREATE'),
        read: str('CALLER_ROLE_READ'),
        operator: str('CALLER_ROLE_OPERATOR'),
      },
      ratePerMinute: num('RATE_LIMIT_PER_MINUTE'),
      maxConcurrentWaits: num('MAX_CONCURRENT_WAITS'),
    },
    retentionDays: num('RECORD_RETENTION_DAYS'),
  };
}

let cached: Config | undefined;

/** The configuration, read and validated once per process. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
