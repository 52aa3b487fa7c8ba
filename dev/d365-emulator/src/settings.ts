import { z } from 'zod';

/** Behaviour that can change while the emulator runs (`GET`/`PATCH /_emulator/settings`). */
export interface Settings {
  /** D365 throttle model; `null` turns a limit off. */
  throttle: { ratePerSecond: number | null; concurrency: number | null };
  /** What the custom service returns on success: `{"$id":"1","CustomerAccount":...}` or a bare JSON string. */
  customServiceResponse: 'object' | 'string';
  /** Name of the field carrying the new account in the object answer. */
  accountField: string;
  /** Client ids D365 treats as not registered (System administration > Microsoft Entra applications): 403. */
  unregisteredClientIds: string[];
  /** Latency added to every D365 request (ms). */
  latencyMs: number;
  /** Lifetime of tokens issued from now on (seconds). */
  tokenLifetimeSeconds: number;
  /** Seed of the random numbers behind `probability` faults (setting it restarts the sequence). */
  randomSeed: number;
}

const limit = z.number().positive().nullable();

export const settingsPatchSchema = z
  .object({
    throttle: z
      .object({ ratePerSecond: limit.optional(), concurrency: limit.optional() })
      .strict()
      .optional(),
    customServiceResponse: z.enum(['object', 'string']).optional(),
    accountField: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a property name')
      .optional(),
    unregisteredClientIds: z.array(z.string().min(1)).optional(),
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    tokenLifetimeSeconds: z.number().int().positive().optional(),
    randomSeed: z.number().int().min(0).optional(),
  })
  .strict();

export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export function applySettingsPatch(settings: Settings, patch: SettingsPatch): Settings {
  return {
    throttle: {
      ratePerSecond:
        patch.throttle?.ratePerSecond === undefined
          ? settings.throttle.ratePerSecond
          : patch.throttle.ratePerSecond,
      concurrency:
        patch.throttle?.concurrency === undefined
          ? settings.throttle.concurrency
          : patch.throttle.concurrency,
    },
    customServiceResponse: patch.customServiceResponse ?? settings.customServiceResponse,
    accountField: patch.accountField ?? settings.accountField,
    unregisteredClientIds: (patch.unregisteredClientIds ?? settings.unregisteredClientIds).map((id) =>
      id.toLowerCase(),
    ),
    latencyMs: patch.latencyMs ?? settings.latencyMs,
    tokenLifetimeSeconds: patch.tokenLifetimeSeconds ?? settings.tokenLifetimeSeconds,
    randomSeed: patch.randomSeed ?? settings.randomSeed,
  };
}
