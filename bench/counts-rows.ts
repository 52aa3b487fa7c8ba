import { n, x } from './cells';
import { Results, TargetCheck } from './results';
import type { Row } from './table-rows';

type Section = Omit<Row, 'section'>;

/** Issue 33's targets, written once (the counts are the machine-independent figures). */
export const COUNT_TARGETS = {
  preferWaitRoundTrips: 7,
  storagePerCustomerFleet: 7,
  cpuOverBaseline: 1.5,
  /** p99 with the storage latency model ≤ D365 time + this. */
  latencyModelOverD365Ms: 60,
};

/** The count-based figures (issue 33): round trips, transactions, calls and CPU per customer. */
export function countsRows(r: Results): Section[] {
  return [...countRows(r), ...latencyModelRows(r)];
}

function countRows(r: Results): Section[] {
  const c = r.counts;
  if (!c) return [];
  const cost = c.perCustomer;
  const fleet = r.storageTransactionsPerCustomer?.fleet;
  return [
    {
      measure: 'storage round trips in a row, one Prefer: wait create (link; create)',
      ours: `${c.preferWait.link.shortest.sequential}; ${c.preferWait.create.shortest.sequential}`,
      target: `≤ ${COUNT_TARGETS.preferWaitRoundTrips}`,
    },
    {
      measure: '  one queued create (link): intake → 202; worker → succeeded',
      ours: `${c.queued.link.intake.sequential}; ${c.queued.link.worker.sequential}`,
    },
    {
      measure: `storage transactions per customer, one host, ${cost.create.customers} queued (create; link; update)`,
      ours: `${n(cost.create.storage, 1)}; ${n(cost.link.storage, 1)}; ${n(cost.update.storage, 1)}`,
    },
    {
      measure: '  of them queue polls (GetMessages)',
      ours: `${n(cost.create.queuePolls, 1)}; ${n(cost.link.queuePolls, 1)}; ${n(cost.update.queuePolls, 1)}`,
    },
    {
      measure: '  fleet (the fleet phase: every call of its hosts over the drain)',
      ours: n(fleet, 1),
      target: `≤ ${COUNT_TARGETS.storagePerCustomerFleet}`,
    },
    {
      measure: 'D365 requests per customer (create; link; update)',
      ours: `${n(cost.create.d365, 2)}; ${n(cost.link.d365, 2)}; ${n(cost.update.d365, 2)}`,
    },
    {
      measure: 'process CPU per customer (host: intake + drain; naive proxy; bare intake)',
      ours: `${n(c.cpu.hostMsPerCustomer, 1)} ms`,
      baseline: `${n(c.cpu.naiveProxyMsPerCustomer, 1)}; ${n(c.cpu.bareBaselineMsPerCustomer, 1)} ms`,
      ratio: c.cpu.hostOverBaseline === null ? '–' : x(c.cpu.hostOverBaseline),
      target: `≤ ${COUNT_TARGETS.cpuOverBaseline}× bare`,
    },
    {
      measure: '  the same per storage call (host: its calls, polls included; bare intake: its own)',
      ours: `${n(c.cpu.perStorageCall?.hostMs, 2)} ms (${n(c.cpu.perStorageCall?.hostCalls, 1)} calls)`,
      baseline: `${n(c.cpu.perStorageCall?.bareMs, 2)} ms (${n(c.cpu.perStorageCall?.bareCalls, 1)} calls)`,
    },
  ];
}

