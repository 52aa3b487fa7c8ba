import { randomUUID } from 'node:crypto';
import { ProcessingError } from '../../domain/failure';
import type { DriftWatermark } from '../../domain/drift-repair';
import { parseDigests } from '../../domain/customer-update/sent-digests';
import {
  diffShopAgainstD365,
  emptySafetyNetCounts,
  repairControlNumber,
  SafetyNetCounts,
} from '../../domain/fo-events/safety-net';
import { recordOf, ShopField } from '../../domain/fo-events/shop-fields';
import type { WebhookSource } from '../../config/webhook-sources';
import type {
  D365CustomerSnapshot,
  D365CustomerUpdates,
  D365Gate,
  ShopClient,
  ShopCustomer,
} from '../../ports';
import { ShopAccessError, StatusConflictError } from '../../ports';
import { clock, later } from '../clock';
import { claimShopRun, releaseShopRun, ShopRunLeaseDeps, endShopRun } from '../shop-run-lease';
import { applyChangeToShop, ApplyToShopDeps, ShopUpdateBusyError } from './apply-to-shop';

/**
 * The F&O safety net (issue 29; the comparison in shared/domain/fo-events/safety-net.ts): for each
 * shop with an Admin API token, at most one run at a time across the fleet (the shop's row, claimed
 * on its ETag: shop-run-lease.ts) and one per FO_SAFETY_NET_INTERVAL_SECONDS, pages the shop's
 * customers (in its stable order; the cursor is kept between runs, so the next run continues and a
 * pass covers every customer) and compares each linked one with its D365 customer. What differs is
 * written to the shop through the events' own shop update (apply-to-shop.ts: field stamps, the
 * lease per customer, no echoes). Bounded per run (FO_SAFETY_NET_MAX_CUSTOMERS), paced by the shop's
 * budget (the shop client waits for it) and by the fleet's D365 gate at background priority (behind
 * every live request).
 */
export interface SafetyNetDeps extends ShopRunLeaseDeps {
  shopClients: ApplyToShopDeps['shopClients'];
  links: ApplyToShopDeps['links'];
  webhookSources: readonly WebhookSource[];
  d365: Pick<D365CustomerUpdates, 'getCustomer'>;
  gate: D365Gate;
  apply: ApplyToShopDeps;
  settings: SafetyNetSettings;
  telemetry: ApplyToShopDeps['telemetry'];
  log: ApplyToShopDeps['log'];
}

export interface SafetyNetSettings {
  /** A shop runs at most once per this many seconds; 0: the safety net is off. */
  intervalSeconds: number;
  maxCustomers: number;
  pageSize: number;
  /** How long a claim (renewed after every page) keeps other runs off the shop. */
  leaseSeconds: number;
  /** How long a D365 read waits for a slot of the fleet's gate; longer: the run stops. */
  gateWaitMs: number;
}

/** The caller the D365 gate shares its slots by (a timer's work: background). */
const GATE_SHARE = { caller: 'fo-safety-net', weight: 1, priority: 'background' } as const;

/** Why a run stopped before its pass ended (the pass continues at the shop's next run). */
export type SafetyNetStop = 'bound' | 'shop-unavailable' | 'd365-unavailable' | 'lease-lost';

export type SafetyNetResult =
  | { kind: 'ran'; source: string; counts: SafetyNetCounts; passDone: boolean; stopped?: SafetyNetStop }
  | { kind: 'skipped'; source: string; reason: 'leased' | 'interval' }
  /** The shop refused the Admin API token: nothing to do until an operator fixes it. */
  | { kind: 'failed'; source: string; reason: string };

type ShopSource = Extract<WebhookSource, { kind: 'shopify' | 'bigcommerce' }>;

/** The safety net's row of a shop (in the drift-repair rows' table, under its own partition). */
export async function runSafetyNet(deps: SafetyNetDeps): Promise<SafetyNetResult[]> {
  if (deps.settings.intervalSeconds === 0) return [];
  const results: SafetyNetResult[] = [];
  for (const source of deps.webhookSources) {
    if (source.kind === 'standard') continue;
    const client = deps.shopClients.forSource(source.name, 'read');
    if (!client) continue;
    const result = await checkShop(source, client, deps);
    results.push(result);
    report(result, source, deps);
  }
  return results;
}

class StopRun extends Error {
  constructor(readonly stopped: SafetyNetStop) {
    super(`safety net run stopped: ${stopped}`);
    this.name = 'StopRun';
  }
}

