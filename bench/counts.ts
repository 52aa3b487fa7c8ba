import { TableClient } from '@azure/data-tables';
import { startAzurite } from '@d365-customer-sync/functions-host';
import { startServerScript } from './child-script';
import {
  costOf,
  CountedHost,
  CustomerCost,
  shortestPath,
  PathSample,
  serverCpuPerCustomer,
  tracePreferWait,
  traceQueued,
} from './counts-parts';
import { CountsCpuProfile, profiledCreateCost } from './counts-profile';
import { customerBody, newTag } from './customers';
import { BenchEmulator } from './emulator-control';
import { postJson } from './http-client';
import { BenchOptions } from './options';
import { OurHost, startOurHost } from './our-host';
import { distribution, Distribution } from './stats';
import { startStorageCounter, StorageCounter } from './storage-counter';

/**
 * The storage latency model's figure: 4 ms a call. Microsoft publishes no latency figure for
 * standard Table or Queue Storage ("Fast, but no upper bounds on latency",
 * https://learn.microsoft.com/azure/cosmos-db/table-support, the comparison table); single-digit
 * milliseconds within a region is the order that page sets against it (Cosmos DB for Table: < 10 ms
 * reads, < 15 ms writes at p99), and 4 ms is the figure issue 33 states. Change it with
 * `--storage-delay-ms`.
 */
export const STORAGE_DELAY_SOURCE =
  'issue 33; no published figure for standard Table/Queue Storage (learn.microsoft.com/azure/cosmos-db/table-support: "Fast, but no upper bounds on latency"; Cosmos DB for Table p99 < 10 ms reads, < 15 ms writes)';

/** Counts that do not depend on the machine's mood: round trips, transactions, calls, CPU time. */
export interface CountsResult {
  d365LatencyMs: number;
  /** One `Prefer: wait` create at a time, traced; `sequential` of the sample with the fewest (see `shortestPath`). */
  preferWait: Record<'create' | 'link', { shortest: PathSample; samples: number[] }>;
  /** One queued create: the intake's round trips (send → 202), then the worker's (→ `succeeded`). */
  queued: Record<
    'create' | 'link',
    { intake: PathSample; worker: PathSample; samples: { intake: number; worker: number }[] }
  >;
  /** Storage transactions and D365 requests per customer (queued creates; `Prefer: wait` updates). */
  perCustomer: Record<'create' | 'link' | 'update', CustomerCost>;
  /** Process CPU per customer: our host through the whole drain, the naive proxy, the bare intake. */
  cpu: {
    customers: number;
    hostMsPerCustomer: number | null;
    naiveProxyMsPerCustomer: number | null;
    bareBaselineMsPerCustomer: number | null;
    hostOverBaseline: number | null;
  };
  /** With `--counts-cpu-profile 1`: where a profiled host's CPU went over one more create cost run. */
  cpuProfile?: CountsCpuProfile;
  /** `Prefer: wait` creates one at a time with every storage call delayed by `delayMs`. */
  latencyModel: {
    delayMs: number;
    source: string;
    customers: number;
    /** D365 time of one `link` create (lookup + create, the emulator's latency each). */
    d365Ms: number;
    latency: Distribution;
    /** p99 − D365 time: the storage calls' and our own share. */
    p99OverD365Ms: number;
  };
}

async function countedHost(
  azuriteConnection: string,
  counter: StorageCounter,
  emulator: BenchEmulator,
  settings: Record<string, string>,
): Promise<OurHost & CountedHost> {
  const host = await startOurHost(counter.connectionString, emulator, settings);
  const table = TableClient.fromConnectionString(azuriteConnection, host.tableName, {
    allowInsecureConnection: true,
  });
  return Object.assign(host, { table });
}

async function tracePaths(
  host: CountedHost,
  counter: StorageCounter,
  samples: number,
  tag: string,
): Promise<{ shortest: PathSample; samples: number[] }> {
  const traced: PathSample[] = [];
  for (let i = 0; i < samples; i += 1)
    traced.push(await tracePreferWait(host, counter, customerBody(tag, 100 + i)));
  return { shortest: shortestPath(traced), samples: traced.map((s) => s.sequential) };
}

interface PolicyRuns {
  preferWait: CountsResult['preferWait']['link'];
  queued: CountsResult['queued']['link'];
  cost: CustomerCost & { hostCpuMsPerCustomer: number | null };
  update?: CustomerCost;
}

/** One duplicate policy's host: Prefer: wait and queued creates traced, then N queued creates' cost. */
async function policyRuns(
  host: OurHost & CountedHost,
  counter: StorageCounter,
  emulator: BenchEmulator,
  options: BenchOptions,
  withUpdate = false,
): Promise<PolicyRuns> {
  const tag = newTag();
  // Queued first: a `Prefer: wait` request's message stays hidden for the wait (25 s here) and is
  // then delivered, found ended and deleted; traced first, none of those falls into these traces.
  await costOf(host, counter, emulator, 1, (i) =>
    postJson(`${host.url}/api/customers`, customerBody(tag, i)),
  ); // warm: the secret, the tokens
  const queuedSamples: Awaited<ReturnType<typeof traceQueued>>[] = [];
  for (let i = 0; i < options.countsSamples; i += 1)
    queuedSamples.push(await traceQueued(host, counter, customerBody(tag, 200 + i)));
  const cost = await costOf(host, counter, emulator, options.countsCustomers, (i) =>
    postJson(`${host.url}/api/customers`, customerBody(tag, 300 + i)),
  );
  const update = withUpdate ? await updateCost(host, counter, emulator, options.countsCustomers) : undefined;
  const preferWait = await tracePaths(host, counter, options.countsSamples, tag);
  return {
    preferWait,
    queued: {
      intake: shortestPath(queuedSamples.map((s) => s.intake)),
      worker: shortestPath(queuedSamples.map((s) => s.worker)),
      samples: queuedSamples.map((s) => ({ intake: s.intake.sequential, worker: s.worker.sequential })),
    },
    cost,
    update,
  };
}

