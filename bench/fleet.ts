import { loadavg } from 'node:os';
import { TableClient } from '@azure/data-tables';
import { startAzurite } from '@d365-customer-sync/functions-host';
import { startFleetStack } from '../dev/local-stack/fleet-stack';
import { customerBody, newTag } from './customers';
import { measureCpu, CpuUsage, waitForQuiet } from './cpu';
import { BenchEmulator, EmulatorStats } from './emulator-control';
import { authCalls, AuthCalls } from './end-to-end';
import { Answer, postJson, sleep, withConcurrency } from './http-client';
import { BenchOptions } from './options';
import { BENCH_SETTINGS } from './our-host';
import { waitForTerminal } from './status-table';
import { distribution, Distribution, ratio } from './stats';
import { StorageCounts, startStorageCounter } from './storage-counter';
import { Bill, billOf, Executions, executionsOf, ExecutionLog, naiveBill } from './bill';
import { startServerScript } from './child-script';
import { openLoop } from './http-client';

/**
 * Item 6 (issue 16): a fleet at the D365 limit, and what a customer costs. Three hosts on one
 * Azurite (behind a counting proxy) and one emulator throttling at R requests/s with its
 * lengthening Retry-After; N customers with `DUPLICATE_POLICY=link` sent round-robin to the hosts.
 * Then the fleet idles and its storage calls are counted again (the cost of polling).
 */
export interface FleetResult {
  hosts: number;
  customers: number;
  throttleRate: number;
  cap: number;
  d365LatencyMs: number;
  settings: Record<string, string>;
  loadAverage: number[];
  submit: { seconds: number; errors: number; latency: Distribution };
  succeeded: number;
  failed: number;
  /** Failed because D365 kept throttling (retries exhausted after 429s). */
  failedByThrottling: number;
  drainSeconds: number;
  /** N / R and served requests / R. */
  minimumSeconds: number;
  minimumForRequestsSeconds: number;
  drainRatio: number;
  drainRatioForRequests: number;
  d365: {
    requests: number;
    served: number;
    /** 429s the fleet received (throttle model). */
    throttled: number;
    byEndpoint: EmulatorStats['d365']['requests'];
    maxConcurrent: number;
    servedPerSecond: number;
    servedOverRate: number;
    /** D365 requests served per customer (1 create + lookups / batch). */
    perCustomer: number;
  };
  auth: AuthCalls;
  storage: StorageCounts;
  executions: Executions;
  /** How often the app logged each event during the drain (`customer.deferred`, …), all hosts. */
  hostEvents: Record<string, number>;
  idle: { seconds: number; storage: StorageCounts; perInstancePerHour: number };
  bill: Bill;
  /** The naive proxy on the same emulator, same throttle: its bill in the same units. */
  naive: { customers: number; ok: number; latency: Distribution; bill: Bill['per1000'] };
  cpu: CpuUsage | null;
  timedOut: boolean;
}

