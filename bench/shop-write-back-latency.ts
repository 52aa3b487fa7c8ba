import { loadavg } from 'node:os';
import { odata } from '@azure/data-tables';
import { emulatorVault } from '../dev/local-stack/emulator-clients';
import { AppStack, startAppStack } from '../dev/local-stack/app-stack';
import { percentile } from './stats';

/**
 * The create path's latency with the shop write-back on and off, in the same run (issue 28, target:
 * no change at p99): `node dist-dev/bench/shop-write-back-latency.js [customers per shop] [per second]`.
 * One host (the real one) on Azurite and the emulator; two Shopify shops on the Standard plan, one
 * whose source writes the account back (`writeBack` on) and one that does not (`writeBack: false`).
 * Customers are made in both shops alternately at a steady pace; each comes in through its shop's
 * signed `customers/create`, is created in D365, and (shop "on") gets its metafield on the write-back
 * queue while the next creates run, its echo coming back as a `customers/update`. The create's
 * latency is its record's `updatedAt − createdAt` (accepted → `succeeded`; the write-back never
 * changes either). Also: write-backs per second over the run, against the shop's restore rate.
 */
const SHOP_ON = 'bench-on.myshopify.com';
const SHOP_OFF = 'bench-off.myshopify.com';
const TOKEN = 'shpat_bench_latency_0001';
const SECRET = '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';

const source = (name: string, domain: string, url: string, writeBack: boolean) => ({
  kind: 'shopify',
  name,
  shopDomain: domain,
  secretName: 'bench-hook',
  adminApiTokenSecretName: 'bench-admin',
  adminApiUrl: `${url}/shopify/${domain}`,
  legalEntity: 'USRT',
  currency: 'USD',
  writeBack,
});

type Row = {
  source: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  writeBack?: string;
  writeBackDetail?: string;
};

async function rows(stack: AppStack): Promise<Row[]> {
  const out: Row[] = [];
  for await (const row of stack.table.listEntities<Row>({ queryOptions: { filter: odata`kind eq ''` } }))
    out.push(row);
  return out;
}

const summary = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    creates: sorted.length,
    'p50 ms': percentile(sorted, 50),
    'p95 ms': percentile(sorted, 95),
    'p99 ms': percentile(sorted, 99),
    'max ms': sorted.at(-1) ?? 0,
  };
};

async function main(): Promise<void> {
  const perShop = Number(process.argv[2] ?? 100);
  const perSecond = Number(process.argv[3] ?? 4);
  const stack = await startAppStack({
    settings: (url) => ({
      WEBHOOK_SOURCES: JSON.stringify([
        source('bench-on', SHOP_ON, url, true),
        source('bench-off', SHOP_OFF, url, false),
      ]),
    }),
    emulator: { log: () => undefined },
  });
  try {
    const vault = emulatorVault(stack.emulator.url);
    await vault.setSecret('bench-hook', SECRET);
    await vault.setSecret('bench-admin', TOKEN);
    for (const domain of [SHOP_ON, SHOP_OFF])
      await stack.emulatorApi('PUT', `/_emulator/shopify/shops/${domain}`, {
        plan: 'standard',
        apps: [
          {
            token: TOKEN,
            clientSecret: SECRET,
            webhooks: ['customers/create', 'customers/update'].map((topic) => ({
              topic,
              address: `${stack.url}/api/webhooks/shopify`,
            })),
          },
        ],
      });
    const load = () =>
      loadavg()
        .map((l) => l.toFixed(2))
        .join(' ');
    const loadBefore = load();
    const started = Date.now();
    for (let i = 0; i < perShop * 2; i += 1) {
      const domain = i % 2 === 0 ? SHOP_ON : SHOP_OFF;
      await stack.emulatorApi('POST', `/_emulator/shopify/shops/${domain}/customers`, {
        first_name: 'Bench',
        last_name: `Latency${i}`,
        email: `bench.latency.${started}.${i}@example.com`,
      });
      const due = started + ((i + 1) * 1000) / perSecond;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    }
    const deadline = Date.now() + 600_000;
    let all: Row[] = [];
    for (;;) {
      all = await rows(stack);
      const done = all.filter((r) => r.status === 'succeeded' || r.status === 'failed');
      const writing = all.filter((r) => r.writeBack === 'pending');
      if ((done.length >= perShop * 2 && writing.length === 0) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const latency = (name: string) =>
      all
        .filter((r) => r.source === name && r.status === 'succeeded')
        .map((r) => Date.parse(r.updatedAt) - Date.parse(r.createdAt));
    const written = all.filter((r) => r.writeBack === 'written');
    const ends = written.map((r) => Date.parse(JSON.parse(r.writeBackDetail ?? '{}').endedAt as string));
    const seconds = (Math.max(...ends) - started) / 1000;
    console.log(`load average before: ${loadBefore}; after: ${load()}`);
    console.table({
      'write-back on': summary(latency('bench-on')),
      'write-back off': summary(latency('bench-off')),
    });
    console.log(
      `write-backs: ${written.length} written, ${all.filter((r) => r.writeBack === 'failed').length} failed, ` +
        `${(written.length / seconds).toFixed(2)}/s over the run (customers arrived at ${perSecond / 2}/s per shop; ` +
        'Shopify Standard restores 100 points/s, ~7 write-backs/s at ~13.5 points each)',
    );
  } finally {
    await stack.stop();
  }
}

void main();
