import { DEFAULT_ADDRESS_REFERENCE } from './address-reference';
import { createTelemetryStore } from './app-insights';
import { BoundedLog } from './bounded-log';
import { createCustomersStore, CustomersStore } from './customers-store';
import { createFaults, Faults } from './faults';
import { createPostalAddressesStore, PostalAddressesStore } from './postal-addresses-store';
import { ContactPersonsStore, createContactPersonsStore } from './contact-persons-store';
import { createIdentities, Identities } from './identities';
import { SigningKey } from './jwt';
import { ResolvedOptions } from './options';
import { createRng, Rng } from './random';
import { createRequestLog, RequestLog } from './request-log';
import { createSecretsStore, SecretsStore } from './secrets-store';
import { Settings } from './settings';
import { createShopsState, ShopsState } from './shops/shops-control';
import { createDataEventsState, DataEventsState } from './data-events';
import { createStats, Stats } from './stats';
import { createThrottle, Throttle } from './throttle';

/** Everything the emulator remembers while it runs. */
export interface EmulatorState {
  options: ResolvedOptions;
  /** `https://127.0.0.1:PORT` (set once listening). */
  url: string;
  port: number;
  /** Base URLs D365 answers to (its token audiences), normalized. */
  d365Audiences: Set<string>;
  identities: Identities;
  signingKey: SigningKey;
  secrets: SecretsStore;
  customers: CustomersStore;
  /** The customers' postal addresses (CustomerPostalAddresses). */
  postalAddresses: PostalAddressesStore;
  /** Contact persons of customers (CDSContactPersonsV2). */
  contactPersons: ContactPersonsStore;
  faults: Faults;
  throttle: Throttle;
  stats: Stats;
  settings: Settings;
  rng: Rng;
  /** Entra ID, Key Vault and D365 requests in arrival order (`GET /_emulator/requests`). */
  requestLog: RequestLog;
  /** Application Insights envelopes received (`GET /_emulator/telemetry`). */
  telemetry: BoundedLog<unknown>;
  /** The emulated Shopify shops and BigCommerce stores. */
  shops: ShopsState;
  /** F&O data events for CustomersV3 (`/_emulator/data-events`). */
  dataEvents: DataEventsState;
}

export const KEY_VAULT_RESOURCE = 'https://vault.azure.net';

/** Resource identifiers compare without trailing slashes and with the scheme and host in lower case. */
export function normalizeResource(resource: string): string {
  const trimmed = resource.trim().replace(/\/+$/, '');
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/]+)(.*)$/i.exec(trimmed);
  return match ? `${(match[1] ?? '').toLowerCase()}${match[2] ?? ''}` : trimmed;
}

export function createState(options: ResolvedOptions, signingKey: SigningKey): EmulatorState {
  const rng = createRng(options.randomSeed);
  return {
    options,
    url: '',
    port: 0,
    d365Audiences: new Set(),
    identities: createIdentities(options.tenantId, options.d365ClientId),
    signingKey,
    secrets: createSecretsStore(),
    customers: createCustomersStore(),
    postalAddresses: createPostalAddressesStore(),
    contactPersons: createContactPersonsStore(),
    faults: createFaults(),
    throttle: createThrottle(options.throttle),
    stats: createStats(),
    settings: {
      throttle: { ...options.throttle },
      customServiceResponse: 'object',
      accountField: 'CustomerAccount',
      unregisteredClientIds: [],
      latencyMs: options.latencyMs,
      tokenLifetimeSeconds: options.tokenLifetimeSeconds,
      randomSeed: rng.seed,
      addressReference: structuredClone(DEFAULT_ADDRESS_REFERENCE),
      manualNumberSequences: [],
      lengthenRetryAfter: true,
      customServiceStoresEmail: true,
      pageSize: ODATA_PAGE_SIZE,
      access: {
        keyVaultReaders: options.keyVaultReaders,
        expiredSecretClientIds: [],
        forbiddenClientIds: [],
      },
    },
    rng,
    requestLog: createRequestLog(options.requestLogLimit),
    telemetry: createTelemetryStore(options.telemetryLimit),
    shops: createShopsState(),
    dataEvents: createDataEventsState(),
  };
}

/** F&O's OData page size for server-driven paging (README, Strictness, for the source). */
export const ODATA_PAGE_SIZE = 10_000;

/** Called once the port is known. */
export function setListening(state: EmulatorState, host: string, port: number): void {
  const hostForUrl = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  const formatted = hostForUrl.includes(':') ? `[${hostForUrl}]` : hostForUrl;
  state.port = port;
  state.url = `https://${formatted}:${port}`;
  state.d365Audiences = new Set(
    [state.url, `https://127.0.0.1:${port}`, `https://localhost:${port}`].map(normalizeResource),
  );
}
