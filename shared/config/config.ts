import { z } from 'zod';
import type { Permission } from '../domain/ownership';
import type { CallerKey } from './caller-keys';
import type { RetryPolicy } from '../domain/retry-policy';
import type { FairShareSettings } from '../domain/fair-share';
import { mixedEnvironmentProblems } from './environment-mix';
import { CatalogueEntry, SettingName, settings } from './settings';
import type { WebhookSource } from './webhook-sources';

/**
 * The app's configuration, read from the environment once and validated with zod against the
 * settings catalogue. A missing or malformed setting stops the app at start with a message that
 * names it.
 */
/** What the catalogue's validators yield, setting by setting. */
type SettingValues = { [S in CatalogueEntry as S['name']]: z.output<S['schema']> };

/**
 * The catalogue as one zod object. The single cast in the loader is here: Object.fromEntries
 * cannot keep the per-setting types that `SettingValues` spells out from the same list.
 */
const settingsObject = z.object(
  Object.fromEntries(settings.map((s) => [s.name, s.schema])),
) as unknown as z.ZodType<SettingValues, Record<SettingName, string | undefined>>;

/** The typed configuration (all but storage and Application Insights, read from the host's own settings). */
const configSchema = settingsObject.transform((v) => ({
  d365: {
    url: v.D365_URL,
    tenantId: v.D365_TENANT_ID,
    clientId: v.D365_CLIENT_ID,
    target: v.D365_TARGET,
    servicePath: v.D365_SERVICE_PATH,
    accountField: v.D365_ACCOUNT_FIELD,
    defaultCustomerGroup: v.D365_DEFAULT_CUSTOMER_GROUP,
    timeoutMs: v.D365_TIMEOUT_MS,
    settleSeconds: v.D365_SETTLE_SECONDS,
  },
  keyVault: {
    url: v.KEY_VAULT_URL,
    secretName: v.D365_CLIENT_SECRET_NAME,
    correlationKeyName: v.CORRELATION_KEY_SECRET_NAME,
    timeoutMs: v.KEY_VAULT_TIMEOUT_MS,
  },
  entraTimeoutMs: v.ENTRA_TIMEOUT_MS,
  bigCommerceTimeoutMs: v.BIGCOMMERCE_TIMEOUT_MS,
  authorityHost: v.ENTRA_AUTHORITY_HOST,
  queueName: v.CUSTOMER_QUEUE_NAME,
  poisonQueueName: `${v.CUSTOMER_QUEUE_NAME}-poison`,
  statusTable: v.STATUS_TABLE_NAME,
  statusRetryAfterSeconds: v.STATUS_RETRY_AFTER_SECONDS,
  publicBaseUrl: v.PUBLIC_BASE_URL,
  duplicatePolicy: v.DUPLICATE_POLICY,
  linkTable: v.LINK_TABLE_NAME,
  operations: {
    table: v.OPERATIONS_TABLE_NAME,
    auditTable: v.OPERATIONS_AUDIT_TABLE_NAME,
    replay: {
      queueName: v.REPLAY_QUEUE_NAME,
      reserveSlots: v.REPLAY_RESERVE_SLOTS,
      batchSize: v.REPLAY_BATCH_SIZE,
    },
  },
  conflictPolicy: v.UPDATE_CONFLICT_POLICY,
  retry: {
    baseSeconds: v.RETRY_BASE_SECONDS,
    maxDelaySeconds: v.RETRY_MAX_DELAY_SECONDS,
    maxAttempts: v.RETRY_MAX_ATTEMPTS,
    maxTotalSeconds: v.RETRY_MAX_TOTAL_SECONDS,
  },
  d365MaxConcurrency: v.D365_MAX_CONCURRENCY,
  d365MaxRequestsPerSecond: v.D365_MAX_REQUESTS_PER_SECOND,
  lookupBatch: { maxSize: v.D365_LOOKUP_BATCH_SIZE, windowMs: v.D365_LOOKUP_BATCH_WINDOW_MS },
  leaseSeconds: v.PROCESSING_LEASE_SECONDS,
  preferWaitMaxSeconds: v.PREFER_WAIT_MAX_SECONDS,
  reconcileAfterSeconds: v.RECONCILE_AFTER_SECONDS,
  callers: {
    auth: v.CALLER_AUTH,
    keys: v.CALLER_KEYS,
    roles: {
      create: v.CALLER_ROLE_CREATE,
      read: v.CALLER_ROLE_READ,
      accounts: v.CALLER_ROLE_ACCOUNTS,
      staff: v.CALLER_ROLE_STAFF,
      operator: v.CALLER_ROLE_OPERATOR,
    },
    ratePerMinute: v.RATE_LIMIT_PER_MINUTE,
    maxConcurrentWaits: v.MAX_CONCURRENT_WAITS,
  },
  fairShare: {
    waiters: v.FAIR_SHARE_WAITERS,
    weights: v.CALLER_WEIGHTS,
    receiveThreshold: v.AzureFunctionsJobHost__extensions__queues__newBatchThreshold,
  },
  retentionDays: v.RECORD_RETENTION_DAYS,
  failedRequestRetentionDays: v.FAILED_REQUEST_RETENTION_DAYS,
  linkRetentionDays: v.LINK_RETENTION_DAYS,
  privacy: {
    anonymiseLegalEntities: v.PRIVACY_ANONYMISE_LEGAL_ENTITIES.map((le) => le.toUpperCase()),
    settleSeconds: v.PRIVACY_SETTLE_SECONDS,
    dueAlertDays: v.PRIVACY_DUE_ALERT_DAYS,
  },
  webhooks: {
    sources: v.WEBHOOK_SOURCES,
    maxEventAgeSeconds: v.WEBHOOK_MAX_EVENT_AGE_SECONDS,
    rotationWindowSeconds: v.WEBHOOK_SECRET_ROTATION_WINDOW_SECONDS,
    secretRefreshSeconds: v.WEBHOOK_SECRET_REFRESH_SECONDS,
  },
  shops: {
    shopifyApiVersion: v.SHOPIFY_API_VERSION,
    budgetShare: v.SHOP_BUDGET_SHARE,
    timeoutMs: v.SHOP_TIMEOUT_MS,
    maxWaitMs: v.SHOP_MAX_WAIT_MS,
    writeBackQueueName: v.WRITE_BACK_QUEUE_NAME,
  },
  foEvents: {
    queueName: v.FO_EVENTS_QUEUE_NAME,
    table: v.FO_EVENTS_TABLE_NAME,
    retentionDays: v.FO_EVENTS_RETENTION_DAYS,
    delivery: v.FO_EVENTS_DELIVERY,
  },
  backfill: {
    queueName: v.BACKFILL_QUEUE_NAME,
    table: v.BACKFILL_TABLE_NAME,
    pageSize: v.BACKFILL_PAGE_SIZE,
    maxBacklog: v.BACKFILL_MAX_BACKLOG,
  },
  driftRepair: {
    intervalSeconds: v.DRIFT_REPAIR_INTERVAL_SECONDS,
    maxCustomers: v.DRIFT_REPAIR_MAX_CUSTOMERS,
    settleSeconds: v.DRIFT_REPAIR_SETTLE_SECONDS,
    lookbackHours: v.DRIFT_REPAIR_LOOKBACK_HOURS,
  },
  foSafetyNet: {
    intervalSeconds: v.FO_SAFETY_NET_INTERVAL_SECONDS,
    maxCustomers: v.FO_SAFETY_NET_MAX_CUSTOMERS,
  },
  callbacks: {
    allowedHosts: v.CALLBACK_ALLOWED_HOSTS,
    allowedPrivateAddresses: v.CALLBACK_ALLOWED_PRIVATE_ADDRESSES,
    secretName: v.CALLBACK_SECRET_NAME,
    queueName: v.CALLBACK_QUEUE_NAME,
    endpointsTable: v.CALLBACK_ENDPOINTS_TABLE_NAME,
    timeoutMs: v.CALLBACK_TIMEOUT_MS,
    retry: {
      baseSeconds: v.CALLBACK_RETRY_BASE_SECONDS,
      maxDelaySeconds: v.CALLBACK_RETRY_MAX_DELAY_SECONDS,
      maxAttempts: v.CALLBACK_MAX_ATTEMPTS,
    },
  },
}));

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
    /** D365_TIMEOUT_MS: one call to D365. */
    timeoutMs: number;
    settleSeconds: number;
  };
  /**
   * `timeoutMs`: KEY_VAULT_TIMEOUT_MS, one call to Key Vault. `correlationKeyName`:
   * CORRELATION_KEY_SECRET_NAME, the fleet's correlation-ID key (issue 24).
   */
  keyVault: { url: string; secretName: string; correlationKeyName: string; timeoutMs: number };
  authorityHost: string;
  /** ENTRA_TIMEOUT_MS: one token request to Entra ID. */
  entraTimeoutMs: number;
  /** BIGCOMMERCE_TIMEOUT_MS: one call to a BigCommerce store API. */
  bigCommerceTimeoutMs: number;
  storage: StorageConnection;
  queueName: string;
  poisonQueueName: string;
  statusTable: string;
  statusRetryAfterSeconds: number;
  /** PUBLIC_BASE_URL as set ('' when not). */
  publicBaseUrl: string;
  /** The origin status URLs point at (shared/http/public-url.ts); undefined on a machine of one's own. */
  publicOrigin?: string;
  duplicatePolicy: 'link' | 'reject' | 'create';
  /** The customer links table (issue 17). */
  linkTable: string;
  /** The operations index and replay jobs, and the operator audit log (issue 31). */
  operations: {
    table: string;
    auditTable: string;
    /** Bulk replay jobs: their queue and their pace (REPLAY_*). */
    replay: { queueName: string; reserveSlots: number; batchSize: number };
  };
  /** What an update does about a field changed in D365 meanwhile. */
  conflictPolicy: 'review' | 'ours' | 'd365';
  retry: RetryPolicy;
  d365MaxConcurrency: number;
  /** D365_MAX_REQUESTS_PER_SECOND: the fleet's pace of D365 calls (0: none). */
  d365MaxRequestsPerSecond: number;
  /** Batched duplicate lookups (D365_LOOKUP_BATCH_SIZE, D365_LOOKUP_BATCH_WINDOW_MS). */
  lookupBatch: { maxSize: number; windowMs: number };
  leaseSeconds: number;
  preferWaitMaxSeconds: number;
  reconcileAfterSeconds: number;
  /** From APPLICATIONINSIGHTS_CONNECTION_STRING and, for Entra ID auth, APPLICATIONINSIGHTS_AUTHENTICATION_STRING. */
  applicationInsights?: { connectionString: string; entraClientId?: string };
  callers: {
    auth: 'keys' | 'app-service';
    /** CALLER_KEYS: the callers behind named function keys (keys mode). */
    keys: CallerKey[];
    /** The Entra app role that grants each permission of the ownership policy (domain/ownership.ts). */
    roles: Record<Permission, string>;
    ratePerMinute: number;
    maxConcurrentWaits: number;
  };
  /** FAIR_SHARE_WAITERS and CALLER_WEIGHTS (shared/domain/fair-share.ts). */
  fairShare: FairShareSettings;
  retentionDays: number;
  /** FAILED_REQUEST_RETENTION_DAYS: a failed / needs_review request drops its payload this long after it ended. */
  failedRequestRetentionDays: number;
  /** LINK_RETENTION_DAYS: customer links unchanged this long are deleted. */
  linkRetentionDays: number;
  /** Privacy requests (issue 27): where erasures anonymise the D365 customer; the last look's delay. */
  privacy: { anonymiseLegalEntities: string[]; settleSeconds: number; dueAlertDays: number };
  webhooks: {
    sources: WebhookSource[];
    maxEventAgeSeconds: number;
    rotationWindowSeconds: number;
    secretRefreshSeconds: number;
  };
  /** The shops' Admin APIs (write-back, issue 28): pinned Shopify version, budget share, timeouts. */
  shops: {
    shopifyApiVersion: string;
    budgetShare: number;
    timeoutMs: number;
    maxWaitMs: number;
    /** The write-back's own queue (WRITE_BACK_QUEUE_NAME). */
    writeBackQueueName: string;
  };
  /** F&O data events (issue 29): their queue and the table of event IDs taken. */
  /**
   * FO_EVENTS_*: the queue, the table, how long a taken event (its row, its message) is kept, and how
   * F&O delivers events (`eventGrid` registers the Event Grid function `foEventGrid` too).
   */
  foEvents: { queueName: string; table: string; retentionDays: number; delivery: 'https' | 'eventGrid' };
  /** Backfill jobs (issue 30): their queue and table, the page size, the customer-queue backlog they stay under. */
  backfill: {
    queueName: string;
    table: string;
    pageSize: number;
    maxBacklog: number;
  };
  /** Drift repair (issue 30): how often a shop runs, how much one run reads, what it leaves to webhooks, where a shop starts. */
  driftRepair: {
    intervalSeconds: number;
    maxCustomers: number;
    settleSeconds: number;
    lookbackHours: number;
  };
  /** The F&O safety net (issue 29): how often a shop runs, how many shop customers one run compares. */
  foSafetyNet: { intervalSeconds: number; maxCustomers: number };
  /** Result callbacks (docs/api.md): the `Callback-Url` allow-list, the signing secret, the outbox. */
  callbacks: {
    allowedHosts: string[];
    allowedPrivateAddresses: string[];
    secretName: string;
    queueName: string;
    endpointsTable: string;
    timeoutMs: number;
    retry: { baseSeconds: number; maxDelaySeconds: number; maxAttempts: number };
  };
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
  // An absent or blank setting takes its default, parsed by its validator like any value.
  const raw = Object.fromEntries(settings.map((s) => [s.name, env[s.name]?.trim() || s.default]));
  const parsed = configSchema.safeParse(raw);
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
  const publicOrigin =
    parsed.data.publicBaseUrl ||
    (env.WEBSITE_HOSTNAME?.trim() ? `https://${env.WEBSITE_HOSTNAME.trim()}` : undefined);
  return {
    ...parsed.data,
    storage,
    applicationInsights: readApplicationInsights(env),
    ...(publicOrigin && { publicOrigin }),
  };
}

let cached: Config | undefined;

/** The configuration, read and validated once per process. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
