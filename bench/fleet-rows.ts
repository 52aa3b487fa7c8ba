import { n, x } from './cells';
import { Results } from './results';
import { TARGET_CELLS } from './targets';
import type { Row } from './table-rows';

type Section = Omit<Row, 'section'>;

/** Item 6: the fleet at the D365 limit (issue 16). */
export function fleetRows(r: Results): Section[] {
  const f = r.fleet;
  if (!f) return [];
  return [
    {
      measure: `drain ${n(f.customers)} (link), ${f.hosts} hosts, throttle ${f.throttleRate}/s (load ${f.loadAverage[0]})`,
      ours: `${n(f.drainSeconds, 1)} s`,
      baseline: `${n(f.minimumSeconds, 1)} s (N / R)`,
      ratio: x(f.drainRatio),
    },
    {
      measure: `  vs its ${n(f.d365.served)} served D365 requests / R`,
      ours: `${n(f.drainSeconds, 1)} s`,
      baseline: `${n(f.minimumForRequestsSeconds, 1)} s`,
      ratio: x(f.drainRatioForRequests),
    },
    {
      measure: '  D365 served per s (vs R)',
      ours: n(f.d365.servedPerSecond, 1),
      baseline: n(f.throttleRate),
      ratio: x(f.d365.servedOverRate),
      target: TARGET_CELLS.fleetServed,
    },
    {
      measure: '  429s received / failed by throttling / failed',
      ours: `${n(f.d365.throttled)} / ${n(f.failedByThrottling)} / ${n(f.failed)}`,
      target: '– / 0 / 0',
    },
    {
      measure: '  peak D365 calls in flight (vs the cap)',
      ours: n(f.d365.maxConcurrent),
      baseline: n(f.cap),
      target: TARGET_CELLS.fleetPeak,
    },
    {
      // Less exposed to a shared machine's load than the rates: what the fleet spent per request.
      measure: '  per D365 request served: storage transactions / bench core-ms',
      ours: `${n(f.storage.total / f.d365.served, 2)} / ${f.cpu ? n((f.cpu.benchCores * f.cpu.seconds * 1000) / f.d365.served, 1) : '–'}`,
    },
    {
      measure: '  D365 requests served per customer (lookups batched)',
      ours: n(f.d365.perCustomer, 2),
      baseline: '2 (one lookup each)',
    },
  ];
}

/** Item 7: what 1,000 customers cost (issue 16), next to the naive proxy of the same run. */
export function billRows(r: Results): Section[] {
  const f = r.fleet;
  if (!f) return [];
  const b = f.bill.per1000;
  const nv = f.naive.bill;
  return [
    {
      measure: 'per 1,000 customers: storage transactions (blob / queue / table)',
      ours: `${n(b.storageTransactions)} (${n(b.byService.blob)} / ${n(b.byService.queue)} / ${n(b.byService.table)})`,
      baseline: n(nv.storageTransactions),
    },
    {
      measure: '  function executions / execution s / instance-active s',
      ours: `${n(b.executions)} / ${n(b.executionSeconds, 1)} / ${n(b.activeInstanceSeconds, 1)}`,
      baseline: `${n(nv.executions)} / ${n(nv.executionSeconds, 1)} / ≤ ${n(nv.activeInstanceSeconds, 1)}`,
    },
    {
      measure: `  execution time at $${f.bill.prices.flexOnDemandPerGbSecond}/GB-s, 2 GB`,
      ours: `$${b.executionTimeUsd.toFixed(4)}`,
      baseline: `≤ $${nv.executionTimeUsd.toFixed(4)}`,
    },
    {
      measure: '  D365 / token / Key Vault calls',
      ours: `${n(b.d365Requests)} / ${n(b.tokenRequests, 1)} / ${n(b.keyVaultReads, 1)}`,
      baseline: `${n(nv.d365Requests)} / ${n(nv.tokenRequests, 1)} / ${n(nv.keyVaultReads, 1)}`,
    },
    {
      measure: `one idle instance: storage transactions per month (${n(f.idle.seconds)} s counted)`,
      ours: n(f.bill.idleStorageTransactionsPerMonth),
      baseline: '0 (a proxy does not poll)',
    },
  ];
}
