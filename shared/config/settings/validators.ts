/** The validators and the shape every setting of the catalogue shares. */
import { z } from 'zod';

export const positiveInt = z.coerce
  .number({ message: 'must be a whole number greater than 0' })
  .int({ message: 'must be a whole number greater than 0' })
  .positive({ message: 'must be a whole number greater than 0' });
export const nonNegativeInt = z.coerce
  .number({ message: 'must be a whole number, 0 or more' })
  .int({ message: 'must be a whole number, 0 or more' })
  .min(0, { message: 'must be a whole number, 0 or more' });
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { message: `must be one of ${values.join(', ')}` });
export const httpsUrl = z
  .url({ protocol: /^https$/, message: 'must be an https:// URL' })
  .transform((value) => value.replace(/\/+$/, ''));
export const guid = z.guid({ message: 'must be a GUID (Entra ID tenant or application ID)' });
export const queueName = z
  .string()
  .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'must be a valid Azure Storage queue name');
/** A comma-separated list (blank entries dropped), each entry checked by `entry`. */
export const commaList = (entry: z.ZodType<string, string>) =>
  z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(entry));
export const callbackHost = z
  .string()
  .regex(
    /^(\*\.)?[a-z0-9.-]+(:(\d{1,5}|\*))?$|^\[[0-9a-f:.]+\](:(\d{1,5}|\*))?$/i,
    'must list host names (`hooks.example.com`, `*.example.com`), each with an optional `:port`',
  );
export const ipAddress = z.union([z.ipv4(), z.ipv6()], { message: 'must list IP addresses' });
export const tableName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a valid Azure Storage table name');

export interface SettingDefinition {
  /** The app setting / environment variable name. */
  name: string;
  /** What it is for, as the README's table says it. */
  description: string;
  /** Used when the setting is absent. `undefined` means the setting is required. */
  default?: string;
  /**
   * What `local.settings.sample.json` sets it to for the local stack. Absent for the settings the
   * local stack takes from the emulator it starts (its URL and its well-known identities).
   */
  local?: string;
  /** Set by the Bicep template in Azure (false for local-only settings). */
  azure: boolean;
  schema: z.ZodType;
}

/** Keeps each setting's literal name and validator type, so the loader's values are typed without casts. */
export const define = <const S extends SettingDefinition>(setting: S): S => setting;
