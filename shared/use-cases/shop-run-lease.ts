import { DriftWatermark, mayClaim } from '../domain/drift-repair';
import type { WebhookSource } from '../config/webhook-sources';
import { DriftWatermarks, ShopClient, ShopClients, StatusConflictError } from '../ports';
import { clock, later } from './clock';

/**
 * One run of a shop's timer at a time across the fleet (drift repair, issue 30; the F&O safety
 * net, issue 29): the shop's row (DriftWatermarks) is claimed by a conditional write on its ETag
 * (a lease, renewed with every save of the run, taken over once it ends), and a run starts at most
 * once per `intervalSeconds`.
 */
export interface ShopRunLeaseDeps {
  watermarks: DriftWatermarks;
  /** Names this run on the rows it claims (the lease's owner). */
  runId: string;
  now?: () => Date;
}

/** Why a run leaves the shop: another run holds it, or its interval has not passed. */
export type NotClaimed = { kind: 'skipped'; source: string; reason: 'leased' | 'interval' };

/** Claims the shop's row (creating it the first time), or says why this run leaves it. */
export async function claimShopRun(
  source: string,
  deps: ShopRunLeaseDeps,
  settings: { intervalSeconds: number; leaseSeconds: number },
): Promise<DriftWatermark | NotClaimed> {
  let row = await deps.watermarks.get(source);
  if (!row) {
    try {
      row = await deps.watermarks.create(source);
    } catch (error) {
      if (!(error instanceof StatusConflictError)) throw error;
      return { kind: 'skipped', source, reason: 'leased' };
    }
  }
  const now = clock(deps);
  if (!mayClaim(row, now, settings.intervalSeconds)) {
    const held = row.leaseUntil !== undefined && Date.parse(row.leaseUntil) > now.getTime();
    return { kind: 'skipped', source, reason: held ? 'leased' : 'interval' };
  }
  try {
    return await deps.watermarks.save(row, {
      lastRunAt: now.toISOString(),
      leaseOwner: deps.runId,
      leaseUntil: later(deps, settings.leaseSeconds),
    });
  } catch (error) {
    if (error instanceof StatusConflictError) return { kind: 'skipped', source, reason: 'leased' };
    throw error;
  }
}

/** Gives the lease up; false when the row changed meanwhile (another run took the shop over). */
export async function releaseShopRun(row: DriftWatermark, deps: ShopRunLeaseDeps): Promise<boolean> {
  try {
    await deps.watermarks.save(row, { leaseOwner: undefined, leaseUntil: undefined });
    return true;
  } catch (error) {
    if (error instanceof StatusConflictError) return false;
    throw error;
  }
}

/** A run of one shop that held its lease: what it counted, whether its pass ended, why it stopped early. */
export interface ShopRun<C, S extends string> {
  kind: 'ran';
  source: string;
  counts: C;
  passDone: boolean;
  stopped?: S | 'lease-lost';
}

/**
 * The run ends: the lease goes (the pass, if unfinished, continues at the shop's next run); a row
 * another run took over meanwhile makes `lease-lost` the run's stop.
 */
export async function endShopRun<C, S extends string>(
  row: DriftWatermark,
  deps: ShopRunLeaseDeps,
  run: { source: string; counts: C; passDone: boolean; stopped?: S },
): Promise<ShopRun<C, S>> {
  const stop = (await releaseShopRun(row, deps)) ? run.stopped : 'lease-lost';
  return {
    kind: 'ran',
    source: run.source,
    counts: run.counts,
    passDone: run.passDone,
    ...(stop !== undefined && { stopped: stop }),
  };
}

/** A shop a timer runs: a source with a shop's Admin API (not a Standard Webhooks sender). */
export type ShopSource = Extract<WebhookSource, { kind: 'shopify' | 'bigcommerce' }>;

/**
 * What one shop's run came to (drift repair, the F&O safety net): it ran (`ShopRun`), left the shop
 * (another run holds it, its interval has not passed, or `Skip`: a reason of the timer's own), or the
 * shop refused the Admin API token (nothing to do until an operator fixes it).
 */
export type ShopRunResult<C, S extends string, Skip extends string = never> =
  | ShopRun<C, S>
  | { kind: 'skipped'; source: string; reason: NotClaimed['reason'] | Skip }
  | { kind: 'failed'; source: string; reason: string };

/**
 * Each shop with an Admin API token, one after another: its run, then its report. Off (nothing run)
 * when `intervalSeconds` is 0.
 */
export async function runEachShop<R>(
  deps: {
    webhookSources: readonly WebhookSource[];
    shopClients: Pick<ShopClients, 'forSource'>;
    settings: { intervalSeconds: number };
  },
  run: (source: ShopSource, client: ShopClient) => Promise<R>,
  report: (result: R, source: ShopSource) => void,
): Promise<R[]> {
  if (deps.settings.intervalSeconds === 0) return [];
  const results: R[] = [];
  for (const source of deps.webhookSources) {
    if (source.kind === 'standard') continue;
    const client = deps.shopClients.forSource(source.name, 'read');
    if (!client) continue;
    const result = await run(source, client);
    results.push(result);
    report(result, source);
  }
  return results;
}
