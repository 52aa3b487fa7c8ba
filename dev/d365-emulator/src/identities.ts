import { randomBytes, timingSafeEqual } from 'node:crypto';
import { UnknownClientError } from './errors';

/**
 * The emulator's well-known local identities. They exist only here and are never valid against real
 * Entra ID; the local stack hands them to the app as ordinary settings.
 */
export const LOCAL_TENANT_ID = '11111111-1111-4111-8111-111111111111';
export const LOCAL_D365_CLIENT_ID = '22222222-2222-4222-8222-222222222222';
/** The identity that stands in, locally, for the function app's managed identity when it reads Key Vault. */
export const LOCAL_KEY_VAULT_READER_CLIENT_ID = '33333333-3333-4333-8333-333333333333';
export const LOCAL_KEY_VAULT_READER_SECRET = 'local-emulator-only-not-a-secret';

/** An app registration (service principal) the emulated Entra ID knows. */
export interface Client {
  clientId: string;
  displayName: string;
  /** The only client secret currently valid. */
  secret: string;
}

export interface Identities {
  tenantId: string;
  d365ClientId: string;
  readerClientId: string;
  clients: Map<string, Client>;
}

const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~-';

/** A client secret shaped like Entra ID's: 40 characters with `Q~` after the 3-character hint. */
export function newClientSecret(): string {
  const bytes = randomBytes(40);
  const chars = [...bytes].map((byte) => SECRET_ALPHABET[byte % SECRET_ALPHABET.length] ?? 'A');
  const text = chars.join('');
  return `${text.slice(0, 3)}8Q~${text.slice(3, 37)}`;
}

export function createIdentities(tenantId: string, d365ClientId: string): Identities {
  const clients = new Map<string, Client>();
  clients.set(d365ClientId, {
    clientId: d365ClientId,
    displayName: 'd365-customer-sync',
    secret: newClientSecret(),
  });
  clients.set(LOCAL_KEY_VAULT_READER_CLIENT_ID, {
    clientId: LOCAL_KEY_VAULT_READER_CLIENT_ID,
    displayName: 'local Key Vault reader (stands in for the managed identity)',
    secret: LOCAL_KEY_VAULT_READER_SECRET,
  });
  return { tenantId, d365ClientId, readerClientId: LOCAL_KEY_VAULT_READER_CLIENT_ID, clients };
}

export type SecretCheck = 'ok' | 'unknown-client' | 'wrong-secret';

export function checkClientSecret(identities: Identities, clientId: string, secret: string): SecretCheck {
  const client = identities.clients.get(clientId.toLowerCase());
  if (!client) return 'unknown-client';
  const expected = Buffer.from(client.secret, 'utf8');
  const given = Buffer.from(secret, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'ok' : 'wrong-secret';
}

/** Replaces the D365 app's client secret: the old one stops working at once. */
export function rotateD365Secret(identities: Identities): string {
  const client = identities.clients.get(identities.d365ClientId);
  if (!client) throw new UnknownClientError(identities.d365ClientId);
  client.secret = newClientSecret();
  return client.secret;
}
