import { availableParallelism } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RpcLogLevel } from './core-types';
import { parseTimeSpan } from './duration';
import { parseLogLevel } from './logger';

/** `extensions.queues` with the queue extension's defaults applied. Durations in milliseconds. */
export interface QueuesConfig {
  maxPollingIntervalMs: number;
  visibilityTimeoutMs: number;
  batchSize: number;
  newBatchThreshold: number;
  maxDequeueCount: number;
  messageEncoding: 'base64' | 'none';
}

export interface HostConfig {
  routePrefix: string;
  queues: QueuesConfig;
  /** Undefined when unlimited. */
  functionTimeoutMs?: number;
  logLevels: Record<string, RpcLogLevel>;
}

/** host.json (or an AzureFunctionsJobHost__ override) is unusable; keeps the setting or file at fault. */
export class HostConfigError extends Error {
  override readonly name = 'HostConfigError';
  /** The host.json path at fault, e.g. "extensions.queues.batchSize". */
  readonly setting?: string;
  /** The host.json file, when the file itself is at fault. */
  readonly file?: string;
  constructor(message: string, context: { setting?: string; file?: string }, options?: ErrorOptions) {
    super(message, options);
    this.setting = context.setting;
    this.file = context.file;
  }
}

const ENV_PREFIX = 'AzureFunctionsJobHost__';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Finds a key case-insensitively, as .NET configuration does. */
function findKey(object: Json, key: string): string | undefined {
  return Object.keys(object).find((k) => k.toLowerCase() === key.toLowerCase());
}

function get(object: Json, path: string[]): unknown {
  let current: unknown = object;
  for (const segment of path) {
    if (!isObject(current)) return undefined;
    const key = findKey(current, segment);
    current = key === undefined ? undefined : current[key];
  }
  return current;
}

/**
 * Applies `AzureFunctionsJobHost__a__b=value` environment variables over host.json, as the host
 * does (app settings override host.json values; keys are case-insensitive).
 */
export function applyEnvironmentOverrides(hostJson: Json, env: NodeJS.ProcessEnv): string[] {
  const applied: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.toLowerCase().startsWith(ENV_PREFIX.toLowerCase())) continue;
    const path = name.slice(ENV_PREFIX.length).split('__').filter(Boolean);
    if (path.length === 0) continue;
    let current = hostJson;
    for (const segment of path.slice(0, -1)) {
      const key = findKey(current, segment) ?? segment;
      if (!isObject(current[key])) current[key] = {};
      current = current[key] as Json;
    }
    const last = path[path.length - 1] as string;
    current[findKey(current, last) ?? last] = value;
    applied.push(path.join('.'));
  }
  return applied;
}

function readDuration(hostJson: Json, path: string[], fallbackMs: number): number {
  const value = get(hostJson, path);
  if (value === undefined || value === null) return fallbackMs;
  const ms = typeof value === 'string' ? parseTimeSpan(value) : undefined;
  if (ms === undefined || ms < 0) {
    throw new HostConfigError(
      `host.json: ${path.join('.')} must be a TimeSpan such as "00:00:30" (got ${JSON.stringify(value)})`,
      { setting: path.join('.') },
    );
  }
  return ms;
}

function readInt(hostJson: Json, path: string[], min: number, max: number): number | undefined {
  const value = get(hostJson, path);
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
    throw new HostConfigError(
      `host.json: ${path.join('.')} must be an integer ${range} (got ${JSON.stringify(value)})`,
      { setting: path.join('.') },
    );
  }
  return number;
}

/**
 * Processor count the queue extension multiplies the default newBatchThreshold by:
 * 1 on the Consumption plan (WEBSITE_SKU=Dynamic), else the machine's processors.
 */
function processorCount(env: NodeJS.ProcessEnv): number {
  return env.WEBSITE_SKU?.toLowerCase() === 'dynamic' ? 1 : availableParallelism();
}

