import { EmulatorStats } from './emulator-control';
import { StorageCounts } from './storage-counter';

/**
 * What a customer costs in Azure (issue 16): the units the fleet bench counted, per 1,000
 * customers, and the list prices they imply where a price was found.
 *
 * Prices: the bench has no network; the only list price found in the stored public pages is Flex
 * Consumption's on-demand execution time, $0.000026 per GB-second (East US), as quoted by
 * modal.com, "Azure Functions pricing: Consumption vs. Flex Consumption", 2025-05-22 (third party;
 * Microsoft's own pricing page was not in the corpus). No price per execution and no Azure Storage
 * transaction price was found: those stay unit counts. Flex Consumption bills the memory of an
 * instance while it executes at least one function (learn.microsoft.com, "Estimating
 * consumption-based costs", Flex Consumption tab), so the time priced is each host's active time
 * (the union of its executions), at the plan's default instance memory, 2,048 MB.
 */
export const PRICES = {
  flexOnDemandPerGbSecond: 0.000026,
  instanceMemoryGb: 2,
  source:
    'modal.com, "Azure Functions pricing: Consumption vs. Flex Consumption", 2025-05-22 (East US list price, third-party quote); no execution or Storage transaction price found',
} as const;

/** One `Executed 'Functions.x' (…, Duration=…ms)` line of a host. */
export interface ExecutionLog {
  host: number;
  name: string;
  ok: boolean;
  endedAt: number;
  ms: number;
}

export interface Executions {
  byFunction: Record<string, { count: number; failed: number; totalMs: number }>;
  count: number;
  totalMs: number;
  /** Per host, the time at least one execution ran (what Flex Consumption bills), summed over hosts. */
  activeSeconds: number;
}

export function executionsOf(lines: readonly ExecutionLog[]): Executions {
  const byFunction: Executions['byFunction'] = {};
  const byHost = new Map<number, [number, number][]>();
  for (const l of lines) {
    const f = (byFunction[l.name] ??= { count: 0, failed: 0, totalMs: 0 });
    f.count += 1;
    if (!l.ok) f.failed += 1;
    f.totalMs += l.ms;
    const spans = byHost.get(l.host) ?? [];
    spans.push([l.endedAt - l.ms, l.endedAt]);
    byHost.set(l.host, spans);
  }
  let activeMs = 0;
  for (const spans of byHost.values()) {
    spans.sort((a, b) => a[0] - b[0]);
    let [start, end] = spans[0]!;
    for (const [s, e] of spans.slice(1)) {
      if (s > end) {
        activeMs += end - start;
        [start, end] = [s, e];
      } else end = Math.max(end, e);
    }
    activeMs += end - start;
  }
  return {
    byFunction,
    count: lines.length,
    totalMs: Math.round(lines.reduce((a, l) => a + l.ms, 0)),
    activeSeconds: Math.round(activeMs) / 1000,
  };
}

export interface Bill {
  per1000: {
    storageTransactions: number;
    byService: StorageCounts['byService'];
    executions: number;
    executionSeconds: number;
    activeInstanceSeconds: number;
    d365Requests: number;
    tokenRequests: number;
    keyVaultReads: number;
    /** Execution time priced (active instance seconds × memory × rate), US$. */
    executionTimeUsd: number;
  };
  /** One idle instance: storage transactions per 30-day month while it polls. */
  idleStorageTransactionsPerMonth: number;
  prices: typeof PRICES;
}

const per = (value: number, customers: number): number => Math.round((value / customers) * 1000 * 100) / 100;

export function billOf(input: {
  customers: number;
  storage: StorageCounts;
  executions: Executions;
  stats: EmulatorStats;
  idle: StorageCounts;
  idleSeconds: number;
  hosts: number;
}): Bill {
  const { customers, storage, executions, stats } = input;
  const tokens = Object.values(stats.tokenRequests.v1)
    .concat(Object.values(stats.tokenRequests.v2))
    .reduce((a, b) => a + b, 0);
  const d365 = Object.values(stats.d365.requests).reduce((a, b) => a + b, 0);
  const byService = {
    blob: per(storage.byService.blob, customers),
    queue: per(storage.byService.queue, customers),
    table: per(storage.byService.table, customers),
  };
  const active = per(executions.activeSeconds, customers);
  return {
    per1000: {
      storageTransactions: per(storage.total, customers),
      byService,
      executions: per(executions.count, customers),
      executionSeconds: per(executions.totalMs / 1000, customers),
      activeInstanceSeconds: active,
      d365Requests: per(d365, customers),
      tokenRequests: per(tokens, customers),
      keyVaultReads: per(stats.keyVault.reads, customers),
      executionTimeUsd:
        Math.round(active * PRICES.instanceMemoryGb * PRICES.flexOnDemandPerGbSecond * 1e6) / 1e6,
    },
    idleStorageTransactionsPerMonth: Math.round(
      (input.idle.total / input.idleSeconds / input.hosts) * 86_400 * 30,
    ),
    prices: PRICES,
  };
}

/** The naive proxy's bill in the same units: one HTTP execution per customer for its whole call. */
export function naiveBill(input: {
  customers: number;
  durationsMs: number[];
  stats: EmulatorStats;
}): Bill['per1000'] {
  const { customers, stats } = input;
  const tokens = Object.values(stats.tokenRequests.v1)
    .concat(Object.values(stats.tokenRequests.v2))
    .reduce((a, b) => a + b, 0);
  const seconds = input.durationsMs.reduce((a, b) => a + b, 0) / 1000;
  return {
    storageTransactions: 0,
    byService: { blob: 0, queue: 0, table: 0 },
    executions: per(input.durationsMs.length, customers),
    executionSeconds: per(seconds, customers),
    // Upper bound: its executions overlap on an instance, which is billed once for the overlap.
    activeInstanceSeconds: per(seconds, customers),
    d365Requests: per(
      Object.values(stats.d365.requests).reduce((a, b) => a + b, 0),
      customers,
    ),
    tokenRequests: per(tokens, customers),
    keyVaultReads: per(stats.keyVault.reads, customers),
    executionTimeUsd:
      Math.round(per(seconds, customers) * PRICES.instanceMemoryGb * PRICES.flexOnDemandPerGbSecond * 1e6) /
      1e6,
  };
}
