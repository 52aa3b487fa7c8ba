import { timingSafeEqual } from 'node:crypto';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

/**
 * The keys of this local host: function keys (DEV_FUNCTION_KEY, and DEV_FUNCTION_KEYS, a JSON
 * object of named keys as Azure keeps them, `{"pos": "…", "shop-a": "…"}`), the master key
 * (DEV_MASTER_KEY) and the system keys of extension webhooks (DEV_SYSTEM_KEYS, a JSON object by
 * key name, e.g. `{"eventgrid_extension": "…"}`, as Azure names them). Empty values count as unset.
 */
export interface HostKeys {
  functionKeys: string[];
  masterKey?: string;
  /** System keys by name (`<extension>_extension`). */
  systemKeys?: Record<string, string>;
}

export function keysFromEnvironment(env: NodeJS.ProcessEnv): HostKeys {
  const systemKeys = Object.fromEntries(
    Object.entries(namedKeys('DEV_SYSTEM_KEYS', env.DEV_SYSTEM_KEYS)).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '',
    ),
  );
  return {
    functionKeys: [
      env.DEV_FUNCTION_KEY,
      ...Object.values(namedKeys('DEV_FUNCTION_KEYS', env.DEV_FUNCTION_KEYS)),
    ].filter((key): key is string => typeof key === 'string' && key !== ''),
    masterKey: env.DEV_MASTER_KEY || undefined,
    systemKeys,
  };
}

function namedKeys(setting: string, json: string | undefined): Record<string, unknown> {
  if (!json) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error(`${setting} must be a JSON object of named keys, e.g. {"name": "…"}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`${setting} must be a JSON object of named keys, e.g. {"name": "…"}`);
  return parsed as Record<string, unknown>;
}

function anyKeyConfigured(keys: HostKeys): boolean {
  return (
    keys.functionKeys.length > 0 ||
    keys.masterKey !== undefined ||
    Object.keys(keys.systemKeys ?? {}).length > 0
  );
}

function sameKey(given: string, expected: string | undefined): boolean {
  if (expected === undefined) return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // timingSafeEqual needs equal lengths; compare against itself to spend the same time.
  return a.length === b.length ? timingSafeEqual(a, b) : (timingSafeEqual(b, b), false);
}

/**
 * Whether a request may call a function of `level`, given the key it presented
 * (`x-functions-key` header or `code` query parameter):
 * - anonymous: always;
 * - function: any function key or the master key, when any key is configured;
 * - admin: only the master key, when any key is configured;
 * - with no key configured at all, everything is allowed (like `func start`).
 * The key goes on to the function with the request (as in Azure), which may tell callers apart by it.
 */
export function isAuthorized(level: AuthLevel, presented: string | undefined, keys: HostKeys): boolean {
  if (level === 'anonymous') return true;
  if (!anyKeyConfigured(keys)) return true;
  if (presented === undefined) return false;
  const isMaster = sameKey(presented, keys.masterKey);
  if (level === 'admin') return isMaster;
  // Every key is compared, so the time taken does not say which one matched.
  const matches = keys.functionKeys.map((key) => sameKey(presented, key));
  return matches.includes(true) || isMaster;
}

/**
 * Whether a request may call an extension webhook (`/runtime/webhooks/<extension>`): the host's
 * SystemKeyAuthLevel policy takes the system key named `<extension>_extension` or the master key
 * (https://learn.microsoft.com/azure/azure-functions/functions-bindings-http-webhook-trigger#system-key).
 * With no key configured at all, everything is allowed (like `func start`).
 */
export function isSystemAuthorized(keyName: string, presented: string | undefined, keys: HostKeys): boolean {
  if (!anyKeyConfigured(keys)) return true;
  if (presented === undefined) return false;
  const isMaster = sameKey(presented, keys.masterKey);
  return sameKey(presented, keys.systemKeys?.[keyName]) || isMaster;
}
