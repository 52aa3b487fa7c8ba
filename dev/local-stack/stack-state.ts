import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What one run of `npm start` wrote for the commands that try it (`npm run callbacks`,
 * `npm run webhook`) and for Postman: `.local/stack.json`. Kept free of heavy imports, so the
 * commands start at once.
 */

/** Where `npm start` keeps what it writes: `LOCAL_STACK_DIR`, else `.local` in the app's folder. */
export function localStackDir(appDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.LOCAL_STACK_DIR?.trim() || join(appDir, '.local');
}

/** The port of `npm run callbacks`: `CALLBACK_RECEIVER_PORT`, default 7444. */
export function callbackReceiverPort(env: NodeJS.ProcessEnv = process.env): number {
  const port = Number(env.CALLBACK_RECEIVER_PORT?.trim() || 7444);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `CALLBACK_RECEIVER_PORT must be a port number; got ${JSON.stringify(env.CALLBACK_RECEIVER_PORT)}`,
    );
  }
  return port;
}

/** One webhook source as the commands need it: its settings and its secrets' values. */
export interface SeededSource {
  kind: 'shopify' | 'bigcommerce' | 'standard';
  name: string;
  /** The value of the source's `secretName` in the emulator's Key Vault. */
  secret: string;
  shopDomain?: string;
  storeHash?: string;
}

/** `.local/stack.json`: this run of `npm start`, for `npm run callbacks` / `npm run webhook` and Postman. */
export interface StackState {
  /** The Functions host's base URL, with `/api`. */
  apiUrl: string;
  emulatorUrl?: string;
  /** The emulator's CA (what curl's --cacert and newman's --ssl-extra-ca-certs need). */
  emulatorCaPath?: string;
  functionKey?: string;
  masterKey?: string;
  callbacks?: {
    secretName: string;
    /** The `whsec_` secret the app signs callbacks with (a receiver verifies with it). */
    secret: string;
    receiverCertPath: string;
    receiverKeyPath: string;
  };
  webhooks: SeededSource[];
  /** The emulator's D365 app registration, for the Postman collection's "D365 directly" folder. */
  d365?: { tenantId: string; clientId: string; clientSecret: string };
}

export const stateFile = (dir: string): string => join(dir, 'stack.json');

export function writeState(dir: string, state: StackState): string {
  mkdirSync(dir, { recursive: true });
  const file = stateFile(dir);
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return file;
}

/** The state of the running `npm start`, or an error that says to start it. */
export function readState(dir: string): StackState {
  const file = stateFile(dir);
  if (!existsSync(file)) {
    throw new Error(`${file} does not exist: start the local stack first (npm start).`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as StackState;
}
