import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { costOf } from './counts-parts';
import { customerBody, newTag } from './customers';
import { BenchEmulator } from './emulator-control';
import { postJson } from './http-client';
import { BenchOptions } from './options';
import { startOurHost } from './our-host';
import { repoRoot } from './paths';
import { StorageCounter } from './storage-counter';
import { summarizeWindow, WholeProfile, WindowSummary } from './profile-window';

/**
 * `--counts-cpu-profile 1`: one more `create` cost run (queued creates, 4 at a time, until every
 * record says `succeeded`) on a host started with `--cpu-prof` (through NODE_OPTIONS), so the
 * profile is V8's own of the host's whole life; only the samples of the cost run are summarised.
 * Its CPU figure is not the counts phase's (the profiler costs a little): that one comes from the
 * unprofiled host. Our local host runs the listeners, the HTTP front end and the log writer in the
 * app's process; in Azure they are the Functions host's, a separate .NET process on the same
 * instance, so the "host:" groups are what this bench charges to the app and Azure would not.
 */
export interface CountsCpuProfile {
  file: string;
  customers: number;
  ok: number;
  /** /proc CPU (user + system, every thread) of the profiled host over the run, per customer. */
  procMsPerCustomer: number | null;
  /** The cost run's span on the monotonic clock (µs), to summarise the profile again. */
  window: { fromUs: number; toUs: number };
  /** The machine's 1-minute load average when the run ended. */
  loadAverage: number;
  summary: WindowSummary;
}

const SAMPLING_US = 500;

function profileOf(dir: string, pid: number): string | undefined {
  const name = readdirSync(dir).find((f) => f.includes(`.${pid}.`) && f.endsWith('.cpuprofile'));
  return name ? join(dir, name) : undefined;
}

export async function profiledCreateCost(
  counter: StorageCounter,
  azuriteConnection: string,
  emulator: BenchEmulator,
  options: BenchOptions,
): Promise<CountsCpuProfile> {
  const profiles = join(options.outDir, 'profiles');
  const dir = join(profiles, `counts-host-${newTag()}`);
  mkdirSync(dir, { recursive: true });
  const nodeOptions = [
    process.env.NODE_OPTIONS,
    `--cpu-prof --cpu-prof-dir "${dir}" --cpu-prof-interval ${SAMPLING_US}`,
  ];
  const host = await startOurHost(
    counter.connectionString,
    emulator,
    { DUPLICATE_POLICY: 'create' },
    { env: { NODE_OPTIONS: nodeOptions.filter(Boolean).join(' ') } },
  );
  const counted = Object.assign(host, {
    table: TableClient.fromConnectionString(azuriteConnection, host.tableName, {
      allowInsecureConnection: true,
    }),
  });
  const tag = newTag();
  let window: { fromUs: number; toUs: number };
  let cost: Awaited<ReturnType<typeof costOf>>;
  try {
    // Warm: the secret, the tokens, the queue and table created.
    await costOf(counted, counter, emulator, 1, (i) =>
      postJson(`${host.url}/api/customers`, customerBody(tag, i)),
    );
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    cost = await costOf(counted, counter, emulator, options.countsProfileCustomers, (i) =>
      postJson(`${host.url}/api/customers`, customerBody(tag, 100 + i)),
    );
    window = { fromUs, toUs: Number(process.hrtime.bigint() / 1000n) };
  } finally {
    await host.stop();
  }
  const written = profileOf(dir, host.pid);
  if (!written) throw new Error(`the host (pid ${host.pid}) wrote no CPU profile to ${dir}`);
  const file = join(profiles, 'counts-host-create.cpuprofile');
  renameSync(written, file);
  rmSync(dir, { recursive: true, force: true });
  const profile = JSON.parse(readFileSync(file, 'utf8')) as WholeProfile;
  return {
    file,
    customers: options.countsProfileCustomers,
    ok: cost.ok,
    procMsPerCustomer: cost.hostCpuMsPerCustomer,
    window,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
    summary: summarizeWindow(
      profile,
      { ...window, customers: options.countsProfileCustomers },
      { repo: repoRoot() },
    ),
  };
}

/**
 * The profiled run as text lines (console and results.md). The profiler samples wall-clock time: on
 * a loaded machine a descheduled thread's samples still count, so the sampled ms overstate the CPU.
 * Each share of the busy samples is therefore shown as "≈ core-ms": the share × the process CPU per
 * customer from /proc (every thread; the main thread's shares stand for all of it, an approximation).
 */
export function countsProfileLines(p: CountsCpuProfile | undefined, top = 12): string[] {
  if (!p) return [];
  const s = p.summary;
  const proc = p.procMsPerCustomer;
  const core = (share: number): string => (proc === null ? '–' : `≈ ${(share * proc).toFixed(2)}`);
  const pct = (share: number): string => `${(share * 100).toFixed(1)} %`;
  const list = (shares: WindowSummary['byGroup'], count = top): string[] =>
    shares.slice(0, count).map((g) => `    ${core(g.share)} core-ms (${pct(g.share)}) ${g.name}`);
  const sampled = Math.round((s.busyMs / p.customers) * 100) / 100;
  return [
    `Host CPU profile, ${p.customers} queued creates (${p.ok} accepted), load average ${p.loadAverage}: ${p.file}`,
    `  per customer: ${proc === null ? '–' : proc.toFixed(2)} core-ms process CPU (/proc, every thread, profiler included); ${sampled} ms of main-thread busy samples (wall-clock: descheduled time included)`,
    '  self time per customer by group (share of the busy samples × the process CPU):',
    ...list(s.byGroup, 30),
    '  by caller (node internals and native code charged to the package or our code that called them):',
    ...list(s.byCaller, 30),
    '  self time by area:',
    ...list(s.byArea, 20),
    '  top functions by self time:',
    ...s.top.slice(0, top).map((f) => `${list([f])[0]} ${f.location}`.trimEnd()),
  ];
}
