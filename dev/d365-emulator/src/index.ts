import { once } from 'node:events';
import { AddressInfo } from 'node:net';
import { createTlsMaterial, writeCaCertificate } from './certificate';
import {
  publicSettings,
  requestLogAnswer,
  resetState,
  rotateSecret,
  statsSnapshot,
  telemetryAnswer,
} from './control-api';
import { CustomerRecord } from './customers-store';
import { FaultRule, FaultRuleInput } from './faults';
import { createSigningKey } from './jwt';
import { EmulatorOptions, resolveOptions } from './options';
import { RequestLogEntry } from './request-log';
import { createEmulatorServer } from './server';
import { Settings } from './settings';
import { createState, setListening } from './state';

export type { EmulatorOptions, ThrottleOptions } from './options';
export { DEFAULT_PORT } from './options';
/** A throw-away CA and server certificate, for other loopback HTTPS servers in tests (callback receivers). */
export { createTlsMaterial } from './certificate';
export type { TlsMaterial } from './certificate';
export type { Settings } from './settings';
export type { FaultRule, FaultRuleInput } from './faults';
export type { CustomerRecord } from './customers-store';
export type { RequestLogEntry } from './request-log';
export type { Stats as EmulatorStats } from './stats';
export { formatAccount } from './customers-store';
export type { AppliedUpdate, CustomerUpdates } from './customers-store';
export { auditUpdates } from './update-audit';
export type { AuditedCustomer, CustomerAuditFinding, SentUpdates, UpdateAuditReport } from './update-audit';
export { InvalidOptionError, UnknownClientError, UnknownFilterValueError } from './errors';
export { KEY_VAULT_RESOURCE } from './state';
export {
  LOCAL_D365_CLIENT_ID,
  LOCAL_KEY_VAULT_READER_CLIENT_ID,
  LOCAL_KEY_VAULT_READER_SECRET,
  LOCAL_TENANT_ID,
} from './identities';

/** A running emulator. Everything but `url`, `caCertPem`/`caCertPath` and `stop` is a convenience for tests. */
export interface RunningEmulator {
  /** `https://127.0.0.1:PORT`: the Entra ID authority host, the Key Vault URL and the D365 URL at once. */
  url: string;
  port: number;
  tenantId: string;
  d365ClientId: string;
  secretName: string;
  /** PEM of the CA that signed the server certificate. */
  caCertPem: string;
  /** `ca.pem` on disk (usable as NODE_EXTRA_CA_CERTS). */
  caCertPath: string;
  /** The D365 app's current client secret (tests only; the app learns it from Key Vault). */
  currentClientSecret(): string;
  /** Same as `POST /_emulator/rotate-secret`. */
  rotateSecret(): { version: string };
  /** Same as `GET /_emulator/customers` (records include the OData RecId). */
  customers(): CustomerRecord[];
  addFault(rule: FaultRuleInput): FaultRule;
  clearFaults(): void;
  settings(): Settings;
  /** Same as `GET /_emulator/stats`. */
  stats(): Record<string, unknown>;
  /** Same as `POST /_emulator/reset`. */
  reset(): void;
  /** Same as `GET /_emulator/requests` (`service`, `endpoint`: one value or several). */
  requests(filter?: { service?: string | string[]; endpoint?: string | string[] }): RequestLogEntry[];
  /** Same as `GET /_emulator/telemetry`: the Application Insights envelopes received, oldest first. */
  telemetry(filter?: { baseType?: string | string[] }): unknown[];
  /** Same as `DELETE /_emulator/telemetry`. */
  clearTelemetry(): void;
  stop(): Promise<void>;
}

/**
 * Starts one HTTPS server that stands in for Microsoft Entra ID, Azure Key Vault and Dynamics 365
 * Finance & Operations (see README.md). Resolves once it listens.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const resolved = resolveOptions(options);
  const [tls, signingKey] = await Promise.all([createTlsMaterial([resolved.host]), createSigningKey()]);
  const caCertPath = await writeCaCertificate(tls.caCertPem, resolved.certDir);
  const state = createState(resolved, signingKey);
  const emulator = createEmulatorServer(state, { key: tls.keyPem, cert: tls.certPem });

  emulator.server.listen(resolved.port, resolved.host);
  await Promise.race([
    once(emulator.server, 'listening'),
    once(emulator.server, 'error').then(([error]) => Promise.reject(error as Error)),
  ]);
  const { port } = emulator.server.address() as AddressInfo;
  setListening(state, resolved.host, port);

  // The D365 app's first secret, known only to Entra ID and the vault.
  state.secrets.set(resolved.secretName, state.identities.clients.get(resolved.d365ClientId)?.secret ?? '');

  let stopped: Promise<void> | undefined;
  return {
    url: state.url,
    port,
    tenantId: resolved.tenantId,
    d365ClientId: resolved.d365ClientId,
    secretName: resolved.secretName,
    caCertPem: tls.caCertPem,
    caCertPath,
    currentClientSecret: () => state.identities.clients.get(resolved.d365ClientId)?.secret ?? '',
    rotateSecret: () => rotateSecret(state),
    customers: () => state.customers.all(),
    addFault: (rule) => state.faults.add(rule),
    clearFaults: () => state.faults.clear(),
    settings: () => publicSettings(state) as unknown as Settings,
    stats: () => statsSnapshot(state),
    reset: () => resetState(state),
    requests: (filter = {}) => {
      const answer = requestLogAnswer(state, filterUrl(filter));
      if (!answer.ok) throw answer.error;
      return answer.value;
    },
    telemetry: (filter = {}) => telemetryAnswer(state, filterUrl(filter)).value,
    clearTelemetry: () => state.telemetry.clear(),
    stop: () => (stopped ??= emulator.close()),
  };
}

/** A control API URL carrying the filter as query parameters (the conveniences share its parsing). */
function filterUrl(filter: Record<string, string | string[] | undefined>): URL {
  const url = new URL('https://emulator.invalid/');
  for (const [name, value] of Object.entries(filter)) {
    for (const item of value === undefined ? [] : [value].flat()) url.searchParams.append(name, item);
  }
  return url;
}
