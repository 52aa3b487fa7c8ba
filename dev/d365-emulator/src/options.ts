import { DEFAULT_TELEMETRY_LIMIT } from './app-insights';
import { InvalidOptionError } from './errors';
import { LOCAL_D365_CLIENT_ID, LOCAL_KEY_VAULT_READER_CLIENT_ID, LOCAL_TENANT_ID } from './identities';
import { DEFAULT_REQUEST_LOG_LIMIT } from './request-log';

/** How the D365 throttle model limits requests; `null` (or absent) turns a limit off. */
export interface ThrottleOptions {
  /** Requests per second admitted to D365 (a token bucket holding one second's worth). */
  ratePerSecond?: number | null;
  /** Requests D365 handles at the same time; more get 429. */
  concurrency?: number | null;
}

export interface EmulatorOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port to listen on. Default 7443; 0 picks a free port. */
  port?: number;
  /** Folder where `ca.pem` is written. Default: a fresh temporary folder. */
  certDir?: string;
  /** The Entra ID tenant the emulator answers for. Default `LOCAL_TENANT_ID`. */
  tenantId?: string;
  /** The D365 app registration's client id. Default `LOCAL_D365_CLIENT_ID`. */
  d365ClientId?: string;
  /** Key Vault secret that holds the D365 app's client secret. Default `d365-client-secret`. */
  secretName?: string;
  /**
   * Identities with the "Key Vault Secrets User" role on the vault (access.ts). Default: the local
   * Key Vault reader (`LOCAL_KEY_VAULT_READER_CLIENT_ID`); `[]` makes every read ForbiddenByRbac.
   */
  keyVaultReaders?: string[];
  /** Companies (dataAreaId) that exist in D365. Default USRT, USMF, DEMF, FRRT. */
  legalEntities?: string[];
  /** The company searched by OData without `cross-company=true`. Default USMF (or the first legal entity). */
  defaultLegalEntity?: string;
  /** Customer groups that exist in every legal entity. Default 10, 20, 30, 40. */
  customerGroups?: string[];
  /** Throttle model applied to D365 requests. Default: off. */
  throttle?: ThrottleOptions;
  /** Lifetime of issued access tokens. Default 3599 (as Entra ID). */
  tokenLifetimeSeconds?: number;
  /** Default latency added to every D365 request. Default 0. */
  latencyMs?: number;
  /** Seed of the random numbers that decide `probability` faults. Default: random. */
  randomSeed?: number;
  /** Receives one line per request (method, path without query values, status, duration). */
  log?: (line: string) => void;
  /** Entries the request log keeps (the newest). Default 20,000. */
  requestLogLimit?: number;
  /** Application Insights envelopes kept (the newest). Default 10,000. */
  telemetryLimit?: number;
}

export interface ResolvedOptions {
  host: string;
  port: number;
  certDir?: string;
  tenantId: string;
  d365ClientId: string;
  secretName: string;
  keyVaultReaders: string[];
  legalEntities: string[];
  defaultLegalEntity: string;
  customerGroups: string[];
  throttle: { ratePerSecond: number | null; concurrency: number | null };
  tokenLifetimeSeconds: number;
  latencyMs: number;
  randomSeed?: number;
  log?: (line: string) => void;
  requestLogLimit: number;
  telemetryLimit: number;
}

export const DEFAULT_PORT = 7443;
export const DEFAULT_LEGAL_ENTITIES = ['USRT', 'USMF', 'DEMF', 'FRRT'];
export const DEFAULT_CUSTOMER_GROUPS = ['10', '20', '30', '40'];

function positiveOrNull(value: number | null | undefined, name: string): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(`throttle.${name}`, value, 'a positive number');
  }
  return value;
}

/** Fills in the defaults and rejects options that cannot work. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const legalEntities = (options.legalEntities ?? DEFAULT_LEGAL_ENTITIES).map((le) => le.toUpperCase());
  if (legalEntities.length === 0) {
    throw new InvalidOptionError('legalEntities', options.legalEntities, 'at least one company');
  }
  const defaultLegalEntity = (
    options.defaultLegalEntity ?? (legalEntities.includes('USMF') ? 'USMF' : legalEntities[0])
  )?.toUpperCase();
  if (!defaultLegalEntity || !legalEntities.includes(defaultLegalEntity)) {
    throw new InvalidOptionError(
      'defaultLegalEntity',
      options.defaultLegalEntity,
      `one of ${legalEntities.join(', ')}`,
    );
  }
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidOptionError('port', port, 'an integer 0-65535');
  }
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3599;
  if (!Number.isInteger(tokenLifetimeSeconds) || tokenLifetimeSeconds <= 0) {
    throw new InvalidOptionError('tokenLifetimeSeconds', tokenLifetimeSeconds, 'a positive integer');
  }
  const requestLogLimit = options.requestLogLimit ?? DEFAULT_REQUEST_LOG_LIMIT;
  const telemetryLimit = options.telemetryLimit ?? DEFAULT_TELEMETRY_LIMIT;
  for (const [name, value] of Object.entries({ requestLogLimit, telemetryLimit })) {
    if (!Number.isInteger(value) || value < 1)
      throw new InvalidOptionError(name, value, 'a positive integer');
  }
  return {
    host: options.host ?? '127.0.0.1',
    port,
    certDir: options.certDir,
    tenantId: (options.tenantId ?? LOCAL_TENANT_ID).toLowerCase(),
    d365ClientId: (options.d365ClientId ?? LOCAL_D365_CLIENT_ID).toLowerCase(),
    secretName: options.secretName ?? 'd365-client-secret',
    keyVaultReaders: (options.keyVaultReaders ?? [LOCAL_KEY_VAULT_READER_CLIENT_ID]).map((id) =>
      id.toLowerCase(),
    ),
    legalEntities,
    defaultLegalEntity,
    customerGroups: options.customerGroups ?? DEFAULT_CUSTOMER_GROUPS,
    throttle: {
      ratePerSecond: positiveOrNull(options.throttle?.ratePerSecond, 'ratePerSecond'),
      concurrency: positiveOrNull(options.throttle?.concurrency, 'concurrency'),
    },
    tokenLifetimeSeconds,
    latencyMs: options.latencyMs ?? 0,
    randomSeed: options.randomSeed,
    log: options.log,
    requestLogLimit,
    telemetryLimit,
  };
}
