import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AppStack, startAppStack } from './app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';
import { principalHeader } from './principal';
import { CallbackReceiver, newCallbackSecret, startCallbackReceiver } from './callback-receiver';
import { emulatorVault } from '../../dev/local-stack/emulator-clients';

/**
 * The cross-caller test matrix of issue 24 (SECURITY.md, "Who may do what"): three callers — a
 * POS (staff, updates by account) and two shops or integrators — in one caller mode, each acting
 * on every caller's customers. Every cell is one request; a forbidden cell must answer 403 or 404,
 * store nothing, change nothing in D365 (the emulator's customer and its update history) and name
 * no other caller (principal, reference, or an account it may not know); an allowed one must work.
 */
export type CallerMode = 'keys' | 'app-service';
export type CallerName = 'pos' | 'shopA' | 'shopB';
export const CALLER_NAMES: CallerName[] = ['pos', 'shopA', 'shopB'];

export interface MatrixCaller {
  name: CallerName;
  /** What identifies it in the app (a key name, an Entra object ID): never in another caller's answer. */
  identity: string;
  headers: Record<string, string>;
  /** Its references start with this (so a leak of one is found by its prefix). */
  referencePrefix: string;
}

export interface MatrixStack {
  stack: AppStack;
  callers: Record<CallerName, MatrixCaller>;
  /** The master key (and, with app-service, an operator's principal). */
  operator: Record<string, string>;
  /** F&O's own function key (its data events), named in CALLER_KEYS with `accounts` in both modes. */
  fo: Record<string, string>;
  /** One HTTPS callback receiver per caller, verifying with that caller's own secret (once read). */
  receivers: Record<CallerName, CallbackReceiver>;
  /** Each caller's callback secrets, as `GET /api/callbacks/secret` gave them. */
  secrets: Partial<Record<CallerName, string[]>>;
}

const run = randomBytes(3).toString('hex');

/** Starts one stack in `mode` with the three callers (and an operator) configured. */
export async function startMatrixStack(mode: CallerMode, settings: Record<string, string> = {}) {
  const master = `master-${randomBytes(12).toString('hex')}`;
  const names: Record<CallerName, string> = {
    pos: `pos-${run}`,
    shopA: `shop-a-${run}`,
    shopB: `shop-b-${run}`,
  };
  const keys = Object.fromEntries(
    CALLER_NAMES.map((name) => [name, `key-${name}-${randomBytes(16).toString('hex')}`]),
  ) as Record<CallerName, string>;
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const foKey = `key-fo-${randomBytes(16).toString('hex')}`;
  const foEntry = { name: `fo-${run}`, keySha256: sha256(foKey), roles: ['accounts'] };
  const oid = (n: number) => `24242424-${run.slice(0, 4)}-4aaa-8aaa-00000000000${n}`;
  const posRoles = ['create', 'read', 'accounts', 'staff'] as const;
  const entraRoles = {
    pos: ['Customers.Create', 'Customers.Read', 'Customers.UpdateByAccount', 'Customers.Staff'],
    shop: ['Customers.Create', 'Customers.Read'],
  };
  const modeSettings: Record<string, string> =
    mode === 'keys'
      ? {
          CALLER_AUTH: 'keys',
          DEV_FUNCTION_KEYS: JSON.stringify({
            ...Object.fromEntries(CALLER_NAMES.map((n) => [names[n], keys[n]])),
            [foEntry.name]: foKey,
          }),
          DEV_MASTER_KEY: master,
          CALLER_KEYS: JSON.stringify([
            ...CALLER_NAMES.map((n) => ({
              name: names[n],
              keySha256: sha256(keys[n]),
              roles: n === 'pos' ? posRoles : ['create', 'read'],
            })),
            // The master key as an operator on the customer routes (reading any request).
            { name: `operators-${run}`, keySha256: sha256(master), roles: ['operator'] },
            foEntry,
          ]),
        }
      : {
          CALLER_AUTH: 'app-service',
          DEV_FUNCTION_KEY: keys.shopA,
          DEV_MASTER_KEY: master,
          // F&O's key: the one caller of the data events route, which App Service Authentication leaves out.
          DEV_FUNCTION_KEYS: JSON.stringify({ [foEntry.name]: foKey }),
          CALLER_KEYS: JSON.stringify([foEntry]),
        };
  const callers = Object.fromEntries(
    CALLER_NAMES.map((n, i) => {
      const identity = mode === 'keys' ? names[n] : oid(i + 1);
      const headers: Record<string, string> =
        mode === 'keys'
          ? { 'x-functions-key': keys[n] }
          : {
              'x-functions-key': keys.shopA,
              'x-ms-client-principal': principalHeader(
                identity,
                n === 'pos' ? entraRoles.pos : entraRoles.shop,
              ),
            };
      return [n, { name: n, identity, headers, referencePrefix: `${n}-${run}-` }];
    }),
  ) as Record<CallerName, MatrixCaller>;
  const operator: Record<string, string> =
    mode === 'keys'
      ? { 'x-functions-key': master }
      : {
          'x-functions-key': master,
          'x-ms-client-principal': principalHeader(oid(9), ['Customers.Operate']),
        };
  const secrets: MatrixStack['secrets'] = {};
  const receivers = {} as Record<CallerName, CallbackReceiver>;
  for (const n of CALLER_NAMES)
    receivers[n] = await startCallbackReceiver(() => secrets[n]?.[0] ?? 'whsec_AA==');
  const ports = CALLER_NAMES.map((n) => `127.0.0.1:${receivers[n].port}`).join(',');
  const stack = await startAppStack({
    extraCaCertPems: CALLER_NAMES.map((n) => receivers[n].caCertPem),
    settings: {
      DUPLICATE_POLICY: 'link',
      // A shop of USRT: F&O's data events are of its legal entity; the CSV backfill loads into it.
      WEBHOOK_SOURCES: JSON.stringify([
        {
          kind: 'shopify',
          name: 'matrix-shop',
          shopDomain: 'matrix-shop.myshopify.com',
          secretName: 'webhook-matrix-shop',
          legalEntity: 'USRT',
          currency: 'USD',
          writeBack: false,
        },
      ]),
      CALLBACK_ALLOWED_HOSTS: ports,
      CALLBACK_ALLOWED_PRIVATE_ADDRESSES: '127.0.0.1',
      ...modeSettings,
      ...settings,
    },
  });
  await emulatorVault(stack.emulator.url).setSecret('callback-signing-secret', newCallbackSecret());
  await emulatorVault(stack.emulator.url).setSecret(
    'webhook-matrix-shop',
    `shpss_${randomBytes(16).toString('hex')}`,
  );
  const fo = { 'x-functions-key': foKey };
  return { stack, callers, operator, fo, receivers, secrets } satisfies MatrixStack;
}

export interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown>;
}

export async function call(
  stack: AppStack,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer> {
  const response = await fetch(`${stack.url}${path}`, {
    method,
    headers: {
      ...(body !== undefined && {
        'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
      }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = {};
  }
  return { status: response.status, text, json };
}

/** A customer a caller created, with everything that identifies it. */
export interface Owned {
  owner: CallerName;
  reference: string;
  email: string;
  account: string;
  correlationId: string;
}

export async function createAs(m: MatrixStack, who: CallerName, email?: string): Promise<Owned> {
  const reference = `${m.callers[who].referencePrefix}${randomUUID().slice(0, 8)}`;
  const body = sampleCustomer('full');
  body.Customer.EmailAddress = email ?? `matrix.${randomUUID().slice(0, 12)}@example.com`;
  const answer = await call(
    m.stack,
    'POST',
    '/api/customers',
    { ...m.callers[who].headers, 'customer-reference': reference, prefer: 'wait=20' },
    body,
  );
  if (answer.status !== 201) throw new Error(`create as ${who}: ${answer.status} ${answer.text}`);
  return {
    owner: who,
    reference,
    email: body.Customer.EmailAddress as string,
    account: answer.json.customerAccount as string,
    correlationId: answer.json.correlationId as string,
  };
}

interface D365Customer {
  fields: Record<string, unknown>;
  updates: { history: unknown[] };
}

/** What D365 (the emulator) and the status table hold: a forbidden cell must leave both as they were. */
export async function snapshot(m: MatrixStack, account: string) {
  const customer = await m.stack.emulatorApi<D365Customer>('GET', `/_emulator/customers/USRT/${account}`);
  let records = 0;
  for await (const _ of m.stack.table.listEntities()) records += 1;
  return { fields: customer.fields, updates: customer.updates.history.length, records };
}

/** Everything in `answer` that names another caller: its identity, a reference of its, or a secret account. */
export function leaks(answer: Answer, m: MatrixStack, actor: CallerName, secrets: string[] = []): string[] {
  const others = CALLER_NAMES.filter((n) => n !== actor).flatMap((n) => [
    m.callers[n].identity,
    m.callers[n].referencePrefix,
  ]);
  return [...others, ...secrets].filter((s) => answer.text.includes(s));
}

/** Tallies of the matrix's cells, printed at the end of each mode's run (the report). */
export interface Tally {
  allowed: number;
  forbidden: number;
  rows: Map<string, { allowed: number; forbidden: number }>;
}

export function newTally(): Tally {
  return { allowed: 0, forbidden: 0, rows: new Map() };
}

export function count(tally: Tally, row: string, kind: 'allowed' | 'forbidden'): void {
  tally[kind] += 1;
  const entry = tally.rows.get(row) ?? { allowed: 0, forbidden: 0 };
  entry[kind] += 1;
  tally.rows.set(row, entry);
}