/** N queued updates by reference (`PATCH`), of customers created (queued) with a reference first. */
async function updateCost(
  host: OurHost & CountedHost,
  counter: StorageCounter,
  emulator: BenchEmulator,
  customers: number,
): Promise<CustomerCost> {
  const tag = newTag();
  await costOf(host, counter, emulator, customers, (i) =>
    postJson(`${host.url}/api/customers`, customerBody(tag, i), {
      headers: { 'customer-reference': `counts-${tag}-${i}` },
    }),
  );
  return costOf(host, counter, emulator, customers, async (i) => {
    const response = await fetch(`${host.url}/api/customers/references/counts-${tag}-${i}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ Customer: { ContactNumber: `+1425555${String(i).padStart(4, '0')}` } }),
    });
    const json = (await response.json()) as Record<string, unknown>;
    return { status: response.status, ms: 0, sentAt: 0, json };
  });
}

export async function runCounts(
  options: BenchOptions,
  emulator: BenchEmulator,
  log: (line: string) => void,
): Promise<CountsResult> {
  await emulator.settings({ latencyMs: options.d365LatencyMs, throttle: { ratePerSecond: null } });
  const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  const counter = await startStorageCounter(azurite.connectionString);
  const delayed = await startStorageCounter(azurite.connectionString, { delayMs: options.storageDelayMs });
  const started: { stop(): Promise<unknown> }[] = [];
  try {
    log('counts: storage round trips of one Prefer: wait and one queued create, costs per customer');
    const createHost = await countedHost(azurite.connectionString, counter, emulator, {
      DUPLICATE_POLICY: 'create',
    });
    started.push(createHost);
    const create = await policyRuns(createHost, counter, emulator, options, true);
    const linkHost = await countedHost(azurite.connectionString, counter, emulator, {
      DUPLICATE_POLICY: 'link',
    });
    started.push(linkHost);
    const link = await policyRuns(linkHost, counter, emulator, options);

    log('counts: CPU per customer of the naive proxy and the bare intake');
    const naive = await startServerScript('naive-proxy', {
      BENCH_EMULATOR_URL: emulator.url,
      NODE_EXTRA_CA_CERTS: emulator.caCertPath,
    });
    started.push(naive);
    const naiveCpu = await serverCpuPerCustomer(naive, options.countsCustomers, newTag());
    const bare = await startServerScript('baseline-server', {
      BENCH_STORAGE: azurite.connectionString,
      BENCH_TABLE: `countsbase${newTag()}`,
      BENCH_QUEUE: `counts-base-${newTag()}`,
    });
    started.push(bare);
    const bareCpu = await serverCpuPerCustomer(bare, options.countsCustomers, newTag());

    let cpuProfile: CountsCpuProfile | undefined;
    if (options.countsCpuProfile > 0) {
      log(`counts: one more create cost run (${options.countsProfileCustomers}) under the CPU profiler`);
      cpuProfile = await profiledCreateCost(counter, azurite.connectionString, emulator, options);
    }

    log(`counts: the storage latency model, ${options.storageDelayMs} ms a call`);
    const modelHost = await countedHost(azurite.connectionString, delayed, emulator, {
      DUPLICATE_POLICY: 'link',
    });
    started.push(modelHost);
    const modelTag = newTag();
    await costOf(modelHost, delayed, emulator, 1, (i) =>
      postJson(`${modelHost.url}/api/customers`, customerBody(modelTag, i)),
    );
    const felt: number[] = [];
    for (let i = 1; i <= options.latencyModelCustomers; i += 1) {
      const answer = await postJson(`${modelHost.url}/api/customers`, customerBody(modelTag, i), {
        headers: { prefer: 'wait=25' },
      });
      if (answer.status === 201) felt.push(answer.ms);
    }
    const latency = distribution(felt);
    const d365Ms = 2 * options.d365LatencyMs;
    const hostCpu = create.cost.hostCpuMsPerCustomer;
    return {
      d365LatencyMs: options.d365LatencyMs,
      preferWait: { create: create.preferWait, link: link.preferWait },
      queued: { create: create.queued, link: link.queued },
      perCustomer: { create: create.cost, link: link.cost, update: create.update! },
      cpu: {
        customers: options.countsCustomers,
        hostMsPerCustomer: hostCpu,
        naiveProxyMsPerCustomer: naiveCpu.msPerCustomer,
        bareBaselineMsPerCustomer: bareCpu.msPerCustomer,
        hostOverBaseline:
          hostCpu !== null && bareCpu.msPerCustomer
            ? Math.round((hostCpu / bareCpu.msPerCustomer) * 100) / 100
            : null,
      },
      ...(cpuProfile ? { cpuProfile } : {}),
      latencyModel: {
        delayMs: options.storageDelayMs,
        source: STORAGE_DELAY_SOURCE,
        customers: felt.length,
        d365Ms,
        latency,
        p99OverD365Ms: Math.round(latency.p99 - d365Ms),
      },
    };
  } finally {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    await delayed.stop();
    await counter.stop();
    await azurite.stop();
  }
}
