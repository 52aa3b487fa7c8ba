/**
 * Resolves a binding's `connection` the way the Functions host does for Storage: the name of an
 * app setting (environment variable) that holds a connection string. The host first looks for
 * `AzureWebJobs<name>`, then `<name>`; an empty `connection` means `AzureWebJobsStorage`.
 * `UseDevelopmentStorage=true` means the local emulator (Azurite) at its default endpoints.
 */

/** A binding's `connection` cannot be resolved to a connection string; keeps what was asked for. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  /** The setting name the binding's `connection` resolved to (e.g. "AzureWebJobsStorage"). */
  readonly connection: string;
  /** Who needed it, e.g. `Function "processCustomer"`. */
  readonly usedBy: string;
  constructor(message: string, context: { connection: string; usedBy: string }) {
    super(message);
    this.connection = context.connection;
    this.usedBy = context.usedBy;
  }
}

export interface ResolvedConnection {
  /** The setting the value came from. */
  settingName: string;
  connectionString: string;
}

export function resolveStorageConnection(
  connection: string | undefined,
  env: NodeJS.ProcessEnv,
  usedBy: string,
): ResolvedConnection {
  const given = connection?.trim() || 'AzureWebJobsStorage';
  // "Storage" and "AzureWebJobsStorage" name the same setting.
  const name = given === 'Storage' ? 'AzureWebJobsStorage' : given;
  const candidates = name.toLowerCase().startsWith('azurewebjobs') ? [name] : [`AzureWebJobs${name}`, name];
  for (const settingName of candidates) {
    const value = env[settingName] ?? env[`ConnectionStrings__${settingName}`];
    if (value !== undefined && value.trim() !== '') return { settingName, connectionString: value.trim() };
  }
  const identityKeys = Object.keys(env).filter((key) =>
    candidates.some((c) => key.toLowerCase().startsWith(`${c.toLowerCase()}__`)),
  );
  if (identityKeys.length > 0) {
    throw new ConnectionError(
      `${usedBy}: connection "${name}" is configured as an identity-based connection (${identityKeys.join(', ')}), ` +
        'which this local host does not support; set it to a connection string (e.g. UseDevelopmentStorage=true)',
      { connection: name, usedBy },
    );
  }
  const wanted = name.toLowerCase().startsWith('azurewebjobs')
    ? `"${name}"`
    : `"${name}" (or "AzureWebJobs${name}")`;
  throw new ConnectionError(
    `${usedBy}: the app setting ${wanted} holding the Storage connection string is missing; ` +
      'add it to local.settings.json Values or the environment (UseDevelopmentStorage=true means Azurite)',
    { connection: name, usedBy },
  );
}
