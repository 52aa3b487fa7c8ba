import { DriftCounts, DriftPass, driftEventKey, emptyDriftCounts, passFor } from '../../domain/drift-repair';
import { ProcessingError } from '../../domain/failure';
import type { WebhookSource } from '../../config/webhook-sources';
import type {
  CustomerLinks,
  DriftWatermarks,
  Log,
  ShopClient,
  ShopClients,
  ShopCustomer,
  Telemetry,
} from '../../ports';
import { ShopAccessError, StatusConflictError } from '../../ports';
import type { AcceptDeps } from '../accept-customer';
import { sendCustomer } from '../backfill/send-customer';
import { clock, later } from '../clock';
import {
  claimShopRun,
  endShopRun,
  releaseShopRun,
  runEachShop,
  ShopRunResult,
  ShopSource,
} from '../shop-run-lease';

/**
 * Drift repair (issue 30; the states in shared/domain/drift-repair.ts): for each shop with an Admin
 * API token, at most one run at a time across the fleet (a conditional write of the shop's row)
 * and one per DRIFT_REPAIR_INTERVAL_SECONDS, pages the customers changed in the pass's window and
 * sends any the sync does not hold through the webhook intake, keyed by the customer's version.
 * Bounded per run (DRIFT_REPAIR_MAX_CUSTOMERS), paced by the shop's budget (the shop client waits
 * for it) and below live traffic (it stops while the customer queue holds more than the backfill's
 * backlog, and each customer it sends is `priority: background`).
 */
export interface DriftRepairDeps {
  watermarks: DriftWatermarks;
  shopClients: ShopClients;
  links: CustomerLinks;
  webhookSources: readonly WebhookSource[];
  accept: AcceptDeps;
  /** The customer queue's approximate depth. */
  customerQueueDepth: () => Promise<number>;
  settings: DriftRepairSettings;
  telemetry: Telemetry;
  log: Log;
  /** Names this run on the rows it claims (the lease's owner). */
  runId: string;
  now?: () => Date;
}

export interface DriftRepairSettings {
  /** A shop runs at most once per this many seconds; 0: drift repair is off. */
  intervalSeconds: number;
  maxCustomers: number;
  pageSize: number;
  settleSeconds: number;
  lookbackSeconds: number;
  /** The run stops while the customer queue holds more than this many messages. */
  maxBacklog: number;
  /** How long a claim (renewed after every page) keeps other runs off the shop. */
  leaseSeconds: number;
}

/** Why a run stopped before its pass ended (the pass continues at the shop's next run). */
export type DriftStop = 'bound' | 'backlog' | 'shop-unavailable' | 'intake-unavailable' | 'lease-lost';

/** `nothing-new`: no time has passed to look at since the last run. */
export type DriftShopResult = ShopRunResult<DriftCounts, DriftStop, 'nothing-new'>;

export function repairDrift(deps: DriftRepairDeps): Promise<DriftShopResult[]> {
  return runEachShop(
    deps,
    (source, client) => repairShop(source, client, deps),
    (result, source) => report(result, source, deps),
  );
}

async function repairShop(
  source: ShopSource,
  client: ShopClient,
  deps: DriftRepairDeps,
): Promise<DriftShopResult> {
  const claimed = await claimShopRun(source.name, deps, deps.settings);
  if ('kind' in claimed) return claimed;
  let row = claimed;
  let pass = passFor(row, clock(deps), deps.settings);
  if (!pass) {
    await releaseShopRun(row, deps);
    return { kind: 'skipped', source: source.name, reason: 'nothing-new' };
  }
  const counts = emptyDriftCounts();
  for (;;) {
    const stopped = await stopBefore(counts, deps);
    if (stopped) return endShopRun(row, deps, { source: source.name, counts, passDone: false, stopped });
    const page = await readPage(client, pass, deps);
    if (page.kind === 'failed') {
      await releaseShopRun(row, deps);
      return { kind: 'failed', source: source.name, reason: page.reason };
    }
    if (page.kind === 'stopped')
      return endShopRun(row, deps, { source: source.name, counts, passDone: false, stopped: page.stopped });
    const pageCounts = { ...counts };
    try {
      for (const customer of page.customers) await repairCustomer(customer, source, client, pageCounts, deps);
    } catch (error) {
      // The intake's storage failed: the page is read again next run (each version's key makes that safe).
      if (!(error instanceof ProcessingError) || error.failure.kind !== 'transient') throw error;
      return endShopRun(row, deps, {
        source: source.name,
        counts: pageCounts,
        passDone: false,
        stopped: 'intake-unavailable',
      });
    }
    Object.assign(counts, pageCounts);
    const next: DriftPass | undefined =
      page.nextCursor === undefined ? undefined : { ...pass, cursor: page.nextCursor };
    try {
      row = await deps.watermarks.save(row, {
        ...(next ? { pass: next } : { pass: undefined, watermark: pass.to }),
        leaseUntil: later(deps, deps.settings.leaseSeconds),
      });
    } catch (error) {
      if (error instanceof StatusConflictError)
        return { kind: 'ran', source: source.name, counts, passDone: false, stopped: 'lease-lost' };
      throw error;
    }
    if (!next) return endShopRun(row, deps, { source: source.name, counts, passDone: true });
    pass = next;
  }
}

