import { d365Client } from '../shared/adapters/d365/d365-client';
import { parseCustomerRequest } from '../shared/domain/customer-contract';
import { emulatorD365Tokens } from '../dev/local-stack/emulator-clients';
import { customerBody } from './customers';

/**
 * The backfill bench's shop (bench/backfill.ts): `customers` emulated Shopify customers, and a share
 * of them already in D365 (same e-mail, in the source's legal entity), made through D365's own OData
 * create before the app runs, as a merchant's existing customers would be: with
 * `DUPLICATE_POLICY=link` those are linked by e-mail, the others created.
 */
export const BENCH_SHOP = 'backfill-bench.myshopify.com';
export const BENCH_SOURCE = 'bench-shop';
export const BENCH_SHOP_TOKEN = 'shpat_backfill_bench_0001';
export const BENCH_SHOP_SECRET = 'shpss_backfill_bench_0123456789abcdef0123';

/** The n-th seeded shop customer's e-mail address. */
export const shopEmail = (tag: string, n: number): string => `backfill.${tag}.${n}@example.com`;

const shopCustomer = (tag: string, n: number) => ({
  first_name: 'Backfill',
  last_name: `Customer${n}`,
  email: shopEmail(tag, n),
  verified_email: true,
});

/** The emulator's control API takes at most 1 MiB a body: the shop's first customers come with it. */
const SEED_CHUNK = 5000;

type Control = <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;

/**
 * The shop on Shopify Plus (1,000 points a second restored, 20,000 bucket): the shop's budget is not
 * what the bench measures (on Standard, 100 points a second pace a 50-customer page every ~6 s).
 */
export async function seedShop(control: Control, count: number, tag: string): Promise<void> {
  await control('PUT', `/_emulator/shopify/shops/${BENCH_SHOP}`, {
    plan: 'plus',
    apps: [{ token: BENCH_SHOP_TOKEN, clientSecret: BENCH_SHOP_SECRET }],
    customers: Array.from({ length: Math.min(count, SEED_CHUNK) }, (_, n) => shopCustomer(tag, n)),
  });
  let next = SEED_CHUNK;
  const adder = async (): Promise<void> => {
    for (let n = next++; n < count; n = next++)
      await control('POST', `/_emulator/shopify/shops/${BENCH_SHOP}/customers`, shopCustomer(tag, n));
  };
  await Promise.all(Array.from({ length: 8 }, adder));
}

/**
 * Every `every`-th shop customer created in D365 directly (OData, the emulator's own app
 * registration), before the backfill: returns how many.
 */
export async function seedExistingInD365(
  emulatorUrl: string,
  count: number,
  every: number,
  tag: string,
): Promise<number> {
  if (every <= 0) return 0;
  const d365 = d365Client(emulatorD365Tokens(emulatorUrl), {
    url: emulatorUrl,
    target: 'odata',
    servicePath: '/api/services/CreateCustomerServiceGroup/CreateCustomerService/CreateCustomer',
    accountField: 'CustomerAccount',
    timeoutMs: 10_000,
  });
  const numbers = Array.from({ length: Math.floor(count / every) }, (_, i) => i * every);
  let next = 0;
  const creator = async (): Promise<void> => {
    for (let i = next++; i < numbers.length; i = next++) {
      const body = JSON.parse(customerBody(tag, numbers[i]!)) as { Customer: Record<string, unknown> };
      body.Customer.EmailAddress = shopEmail(tag, numbers[i]!);
      body.Customer.FirstName = 'Backfill';
      const parsed = parseCustomerRequest(body, { defaultCustomerGroup: '30' });
      if (!parsed.ok) throw new Error('the bench customer does not parse');
      await d365.createCustomer(parsed.value);
    }
  };
  await Promise.all(Array.from({ length: 4 }, creator));
  return numbers.length;
}
