import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import type { EmulatorStats } from '@d365-customer-sync/d365-emulator';
import { RunningProcess, startProcess } from '@d365-customer-sync/functions-host';
import { emulatorApi } from '../dev/local-stack/emulator-clients';
import { repoRoot } from './paths';

/** The counters of `GET /_emulator/stats`: the emulator's own type. */
export type { EmulatorStats };

export interface EmulatorCustomer {
  account: string;
  legalEntity: string;
  createdAt: string;
  fields: { PrimaryContactEmail?: string };
}

export interface BenchEmulator {
  url: string;
  caCertPath: string;
  pid: number;
  reset(): Promise<void>;
  stats(): Promise<EmulatorStats>;
  customers(): Promise<EmulatorCustomer[]>;
  /** The request log of one service (`GET /_emulator/requests?service=`): arrival (`atMs`, epoch) and duration. */
  requests(service: 'd365' | 'token' | 'keyvault'): Promise<LoggedRequest[]>;
  settings(patch: { latencyMs?: number; throttle?: { ratePerSecond?: number | null } }): Promise<void>;
  addFault(rule: Record<string, unknown>): Promise<void>;
  clearFaults(): Promise<void>;
  stop(): Promise<void>;
}

/** An entry of the emulator's request log, the fields the bench reads. */
export interface LoggedRequest {
  atMs: number;
  durationMs: number | null;
  endpoint: string;
  status: number | null;
}

const READY = /^Emulator ready on (https:\/\/\S+) \(CA certificate: (.+)\)$/;

/** Trusts a CA in this process, for `fetch` to the emulator's control API. */
function trust(pem: string): void {
  const current = tls.getCACertificates('default');
  if (!current.includes(pem)) tls.setDefaultCACertificates([...current, pem]);
}

/**
 * The D365 / Entra ID / Key Vault emulator in a process of its own (so its work never shares an
 * event loop with the load generators), driven through its control API.
 */
export async function startBenchEmulator(options: {
  latencyMs: number;
  throttleRate: number;
}): Promise<BenchEmulator> {
  const main = join(repoRoot(), 'dev', 'd365-emulator', 'dist', 'main.js');
  const certDir = mkdtempSync(join(tmpdir(), 'bench-emulator-'));
  const args = [
    main,
    '--port',
    '0',
    '--quiet',
    '--cert-dir',
    certDir,
    '--latency-ms',
    String(options.latencyMs),
  ];
  if (options.throttleRate > 0) args.push('--throttle-rate', String(options.throttleRate));
  const running: RunningProcess & { matches: RegExpMatchArray[] } = await startProcess(
    process.execPath,
    args,
    {
      name: 'Emulator',
      readyPatterns: [READY],
    },
  );
  const [, url, caCertPath] = running.matches[0] as RegExpMatchArray as [string, string, string];
  trust(readFileSync(caCertPath, 'utf8'));

  const api = emulatorApi(`${url}/_emulator`, { timeoutMs: 30_000 });

  return {
    url,
    caCertPath,
    pid: running.child.pid ?? -1,
    reset: () => api('POST', '/reset'),
    stats: () => api<EmulatorStats>('GET', '/stats'),
    customers: async () => (await api<{ value: EmulatorCustomer[] }>('GET', '/customers')).value,
    requests: async (service) =>
      (await api<{ value: LoggedRequest[] }>('GET', `/requests?service=${service}`)).value,
    settings: (patch) => api('PATCH', '/settings', patch),
    addFault: (rule) => api('POST', '/faults', rule),
    clearFaults: () => api('DELETE', '/faults'),
    stop: () => running.stop(),
  };
}

/** Token requests the emulator counted for one client id (both endpoint versions). */
export const tokenRequestsFor = (stats: EmulatorStats, clientId: string): number =>
  (stats.tokenRequests.v1[clientId] ?? 0) + (stats.tokenRequests.v2[clientId] ?? 0);

/** D365 requests the emulator counted (every endpoint). */
export const d365Requests = (stats: EmulatorStats): number =>
  Object.values(stats.d365.requests).reduce((sum, n) => sum + n, 0);
