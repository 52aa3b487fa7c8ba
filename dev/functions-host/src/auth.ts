import { timingSafeEqual } from 'node:crypto';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

/**
 * The keys of this local host: function keys (DEV_FUNCTION_KEY, and DEV_FUNCTION_KEYS, a JSON
 * object of named keys as Azure keeps them, `{"pos": "…", "shop-a": "…"}`) and the master key
 * (DEV_MASTER_KEY). Empty values count as unset.
 */
export interface HostKeys {
  functionKeys: string[];
  masterKey?: string;
}

export function keysFromEnvironment(env: NodeJS.ProcessEnv): HostKeys {
  return {
    functionKeys: [env.DEV_FUNCTION_KEY, ...namedKeys(env.DEV_FUNCTION_KEYS)].filter(
      (key): key is string => typeof key === 'string' && key !== '',
    ),
    masterKey: env.DEV_MASTER_KEY || undefined,
  };
}

function namedKeys(json: string | undefined): unknown[] {
  if (!json) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('DEV_FUNCTION_KEYS must be a JSON object of named keys, e.g. {"pos": "…"}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('DEV_FUNCTION_KEYS must be a JSON object of named keys, e.g. {"pos": "…"}');
  return Object.values(parsed);
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
  if (keys.functionKeys.length === 0 && keys.masterKey === undefined) return true;
  if (presented === undefined) return false;
  const isMaster = sameKey(presented, keys.masterKey);
  if (level === 'admin') return isMaster;
  // Every key is compared, so the time taken does not say which one matched.
  const matches = keys.functionKeys.map((key) => sameKey(presented, key));
  return matches.includes(true) || isMaster;
}