async function checkShop(
  source: ShopSource,
  client: ShopClient,
  deps: SafetyNetDeps,
): Promise<SafetyNetResult> {
  const claimed = await claimShopRun(source.name, deps, deps.settings);
  if ('kind' in claimed) return claimed;
  let row: DriftWatermark = claimed;
  const counts = emptySafetyNetCounts();
  for (;;) {
    if (counts.listed >= deps.settings.maxCustomers)
      return endShopRun(row, deps, { source: source.name, counts, passDone: false, stopped: 'bound' });
    let nextCursor: string | undefined;
    try {
      const page = await client.listCustomers(
        { limit: deps.settings.pageSize, ...(row.pass?.cursor !== undefined && { cursor: row.pass.cursor }) },
        { log: deps.log },
      );
      for (const customer of page.customers) await checkCustomer(customer, source, counts, deps);
      nextCursor = page.nextCursor;
    } catch (error) {
      if (error instanceof ShopAccessError) {
        await releaseShopRun(row, deps);
        return { kind: 'failed', source: source.name, reason: error.message };
      }
      if (error instanceof StopRun)
        return endShopRun(row, deps, {
          source: source.name,
          counts,
          passDone: false,
          stopped: error.stopped,
        });
      if (error instanceof ProcessingError && error.failure.kind === 'transient')
        return endShopRun(row, deps, {
          source: source.name,
          counts,
          passDone: false,
          stopped: 'shop-unavailable',
        });
      throw error;
    }
    // The pass's place: a repeated page after a crash compares again (a repair is idempotent).
    const passStart = row.pass?.from ?? clock(deps).toISOString();
    try {
      row = await deps.watermarks.save(row, {
        ...(nextCursor !== undefined
          ? { pass: { from: passStart, to: passStart, cursor: nextCursor } }
          : { pass: undefined, watermark: passStart }),
        leaseUntil: later(deps, deps.settings.leaseSeconds),
      });
    } catch (error) {
      if (error instanceof StatusConflictError)
        return { kind: 'ran', source: source.name, counts, passDone: false, stopped: 'lease-lost' };
      throw error;
    }
    if (nextCursor === undefined)
      return endShopRun(row, deps, { source: source.name, counts, passDone: true });
  }
}

/** Compares one listed customer with D365 and repairs the shop where it differs. */
async function checkCustomer(
  customer: ShopCustomer,
  source: ShopSource,
  counts: SafetyNetCounts,
  deps: SafetyNetDeps,
): Promise<void> {
  counts.listed += 1;
  const link = await deps.links.get({
    kind: 'reference',
    source: source.name,
    sourceCustomerId: customer.id,
  });
  if (link?.customerAccount === undefined) return;
  counts.linked += 1;
  const { legalEntity, customerAccount } = link;
  const d365 = await readD365(legalEntity, customerAccount, deps);
  if (!d365) {
    counts.notRepaired += 1;
    return;
  }
  const diff = diffShopAgainstD365(customer, d365.fields, parseDigests(link.sentDigests));
  const fields = Object.keys(diff.changes) as ShopField[];
  if (fields.length === 0) {
    counts[diff.shopSide.length > 0 ? 'shopSide' : 'same'] += 1;
    return;
  }
  const { state } = await deps.apply.states.get(legalEntity, customerAccount);
  try {
    const result = await applyChangeToShop(
      {
        v: 1,
        eventId: `safety-net:${randomUUID()}`,
        controlNumber: repairControlNumber(state.stamps),
        eventTime: clock(deps).toISOString(),
        operation: 'Update',
        legalEntity,
        customerAccount,
        source: source.name,
        sourceCustomerId: customer.id,
        record: recordOf(diff.changes),
        receivedAt: clock(deps).toISOString(),
      },
      deps.apply,
    );
    if (result.kind === 'applied') {
      counts.repaired += 1;
      counts.fieldsRepaired += result.fields.length;
      for (const field of result.fields) counts.byField[field] = (counts.byField[field] ?? 0) + 1;
    } else if (result.kind === 'unchanged') counts.same += 1;
    else counts.notRepaired += 1;
  } catch (error) {
    if (!(error instanceof ShopUpdateBusyError)) throw error;
    counts.busy += 1;
  }
}

/** The customer as D365 holds it, read in a slot of the fleet's gate behind every live request. */
async function readD365(
  legalEntity: string,
  customerAccount: string,
  deps: SafetyNetDeps,
): Promise<D365CustomerSnapshot | undefined> {
  const slot = await deps.gate.acquire(deps.settings.gateWaitMs, { share: GATE_SHARE });
  if (!('run' in slot)) throw new StopRun('d365-unavailable');
  try {
    return await slot.run(() => deps.d365.getCustomer(legalEntity, customerAccount));
  } catch (error) {
    if (error instanceof ProcessingError && error.failure.kind === 'transient')
      throw new StopRun('d365-unavailable');
    throw error;
  } finally {
    await slot.release();
  }
}

/**
 * The run's report (counts and the source's name only: no shop data): `FoSafetyNetRepaired` per
 * field repaired (the workbook tile; the alert when a run repairs many), the `FoSafetyNetRun` event
 * with every count, and one log line.
 */
function report(result: SafetyNetResult, source: ShopSource, deps: SafetyNetDeps): void {
  if (result.kind === 'skipped') return;
  if (result.kind === 'failed') {
    deps.log.warn('fo_safety_net.failed', { source: source.name, reason: 'shop-access' });
    return;
  }
  const { byField, ...counts } = result.counts;
  for (const [field, value] of Object.entries(byField))
    deps.telemetry.trackMetric({
      name: 'FoSafetyNetRepaired',
      value,
      properties: { source: source.name, field },
    });
  const outcome = result.passDone ? 'pass-done' : (result.stopped ?? 'pass-continues');
  deps.telemetry.trackEvent({
    name: 'FoSafetyNetRun',
    properties: { source: source.name, sourceKind: source.kind, outcome },
    measurements: { ...counts },
  });
  deps.log[counts.repaired > 0 ? 'warn' : 'info']('fo_safety_net.run', {
    source: source.name,
    found: counts.repaired,
    total: counts.listed,
    outcome,
  });
}