/** Validates the parts of host.json this host uses and applies the host's defaults. */
export function parseHostConfig(hostJson: unknown, env: NodeJS.ProcessEnv = process.env): HostConfig {
  if (!isObject(hostJson)) throw new HostConfigError('host.json must contain a JSON object', {});
  const version = get(hostJson, ['version']);
  if (version !== '2.0') {
    throw new HostConfigError(
      `host.json: "version" must be "2.0" (got ${JSON.stringify(version)}); this host runs Functions v4 apps`,
      { setting: 'version' },
    );
  }

  const routePrefixValue = get(hostJson, ['extensions', 'http', 'routePrefix']);
  if (routePrefixValue !== undefined && typeof routePrefixValue !== 'string') {
    throw new HostConfigError('host.json: extensions.http.routePrefix must be a string', {
      setting: 'extensions.http.routePrefix',
    });
  }
  const routePrefix = (routePrefixValue ?? 'api').replace(/^\/+|\/+$/g, '');

  const q = ['extensions', 'queues'];
  const maxPollingIntervalMs = readDuration(hostJson, [...q, 'maxPollingInterval'], 60_000);
  if (maxPollingIntervalMs < 100) {
    throw new HostConfigError(
      'host.json: extensions.queues.maxPollingInterval must not be less than 00:00:00.100',
      { setting: 'extensions.queues.maxPollingInterval' },
    );
  }
  const batchSize = readInt(hostJson, [...q, 'batchSize'], 1, 32) ?? 16;
  const encodingValue = get(hostJson, [...q, 'messageEncoding']) ?? 'base64';
  const messageEncoding = typeof encodingValue === 'string' ? encodingValue.toLowerCase() : '';
  if (messageEncoding !== 'base64' && messageEncoding !== 'none') {
    throw new HostConfigError(
      `host.json: extensions.queues.messageEncoding must be "base64" or "none" (got ${JSON.stringify(encodingValue)})`,
      { setting: 'extensions.queues.messageEncoding' },
    );
  }
  const queues: QueuesConfig = {
    maxPollingIntervalMs,
    visibilityTimeoutMs: readDuration(hostJson, [...q, 'visibilityTimeout'], 0),
    batchSize,
    newBatchThreshold:
      readInt(hostJson, [...q, 'newBatchThreshold'], 0, Number.MAX_SAFE_INTEGER) ??
      Math.floor(batchSize / 2) * processorCount(env),
    maxDequeueCount: readInt(hostJson, [...q, 'maxDequeueCount'], 1, Number.MAX_SAFE_INTEGER) ?? 5,
    messageEncoding,
  };

  const timeoutValue = get(hostJson, ['functionTimeout']);
  const unlimited =
    timeoutValue === null || timeoutValue === undefined || String(timeoutValue).trim() === '-1';
  const functionTimeoutMs = unlimited ? undefined : readDuration(hostJson, ['functionTimeout'], 0);

  const logLevels: Record<string, RpcLogLevel> = {};
  const logLevelSection = get(hostJson, ['logging', 'logLevel']);
  if (logLevelSection !== undefined) {
    if (!isObject(logLevelSection))
      throw new HostConfigError('host.json: logging.logLevel must be an object', {
        setting: 'logging.logLevel',
      });
    for (const [category, value] of Object.entries(logLevelSection)) {
      const level = parseLogLevel(value);
      if (!level) {
        throw new HostConfigError(
          `host.json: logging.logLevel.${category} must be one of Trace, Debug, Information, Warning, Error, Critical, None (got ${JSON.stringify(value)})`,
          { setting: `logging.logLevel.${category}` },
        );
      }
      logLevels[category] = level;
    }
  }

  return { routePrefix, queues, functionTimeoutMs, logLevels };
}

/** Reads `<appDir>/host.json`, applies environment overrides and validates it. */
export function readHostConfig(appDir: string, env: NodeJS.ProcessEnv = process.env): HostConfig {
  const path = join(appDir, 'host.json');
  if (!existsSync(path)) {
    throw new HostConfigError(`No host.json in ${appDir}: a function app needs one at its root`, {
      file: path,
    });
  }
  let hostJson: unknown;
  try {
    hostJson = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new HostConfigError(
      `host.json is not valid JSON: ${(error as Error).message}`,
      { file: path },
      { cause: error },
    );
  }
  if (isObject(hostJson)) applyEnvironmentOverrides(hostJson, env);
  return parseHostConfig(hostJson, env);
}
