import { emulatorVault } from '../../dev/local-stack/emulator-clients';
import { FleetStack, FleetStackOptions, startFleetStack } from '../../dev/local-stack/fleet-stack';
import { foundIn, StoredText } from './pii-scan';
import { createBody, ShopCustomer, valuesOf } from './shopify-privacy';
import { postRaw, shopifyHeaders } from './webhooks';

/**
 * What the privacy fleet tests (test/reliability/privacy-*.test.ts) share: a fleet with Shopify
 * shops as webhook sources (their secrets in the emulated vault), a sender to any host, waiting on a
 * condition, the customer request records, and creates D365 refuses (pending customers: a failed
 * request keeps the customer it was sent for, so their values are in our store).
 */
export interface PrivacyShop {
  /** The WEBHOOK_SOURCES name; its secret is `webhook-<name>` in the vault. */
  name: string;
  shopDomain: string;
  secret: string;
}

export const ENDED = ['succeeded', 'failed', 'needs_review'];

export async function startPrivacyFleet(
  shops: PrivacyShop[],
  options: FleetStackOptions,
): Promise<FleetStack> {
  const stack = await startFleetStack({
    ...options,
    emulatorSettings: (url) => ({
      ...options.emulatorSettings?.(url),
      WEBHOOK_SOURCES: JSON.stringify(
        shops.map((shop) => ({
          kind: 'shopify',
          name: shop.name,
          shopDomain: shop.shopDomain,
          secretName: `webhook-${shop.name}`,
          legalEntity: 'USRT',
          currency: 'USD',
        })),
      ),
    }),
  });
  const vault = emulatorVault(stack.emulator.url);
  for (const shop of shops) await vault.setSecret(`webhook-${shop.name}`, shop.secret);
  return stack;
}

/** Sends a signed Shopify delivery of `shop` to one host of the fleet. */
export const sendShopify = (
  stack: FleetStack,
  host: number,
  topic: string,
  body: string,
  shop: PrivacyShop,
) =>
  postRaw(
    `${stack.url(host)}/api/webhooks/shopify`,
    body,
    shopifyHeaders(body, { topic, shop: shop.shopDomain, secret: shop.secret }),
  );

/** Reads until `done` holds (every `everyMs`), or throws naming `what` and the last value. */
export async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 240_000, everyMs = 250 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: still not done ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface CustomerRecord {
  partitionKey?: string;
  status: string;
  kind?: string;
  source?: string;
  sourceCustomerId?: string;
  erasedAt?: string;
  errorCode?: string;
  fingerprint?: string;
}

/** The customer requests' records (not privacy requests, not index rows), of one source if named. */
export async function customerRecords(stack: FleetStack, source?: string): Promise<CustomerRecord[]> {
  const rows: CustomerRecord[] = [];
  const filter = source === undefined ? undefined : `source eq '${source}'`;
  for await (const row of stack.table.listEntities<CustomerRecord>({ queryOptions: { filter } }))
    if (!row.partitionKey?.startsWith('~') && !row.kind) rows.push(row);
  return rows;
}

/** Sends the creates over the hosts, `chunk` at a time, and waits until every create so far ended. */
export async function createAll(
  stack: FleetStack,
  hosts: number,
  customers: ShopCustomer[],
  shop: PrivacyShop,
  chunk = 25,
): Promise<void> {
  for (let i = 0; i < customers.length; i += chunk) {
    const answers = await Promise.all(
      customers
        .slice(i, i + chunk)
        .map((c, j) => sendShopify(stack, j % hosts, 'customers/create', createBody(c), shop)),
    );
    if (answers.some((a) => a.status !== 202))
      throw new Error(`creates answered ${answers.map((a) => a.status).join(' ')}, not 202 each`);
  }
  await until(
    'the creates',
    () => customerRecords(stack),
    (rows) => rows.every((r) => ENDED.includes(r.status)),
    { timeoutMs: 300_000 },
  );
}

/** Creates that D365 refuses (400: permanent): the requests fail and keep their customers. */
export async function createPending(
  stack: FleetStack,
  hosts: number,
  customers: ShopCustomer[],
  shop: PrivacyShop,
): Promise<void> {
  const rule = await stack.emulatorApi<{ id: string }>('POST', '/_emulator/faults', {
    service: 'd365',
    method: 'POST',
    path: 'CreateCustomer',
    status: 400,
  });
  await createAll(stack, hosts, customers, shop);
  await stack.emulatorApi('DELETE', `/_emulator/faults/${rule.id}`);
}

/** Per customer, how many of its values (name, e-mail, phone, street) the scan found: `n/5`. */
export const valuesFound = (stored: StoredText, customers: ShopCustomer[]): string[] =>
  customers.map((c) => `${foundIn(stored, valuesOf(c)).length}/${valuesOf(c).length}`);
