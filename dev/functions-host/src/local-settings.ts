import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalSettings {
  values: Record<string, string>;
  localHttpPort?: number;
}

/** local.settings.json cannot be used; keeps the file's path. */
export class LocalSettingsError extends Error {
  override readonly name = 'LocalSettingsError';
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

/** Reads `<appDir>/local.settings.json` (optional, as for `func start`). */
export function readLocalSettings(appDir: string): LocalSettings | undefined {
  const path = join(appDir, 'local.settings.json');
  if (!existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new LocalSettingsError(`local.settings.json is not valid JSON: ${(error as Error).message}`, path);
  }
  if (typeof json !== 'object' || json === null)
    throw new LocalSettingsError('local.settings.json must hold an object', path);
  const { IsEncrypted, Values, Host } = json as { IsEncrypted?: unknown; Values?: unknown; Host?: unknown };
  if (IsEncrypted === true) {
    throw new LocalSettingsError(
      'local.settings.json is encrypted ("IsEncrypted": true); this host reads plain values only',
      path,
    );
  }
  const values: Record<string, string> = {};
  if (Values !== undefined) {
    if (typeof Values !== 'object' || Values === null || Array.isArray(Values)) {
      throw new LocalSettingsError('local.settings.json: "Values" must be an object of strings', path);
    }
    for (const [key, value] of Object.entries(Values)) {
      if (typeof value === 'string') values[key] = value;
      else if (typeof value === 'number' || typeof value === 'boolean') values[key] = String(value);
      else throw new LocalSettingsError(`local.settings.json: Values.${key} must be a string`, path);
    }
  }
  let localHttpPort: number | undefined;
  const port = (Host as { LocalHttpPort?: unknown } | undefined)?.LocalHttpPort;
  if (port !== undefined) {
    const number = Number(port);
    if (!Number.isInteger(number) || number < 0 || number > 65535) {
      throw new LocalSettingsError(
        `local.settings.json: Host.LocalHttpPort must be a port number (got ${JSON.stringify(port)})`,
        path,
      );
    }
    localHttpPort = number;
  }
  return { values, localHttpPort };
}

/**
 * Copies `Values` into the environment as `func start` does: a variable that is already set in
 * the environment wins, and is reported. Returns the names that were skipped.
 */
export function applyLocalSettings(
  settings: LocalSettings,
  env: NodeJS.ProcessEnv,
  report: (line: string) => void,
): string[] {
  const skipped: string[] = [];
  for (const [key, value] of Object.entries(settings.values)) {
    if (env[key] !== undefined) {
      skipped.push(key);
      report(
        `Skipping '${key}' from local settings as it's already defined in current environment variables.`,
      );
    } else {
      env[key] = value;
    }
  }
  return skipped;
}