export async function runFleet(
  options: BenchOptions,
  _emulator: BenchEmulator,
  log: (line: string) => void,
): Promise<FleetResult> {
  const R = options.fleetThrottleRate;
  const cap = options.fleetMaxConcurrency;
  const settings: Record<string, string> = {
    ...BENCH_SETTINGS,
    APPLICATIONINSIGHTS_CONNECTION_STRING: '',
    DUPLICATE_POLICY: 'link',
    D365_MAX_CONCURRENCY: String(cap),
    D365_MAX_REQUESTS_PER_SECOND: String(options.fleetMaxRate),
    AzureFunctionsJobHost__extensions__queues__batchSize: String(options.batchSize),
    AzureFunctionsJobHost__extensions__queues__newBatchThreshold: String(options.newBatchThreshold),
  };
  const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  const counter = await startStorageCounter(azurite.connectionString);
  const lines: ExecutionLog[] = [];
  const events: Record<string, number> = {};
  const stack = await startFleetStack({
    hosts: options.fleetHosts,
    storageConnectionString: counter.connectionString,
    settings,
    emulator: { latencyMs: options.d365LatencyMs, throttle: { ratePerSecond: R } },
    onLine: (host, line) => {
      const event = /\): ([a-z]+\.[a-z_.]+)(?: |$)/.exec(line)?.[1];
      if (event) events[event] = (events[event] ?? 0) + 1;
      const m = /Executed 'Functions\.(\w+)' \((\w+), Id=[^,]+, Duration=(\d+(?:\.\d+)?)ms\)/.exec(line);
      if (m)
        lines.push({ host, name: m[1]!, ok: m[2] === 'Succeeded', endedAt: Date.now(), ms: Number(m[3]) });
    },
  });
  const stats = (): Promise<EmulatorStats> => stack.emulatorApi<EmulatorStats>('GET', '/_emulator/stats');
  // The bench's own reads go to Azurite directly, so that the counter sees only the app's.
  const table = TableClient.fromConnectionString(azurite.connectionString, stack.tableName, {
    allowInsecureConnection: true,
  });
  try {
    await waitForQuiet(log);
    const loadAverage = loadavg().map((v) => Math.round(v * 100) / 100);
    log(
      `fleet: ${options.fleetHosts} hosts, ${options.fleetCustomers} customers (link), D365 ${options.d365LatencyMs} ms, throttle ${R}/s, cap ${cap}${options.fleetMaxRate ? `, paced at ${options.fleetMaxRate}/s` : ''}; load ${loadAverage.join(' ')}`,
    );
    await stack.emulatorApi('POST', '/_emulator/stats/reset');
    counter.reset();
    lines.length = 0;
    for (const key of Object.keys(events)) delete events[key];
    const cpu = measureCpu();
    const tag = newTag();
    const started = performance.now();
    const answers: Answer[] = await withConcurrency(16, options.fleetCustomers, (i) =>
      postJson(`${stack.url(i)}/api/customers`, customerBody(tag, i)),
    );
    const submitSeconds = (performance.now() - started) / 1000;
    const { rows, timedOut } = await waitForTerminal(
      table,
      { stats } as BenchEmulator,
      options.fleetCustomers,
      options.drainTimeoutSeconds * 1000,
      (created) => log(`fleet: ${created}/${options.fleetCustomers} created`),
    );
    const s = await stats();
    const storage = counter.counts();
    const executions = executionsOf(lines);
    const cpuUsage = cpu.stop();

    // Idle: no customers; what the hosts' pollers and timers cost.
    await sleep(5_000);
    counter.reset();
    const idleStarted = Date.now();
    await sleep(options.fleetIdleSeconds * 1000);
    const idleStorage = counter.counts();
    const idleSeconds = (Date.now() - idleStarted) / 1000;

    const naive = await naiveRun(stack, options, log);

    const succeeded = rows.filter((r) => r.status === 'succeeded');
    const failed = rows.filter((r) => r.status === 'failed');
    const firstAccepted = Math.min(...rows.map((r) => r.createdAt));
    const drainSeconds = (Math.max(...succeeded.map((r) => r.updatedAt)) - firstAccepted) / 1000;
    const throttled = s.d365.statuses['429'] ?? 0;
    const requests = Object.values(s.d365.requests).reduce((a, b) => a + b, 0);
    const served = requests - throttled;
    const round = (v: number): number => Math.round(v * 100) / 100;
    const customers = options.fleetCustomers;
    return {
      hosts: options.fleetHosts,
      customers,
      throttleRate: R,
      cap,
      d365LatencyMs: options.d365LatencyMs,
      settings,
      loadAverage,
      submit: {
        seconds: round(submitSeconds),
        errors: answers.filter((a) => a.status !== 202).length,
        latency: distribution(answers.map((a) => a.ms)),
      },
      succeeded: succeeded.length,
      failed: failed.length,
      failedByThrottling: failed.filter((r) => r.errorCode === 'retries_exhausted').length,
      drainSeconds: round(drainSeconds),
      minimumSeconds: round(customers / R),
      minimumForRequestsSeconds: round(served / R),
      drainRatio: ratio(drainSeconds, customers / R),
      drainRatioForRequests: ratio(drainSeconds, served / R),
      d365: {
        requests,
        served,
        throttled,
        byEndpoint: s.d365.requests,
        maxConcurrent: s.d365.maxConcurrent,
        servedPerSecond: round(served / drainSeconds),
        servedOverRate: round(served / drainSeconds / R),
        perCustomer: round(served / customers),
      },
      auth: authCalls(s, customers),
      storage,
      executions,
      hostEvents: { ...events },
      idle: {
        seconds: round(idleSeconds),
        storage: idleStorage,
        perInstancePerHour: Math.round((idleStorage.total / idleSeconds / options.fleetHosts) * 3600),
      },
      bill: billOf({
        customers,
        storage,
        executions,
        stats: s,
        idle: idleStorage,
        idleSeconds,
        hosts: options.fleetHosts,
      }),
      naive,
      cpu: cpuUsage,
      timedOut,
    };
  } finally {
    await stack.stop();
    await counter.stop();
    await azurite.stop();
  }
}

/** The naive proxy (bench item 4) for the bill's comparison: open loop at 10/s on the fleet's emulator. */
async function naiveRun(
  stack: Awaited<ReturnType<typeof startFleetStack>>,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<FleetResult['naive']> {
  const count = options.fleetNaiveCustomers;
  log(`fleet: the naive proxy, ${count} customers at 10/s on the same emulator`);
  const proxy = await startServerScript('naive-proxy', {
    BENCH_EMULATOR_URL: stack.emulator.url,
    NODE_EXTRA_CA_CERTS: stack.emulator.caCertPath,
  });
  try {
    await stack.emulatorApi('POST', '/_emulator/stats/reset');
    const tag = newTag();
    const answers = await openLoop(10, count, (i) => postJson(proxy.url, customerBody(tag, i)));
    const s = await stack.emulatorApi<EmulatorStats>('GET', '/_emulator/stats');
    const ok = answers.filter((a) => a.status === 200);
    return {
      customers: count,
      ok: ok.length,
      latency: distribution(answers.map((a) => a.ms)),
      bill: naiveBill({ customers: count, durationsMs: answers.map((a) => a.ms), stats: s }),
    };
  } finally {
    await proxy.stop();
  }
}