/** The latency model (its own phase): the p99 with and without the held storage calls, and where the time went. */
function latencyModelRows(r: Results): Section[] {
  const m = r.latencyModel;
  if (!m) return [];
  const parts = (b: Record<string, number>): string =>
    `D365 ${n(b.d365Ms)}, storage alone ${n(b.storageOnlyMs)}, neither ${n(b.idleMs)} ms`;
  return [
    {
      measure: `Prefer: wait (link) with ${m.delayMs} ms a storage call: p50 / p99`,
      ours: `${n(m.latency.p50)} / ${n(m.latency.p99)} ms`,
      baseline: `${n(m.d365Ms)} ms D365`,
      ratio: `+${n(m.p99OverD365Ms)} ms`,
      target: `≤ D365 + ${COUNT_TARGETS.latencyModelOverD365Ms} ms`,
    },
    {
      measure: '  the same, alternated, storage not held (the machine alone): p50 / p99',
      ours: `${n(m.withoutModel.latency.p50)} / ${n(m.withoutModel.latency.p99)} ms`,
      ratio: `+${n(m.withoutModel.p99OverD365Ms)} ms`,
    },
    {
      measure: '  median parts with the model; without',
      ours: parts(m.breakdown),
      baseline: parts(m.withoutModel.breakdown),
    },
    {
      measure: `  a storage call, median (Azurite; the ${m.delayMs} ms hold as it came out)`,
      ours: `${n(m.breakdown.storageCallMs, 1)} ms (${n(m.breakdown.azuriteMs, 1)}; ${n(m.breakdown.heldMs, 1)})`,
      baseline: `${n(m.withoutModel.breakdown.storageCallMs, 1)} ms (${n(m.withoutModel.breakdown.azuriteMs, 1)})`,
    },
    {
      measure: '  process CPU per request: host with the model; without; Azurite',
      ours: `${n(m.hostCpuMsPerRequest, 1)}; ${n(m.withoutModel.hostCpuMsPerRequest, 1)}; ${n(m.azuriteCpuMsPerRequest, 1)} ms`,
    },
    {
      measure: `  estimate, a core each: D365 + ${n(m.breakdown.sequential)} round trips × ${m.delayMs} ms + that CPU`,
      ours: `${n(m.quietEstimateMs)} ms`,
      baseline: `${n(m.d365Ms)} ms D365`,
      ratio: m.quietEstimateMs === null ? '–' : `+${n(m.quietEstimateMs - m.d365Ms)} ms`,
      target: `≤ D365 + ${COUNT_TARGETS.latencyModelOverD365Ms} ms`,
    },
  ];
}

/** Issue 33's done-when, checked against this run (null: the phase that measures it did not run). */
export function countTargetChecks(r: Results): TargetCheck[] {
  const c = r.counts;
  const fleet =
    r.storageTransactionsPerCustomer?.fleet ?? (r.fleet ? r.fleet.storage.total / r.fleet.customers : null);
  const out: TargetCheck[] = [];
  if (c) {
    const trips = c.preferWait.link.shortest.sequential;
    out.push({
      target: `Prefer: wait create ≤ ${COUNT_TARGETS.preferWaitRoundTrips} storage round trips in a row`,
      measured: `${trips} (link; create ${c.preferWait.create.shortest.sequential})`,
      met: trips <= COUNT_TARGETS.preferWaitRoundTrips,
    });
    const cpu = c.cpu.hostOverBaseline;
    out.push({
      target: `host CPU per customer ≤ ${COUNT_TARGETS.cpuOverBaseline}× the bare baseline's`,
      measured: `${n(c.cpu.hostMsPerCustomer, 1)} against ${n(c.cpu.bareBaselineMsPerCustomer, 1)} ms (${cpu === null ? '–' : x(cpu)})`,
      met: cpu === null ? null : cpu <= COUNT_TARGETS.cpuOverBaseline,
    });
  }
  const m = r.latencyModel;
  if (m)
    out.push({
      target: `Prefer: wait p99 with ${m.delayMs} ms a storage call ≤ D365 time + ${COUNT_TARGETS.latencyModelOverD365Ms} ms`,
      measured: `${n(m.latency.p99)} ms against ${n(m.d365Ms)} ms (+${n(m.p99OverD365Ms)} ms; without the model +${n(m.withoutModel.p99OverD365Ms)} ms, same run)`,
      met: m.p99OverD365Ms <= COUNT_TARGETS.latencyModelOverD365Ms,
    });
  if (fleet !== null)
    out.push({
      target: `storage transactions per customer on the fleet ≤ ${COUNT_TARGETS.storagePerCustomerFleet}`,
      measured: n(fleet, 1),
      met: fleet <= COUNT_TARGETS.storagePerCustomerFleet,
    });
  return out;
}
