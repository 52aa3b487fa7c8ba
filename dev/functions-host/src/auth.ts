import { timingSafeEqual } from 'node:crypto';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

/** The keys of this local host, from DEV_FUNCTION_KEY and DEV_MASTER_KEY (empty counts as unset). */
export interface HostKeys {
  functionKey?: string;
  masterKey?: string;
}

export function keysFromEnvironment(env: NodeJS.ProcessEnv): HostKeys {
  return { functionKey: env.DEV_FUNCTION_KEY || undefined, masterKey: env.DEV_MASTER_KEY || undefined };
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
 * - function: the function key or the master key, when any key is configured;
 * - admin: only the master key, when any key is configured;
 * - with no key configured at all, everything is allowed (like `func start`).
 */
export function isAuthorized(level: AuthLevel, presented: string | undefined, keys: HostKeys): boolean {
  if (level === 'anonymous') return true;
  if (keys.functionKey === undefined && keys.masterKey === undefined) return true;
  if (presented === undefined) return false;
  const isMaster = sameKey(presented, keys.masterKey);
  if (level === 'admin') return isMaster;
  return sameKey(presented, keys.functionKey) || isMaster;
}
