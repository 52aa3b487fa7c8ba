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
import { startStorageCounter, StorageCounter } from './storage-counter';

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
    /**
     * The same CPU per storage call (issue 33's meaningful figure beside the target): the host's per
     * customer over its storage calls per customer (the `create` run's, queue polls included), the
     * bare intake's over its own, counted through the same proxy (2: the record, the message).
     */
    perStorageCall: {
      hostCalls: number;
      hostMs: number | null;
      bareCalls: number | null;
      bareMs: number | null;
    };
  };
  cpuProfile?: CountsCpuProfile;
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

function perStorageCall(
  hostMs: number | null,
  hostCalls: number,
  bareMs: number | null,
  bareCalls: number,
): CountsResult['cpu']['perStorageCall'] {
  const round = (v: number): number => Math.round(v * 100) / 100;
  return {
    hostCalls,
    hostMs: hostMs !== null && hostCalls > 0 ? round(hostMs / hostCalls) : null,
    bareCalls: round(bareCalls),
    bareMs: bareMs !== null && bareCalls > 0 ? round(bareMs / bareCalls) : null,
  };
}

export async function runCounts(
  options: BenchOptions,
  emulator: BenchEmulator,
  log: (line: string) => void,
): Promise<CountsResult> {
  await emulator.settings({ latencyMs: options.d365LatencyMs, throttle: { ratePerSecond: null } });
  const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  const counter = await startStorageCounter(azurite.connectionString);
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
    // Through the counting proxy, like our hosts: its calls are counted, on the same kind of path.
    const bare = await startServerScript('baseline-server', {
      BENCH_STORAGE: counter.connectionString,
      BENCH_TABLE: `countsbase${newTag()}`,
      BENCH_QUEUE: `counts-base-${newTag()}`,
    });
    started.push(bare);
    counter.reset();
    const bareCpu = await serverCpuPerCustomer(bare, options.countsCustomers, newTag());
    const bareCounts = counter.counts();
    // The other hosts' listeners poll their own queues meanwhile; the bare intake never polls.
    const bareCalls = bareCounts.total - (bareCounts.byOperation['queue GetMessages'] ?? 0);

    let cpuProfile: CountsCpuProfile | undefined;
    if (options.countsCpuProfile > 0) {
      log(`counts: one more create cost run (${options.countsProfileCustomers}) under the CPU profiler`);
      cpuProfile = await profiledCreateCost(counter, azurite.connectionString, emulator, options);
    }

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
        perStorageCall: perStorageCall(
          hostCpu,
          create.cost.storage,
          bareCpu.msPerCustomer,
          bareCalls / options.countsCustomers,
        ),
      },
      ...(cpuProfile ? { cpuProfile } : {}),
    };
  } finally {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    await counter.stop();
    await azurite.stop();
  }
}
