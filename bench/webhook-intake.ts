import { randomBytes } from 'node:crypto';
import { startAzurite } from '@d365-customer-sync/functions-host';
import { BenchEmulator } from './emulator-control';
import { INTAKE_SETTINGS, IntakeRun, load, Log, mean, median } from './intake';
import { BenchOptions } from './options';
import { startOurHost } from './our-host';
import { ratio } from './stats';
import { Route, WebhookSecrets } from './webhook-requests';
import { emulatorVault } from '../dev/local-stack/emulator-clients';

/**
 * The webhook phase (issue 12): the three webhook routes against `POST /api/customers` in the same
 * run, on the same host settings (worker and timers off: every side only verifies, maps, writes
 * the status record and the queue message). Each run gets a fresh Azurite and host; the routes
 * alternate within each round, so the machine's drift hits them alike. Every webhook request is
 * signed by the load generator as its sender signs it, and verified by the app, with the secrets
 * read from the emulator's Key Vault as in production. Then each route open loop at half the
 * saturating rate of `POST /api/customers`.
 */
export const WEBHOOK_ROUTES: Route[] = ['customers', 'shopify', 'standard', 'bigcommerce'];
export type WebhookRoute = Exclude<Route, 'customers'>;

export interface WebhookIntakeResult {
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** The host's settings for this phase (WEBHOOK_SOURCES without secrets: those are in Key Vault). */
  settings: Record<string, string>;
  /** One run per route per round. */
  rounds: Record<Route, IntakeRun>[];
  /** Mean requests per second over the rounds, per route. */
  requestsPerSecond: Record<Route, number>;
  /** Per webhook route: its req/s over `POST /api/customers`'s, per round, and their median. */
  throughputRatios: Record<WebhookRoute, number[]>;
  throughputRatio: Record<WebhookRoute, number>;
  /** Open loop at half the mean saturating rate of `POST /api/customers`, per route. */
  halfRate: number;
  halfRateRuns: Record<Route, IntakeRun>;
}

/** The bench's sources: the names, and secrets made for this run, planted in the emulator's Key Vault. */
async function plantSources(
  emulator: BenchEmulator,
): Promise<{ secrets: WebhookSecrets; settings: Record<string, string> }> {
  const secrets: WebhookSecrets = {
    shopifySecret: `shpss_${randomBytes(16).toString('hex')}`,
    shopDomain: 'bench-shop.myshopify.com',
    standardSecret: `whsec_${randomBytes(32).toString('base64')}`,
    standardSource: 'bench-standard',
    bigCommerceSecret: randomBytes(24).toString('hex'),
    storeHash: 'bench01',
  };
  const vault = emulatorVault(emulator.url);
  await vault.setSecret('bench-webhook-shopify', secrets.shopifySecret);
  await vault.setSecret('bench-webhook-standard', secrets.standardSecret);
  await vault.setSecret('bench-webhook-bigcommerce', secrets.bigCommerceSecret);
  await vault.setSecret('bench-bigcommerce-token', 'unused-the-worker-is-off');
  const sources = [
    {
      kind: 'shopify',
      name: 'bench-shopify',
      shopDomain: secrets.shopDomain,
      secretName: 'bench-webhook-shopify',
      legalEntity: 'USRT',
      currency: 'USD',
      customerGroup: '30',
    },
    { kind: 'standard', name: secrets.standardSource, secretName: 'bench-webhook-standard' },
    {
      kind: 'bigcommerce',
      name: 'bench-bigcommerce',
      storeHash: secrets.storeHash,
      secretName: 'bench-webhook-bigcommerce',
      apiTokenSecretName: 'bench-bigcommerce-token',
      apiUrl: emulator.url,
      legalEntity: 'USRT',
      currency: 'USD',
    },
  ];
  return { secrets, settings: { ...INTAKE_SETTINGS, WEBHOOK_SOURCES: JSON.stringify(sources) } };
}

/** A fresh Azurite and our host (with the sources) on it, for one run of one route. */
async function routeRun(
  route: Route,
  context: { options: BenchOptions; emulator: BenchEmulator; log: Log; secrets: WebhookSecrets },
  settings: Record<string, string>,
  rate?: number,
): Promise<IntakeRun> {
  const { options, emulator, log, secrets } = context;
  const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  try {
    const host = await startOurHost(azurite.connectionString, emulator, settings);
    try {
      return await load(
        { url: host.url, pids: { server: host.pid, azurite: azurite.pid }, rate, route, secrets },
        options,
        log,
      );
    } finally {
      await host.stop();
    }
  } finally {
    await azurite.stop();
  }
}

const PATHS: Record<Route, string> = {
  customers: 'POST /api/customers',
  shopify: 'POST /api/webhooks/shopify',
  standard: 'POST /api/webhooks/standard',
  bigcommerce: 'POST /api/webhooks/bigcommerce',
};

const byRoute = <T>(of: (route: Route) => T): Record<Route, T> =>
  Object.fromEntries(WEBHOOK_ROUTES.map((route) => [route, of(route)])) as Record<Route, T>;
const byWebhook = <T>(of: (route: WebhookRoute) => T): Record<WebhookRoute, T> =>
  Object.fromEntries(
    WEBHOOK_ROUTES.filter((r): r is WebhookRoute => r !== 'customers').map((route) => [route, of(route)]),
  ) as Record<WebhookRoute, T>;

export async function runWebhookIntake(
  options: BenchOptions,
  emulator: BenchEmulator,
  log: Log,
): Promise<WebhookIntakeResult> {
  const { secrets, settings } = await plantSources(emulator);
  const context = { options, emulator, log, secrets };
  const count = Math.max(1, options.webhookRounds);
  const rounds: Record<Route, IntakeRun>[] = [];
  for (let round = 1; round <= count; round += 1) {
    const runs: Partial<Record<Route, IntakeRun>> = {};
    for (const route of WEBHOOK_ROUTES) {
      log(
        `webhooks ${round}/${count}: ${PATHS[route]}, ${options.intakeConnections} connections, ${options.intakeSeconds} s`,
      );
      runs[route] = await routeRun(route, context, settings);
    }
    rounds.push(runs as Record<Route, IntakeRun>);
  }
  const requestsPerSecond = byRoute(
    (route) => Math.round(mean(rounds.map((r) => r[route].requestsPerSecond)) * 10) / 10,
  );
  const throughputRatios = byWebhook((route) =>
    rounds.map((r) => ratio(r[route].requestsPerSecond, r.customers.requestsPerSecond)),
  );
  const halfRate = Math.max(1, Math.round(requestsPerSecond.customers / 2));
  const halfRateRuns: Partial<Record<Route, IntakeRun>> = {};
  for (const route of WEBHOOK_ROUTES) {
    log(`webhooks: ${PATHS[route]}, open loop at ${halfRate} requests/s (½ of POST /api/customers)`);
    halfRateRuns[route] = await routeRun(route, context, settings, halfRate);
  }
  return {
    connections: options.intakeConnections,
    seconds: options.intakeSeconds,
    warmupSeconds: options.intakeWarmupSeconds,
    settings: { ...settings, WEBHOOK_SOURCES: '(the three bench sources; secrets in Key Vault)' },
    rounds,
    requestsPerSecond,
    throughputRatios,
    throughputRatio: byWebhook((route) => median(throughputRatios[route])),
    halfRate,
    halfRateRuns: halfRateRuns as Record<Route, IntakeRun>,
  };
}