async function stopBefore(counts: DriftCounts, deps: DriftRepairDeps): Promise<DriftStop | undefined> {
  if (counts.listed >= deps.settings.maxCustomers) return 'bound';
  if ((await deps.customerQueueDepth()) > deps.settings.maxBacklog) return 'backlog';
  return undefined;
}

type PageRead =
  | { kind: 'page'; customers: ShopCustomer[]; nextCursor?: string }
  | { kind: 'stopped'; stopped: DriftStop }
  | { kind: 'failed'; reason: string };

/** One page of the pass's window (the shop client waits for the shop's budget). */
async function readPage(client: ShopClient, pass: DriftPass, deps: DriftRepairDeps): Promise<PageRead> {
  try {
    const page = await client.listCustomers(
      {
        limit: deps.settings.pageSize,
        ...(pass.cursor !== undefined && { cursor: pass.cursor }),
        updatedSince: pass.from,
        updatedBefore: pass.to,
      },
      { log: deps.log },
    );
    return {
      kind: 'page',
      customers: page.customers,
      ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
    };
  } catch (error) {
    if (error instanceof ShopAccessError) return { kind: 'failed', reason: error.message };
    if (error instanceof ProcessingError && error.failure.kind === 'transient')
      return { kind: 'stopped', stopped: 'shop-unavailable' };
    throw error;
  }
}

/**
 * Held (linked: our link or the account the shop holds), under way (its create still running), or
 * sent now: no link, or a link whose create failed or never ran (the intake takes it over).
 */
async function repairCustomer(
  customer: ShopCustomer,
  source: ShopSource,
  client: ShopClient,
  counts: DriftCounts,
  deps: DriftRepairDeps,
): Promise<void> {
  counts.listed += 1;
  const link = await deps.links.get({
    kind: 'reference',
    source: source.name,
    sourceCustomerId: customer.id,
  });
  if (customer.account !== null || link?.customerAccount !== undefined) {
    counts.linked += 1;
    return;
  }
  if (link) {
    const create = await deps.accept.statusStore.get(link.createCorrelationId);
    if (create && create.status !== 'failed') {
      counts.inProgress += 1;
      return;
    }
  }
  const sent = await sendCustomer(customer, source, client.kind, deps.accept, {
    eventKey: driftEventKey(customer.id, customer.updatedAt),
    topic: 'drift-repair',
  });
  if (sent === 'queued') counts.found += 1;
  else if (sent === 'replayed') counts.alreadySent += 1;
  else counts.unmappable += 1;
}

/** Telemetry and a log line per shop run (counts and the source's name only: no shop data). */
function report(result: DriftShopResult, source: ShopSource, deps: DriftRepairDeps): void {
  if (result.kind === 'skipped') return;
  if (result.kind === 'failed') {
    deps.log.warn('drift.failed', { source: source.name, reason: 'shop-access' });
    return;
  }
  const { counts } = result;
  deps.telemetry.trackMetric({
    name: 'DriftRepairFound',
    value: counts.found,
    properties: { source: source.name },
  });
  deps.telemetry.trackEvent({
    name: 'DriftRepairRun',
    properties: {
      source: source.name,
      sourceKind: source.kind,
      outcome: result.passDone ? 'pass-done' : (result.stopped ?? 'pass-continues'),
    },
    measurements: { ...counts },
  });
  deps.log[counts.found > 0 ? 'warn' : 'info']('drift.run', {
    source: source.name,
    found: counts.found,
    total: counts.listed,
    outcome: result.passDone ? 'pass-done' : (result.stopped ?? 'pass-continues'),
  });
}
