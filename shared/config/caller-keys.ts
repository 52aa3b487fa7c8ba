import { z } from 'zod';
import { PERMISSIONS } from '../domain/ownership';
import { jsonArraySetting } from './json-setting';

/**
 * `CALLER_KEYS` (CALLER_AUTH=keys): the callers behind named function keys, so that references,
 * rate limits, callback secrets and request ownership are per caller in keys mode too. Each entry
 * names a caller, the SHA-256 of its function key's value (never the key itself: app settings are
 * readable by more people than the keys) and the permissions it holds (domain/ownership.ts). A
 * name that is also a WEBHOOK_SOURCES name shares that source's reference namespace (one key per
 * source). Empty: every key is the one shared caller (the behaviour before callers had names).
 */
const callerKey = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'name must be 1-40 lower-case letters, digits and dashes'),
  keySha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'keySha256 must be the SHA-256 of the key, 64 lower-case hex digits'),
  roles: z.array(z.enum(PERMISSIONS)).min(1).default(['create', 'read']),
});
export type CallerKey = z.infer<typeof callerKey>;

export const callerKeysSetting = jsonArraySetting('named keys', callerKey)
  .refine((keys) => new Set(keys.map((k) => k.name)).size === keys.length, 'key names must be unique')
  .refine(
    (keys) => new Set(keys.map((k) => k.keySha256)).size === keys.length,
    'each key must be listed once (two names with the same keySha256)',
  );

/**
 * `CALLER_WEIGHTS`: fair-sharing weights (shared/domain/fair-share.ts) by caller ID, as a JSON
 * object; callers it does not name weigh 1.
 */
export const callerWeightsSetting = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of caller ID to weight' });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(z.string().min(1).max(200), z.number().min(0.1).max(16), {
      message: 'must be a JSON object of caller ID to weight (0.1 to 16)',
    }),
  );
