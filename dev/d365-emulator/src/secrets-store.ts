import { randomBytes } from 'node:crypto';

/** One version of a Key Vault secret. */
export interface SecretVersion {
  name: string;
  version: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled: boolean;
  /** Unix seconds. */
  created: number;
  updated: number;
  notBefore?: number;
  expires?: number;
}

export interface SecretProperties {
  contentType?: string;
  tags?: Record<string, string>;
  enabled?: boolean;
  notBefore?: number;
  expires?: number;
}

/** The emulated vault's secrets: every version of every secret, newest last. Names are case-insensitive. */
export interface SecretsStore {
  set(name: string, value: string, properties?: SecretProperties): SecretVersion;
  /** The newest version, or the named one. */
  get(name: string, version?: string): SecretVersion | undefined;
  versions(name: string): SecretVersion[];
  names(): string[];
}

export function createSecretsStore(): SecretsStore {
  const secrets = new Map<string, SecretVersion[]>();
  return {
    set(name, value, properties = {}) {
      const now = Math.floor(Date.now() / 1000);
      const entry: SecretVersion = {
        name: secrets.get(name.toLowerCase())?.[0]?.name ?? name,
        version: randomBytes(16).toString('hex'),
        value,
        contentType: properties.contentType,
        tags: properties.tags,
        enabled: properties.enabled ?? true,
        created: now,
        updated: now,
        notBefore: properties.notBefore,
        expires: properties.expires,
      };
      const list = secrets.get(name.toLowerCase()) ?? [];
      list.push(entry);
      secrets.set(name.toLowerCase(), list);
      return entry;
    },
    get(name, version) {
      const list = secrets.get(name.toLowerCase());
      if (!list) return undefined;
      if (version === undefined || version === '') return list[list.length - 1];
      return list.find((entry) => entry.version === version.toLowerCase());
    },
    versions(name) {
      return [...(secrets.get(name.toLowerCase()) ?? [])];
    },
    names() {
      return [...secrets.values()].map((list) => list[0]?.name ?? '').filter(Boolean);
    },
  };
}
