import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { EmulatorOptions, RunningEmulator, startEmulator } from '../../src';
import { LOCAL_KEY_VAULT_READER_CLIENT_ID, LOCAL_KEY_VAULT_READER_SECRET } from '../../src/identities';

export const CREATE_CUSTOMER_PATH =
  '/api/services/CreateCustomerServiceGroup/CreateCustomerService/CreateCustomer';
export const KEY_VAULT_RESOURCE = 'https://vault.azure.net';
export {
  LOCAL_KEY_VAULT_READER_CLIENT_ID as READER_CLIENT_ID,
  LOCAL_KEY_VAULT_READER_SECRET as READER_SECRET,
};

/** Makes this process trust the emulator's CA, as NODE_EXTRA_CA_CERTS does for the app. */
export function trustCertificate(pem: string): void {
  const current = tls.getCACertificates('default');
  if (!current.includes(pem)) tls.setDefaultCACertificates([...current, pem]);
}

/** A private emulator for one test file (its faults and settings do not leak into other tests). */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = await startEmulator({ host: '127.0.0.1', port: 0, ...options });
  trustCertificate(emulator.caCertPem);
  return emulator;
}

/** The emulator of `useEmulator` was used outside the tests of its file (before its `beforeAll`). */
export class EmulatorNotStartedError extends Error {
  override readonly name = 'EmulatorNotStartedError';

  constructor(readonly property: string) {
    super(`the test emulator is not running yet (reading '${property}' outside a test or hook)`);
  }
}

/**
 * A private emulator for the tests of one file or `describe` block: started before them, stopped after
 * them. The value returned stands for it at once (it forwards to the emulator once started), so the
 * tests read `emulator.url` and call `call(emulator, ...)` as with an emulator of their own.
 */
export function useEmulator(options: EmulatorOptions = {}): RunningEmulator {
  let running: RunningEmulator | undefined;
  beforeAll(async () => {
    running = await startTestEmulator(options);
  });
  afterAll(async () => {
    await running?.stop();
    running = undefined;
  });
  return new Proxy({} as RunningEmulator, {
    get(_target, property) {
      if (!running) throw new EmulatorNotStartedError(String(property));
      return Reflect.get(running, property) as unknown;
    },
  });
}

/** Clears the fault rules and puts throttle and latency back to off (between tests sharing an emulator). */
export async function restoreDefaults(emulator: RunningEmulator): Promise<void> {
  expect((await call(emulator, 'DELETE', '/_emulator/faults')).status).toBe(204);
  const settings = await call(emulator, 'PATCH', '/_emulator/settings', {
    body: { throttle: { ratePerSecond: null, concurrency: null }, latencyMs: 0 },
  });
  expect(settings.status).toBe(200);
}

/** Adds a fault rule through the control API (which answers 201 with the rule). */
export async function addFault<T = Record<string, unknown>>(
  emulator: RunningEmulator,
  rule: Record<string, unknown>,
): Promise<T> {
  const answer = await call<T>(emulator, 'POST', '/_emulator/faults', { body: rule });
  expect(answer.status).toBe(201);
  return answer.body;
}

/** A sample payload from test/fixtures (a fresh copy each time). */
export function fixture(name: 'seed-customer-full' | 'seed-customer-minimal'): {
  Customer: Record<string, unknown>;
} {
  const file = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', `${name}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as { Customer: Record<string, unknown> };
}

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

async function toJson<T>(response: Response): Promise<JsonResponse<T>> {
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

/** A JSON request to the emulator. */
export async function call<T = Record<string, unknown>>(
  emulator: RunningEmulator,
  method: string,
  pathAndQuery: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${emulator.url}${pathAndQuery}`, {
    method,
    headers,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
    signal: options.signal ?? AbortSignal.timeout(30_000),
  });
  return toJson<T>(response);
}

/** A client-credentials token from the v1 endpoint (form post, as the source article does). */
export async function v1Token(
  emulator: RunningEmulator,
  clientId: string,
  secret: string,
  resource: string,
): Promise<JsonResponse> {
  const response = await fetch(`${emulator.url}/${emulator.tenantId}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
      resource,
    }),
    signal: AbortSignal.timeout(30_000),
  });
  return toJson(response);
}

/** The v1 token answer for the D365 app with its current secret (default resource: D365 itself). */
export const d365TokenAnswer = (emulator: RunningEmulator, resource = emulator.url): Promise<JsonResponse> =>
  v1Token(emulator, emulator.d365ClientId, emulator.currentClientSecret(), resource);

/** A D365 access token for the D365 app with its current secret. */
export async function d365Token(emulator: RunningEmulator): Promise<string> {
  const answer = await d365TokenAnswer(emulator);
  if (answer.status !== 200) throw new Error(`token request failed: ${answer.text}`);
  return String(answer.body.access_token);
}

/** A Key Vault access token for the reader identity. */
export async function keyVaultToken(emulator: RunningEmulator): Promise<string> {
  const answer = await v1Token(
    emulator,
    LOCAL_KEY_VAULT_READER_CLIENT_ID,
    LOCAL_KEY_VAULT_READER_SECRET,
    KEY_VAULT_RESOURCE,
  );
  if (answer.status !== 200) throw new Error(`token request failed: ${answer.text}`);
  return String(answer.body.access_token);
}

/** The JWT's claims (no verification). */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A customer payload with a customer group (the fixtures have none; F&O requires one). */
export function customerPayload(
  overrides: Record<string, unknown> = {},
  name: 'seed-customer-full' | 'seed-customer-minimal' = 'seed-customer-minimal',
): { Customer: Record<string, unknown> } {
  const payload = fixture(name);
  return { Customer: { ...payload.Customer, CustomerGroup: '30', ...overrides } };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Settles to 'pending' if `promise` has not settled within `ms` (the promise itself keeps going). */
export const stillPendingAfter = (promise: Promise<unknown>, ms: number): Promise<unknown> =>
  Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve('pending'), ms))]);
