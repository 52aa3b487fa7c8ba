/**
 * `npm run bench` options: every size, duration and rate, as `--kebab-name value` flags or
 * `BENCH_UPPER_NAME` environment variables (the flag wins). Defaults fit the whole run in about
 * 6 minutes on a 2-core machine.
 */

import { parseArgs } from 'node:util';

export const PHASES = [
  'counts',
  'intake',
  'webhooks',
  'end-to-end',
  'low-load',
  'naive',
  'cold-start',
  'keyed',
  'fleet',
  'settle',
  'fairness',
  'fo-events',
] as const;
export type Phase = (typeof PHASES)[number];
/** What `npm run bench` runs without --only (`keyed` and `settle` are slower, opt-in checks). */
export const DEFAULT_PHASES: Phase[] = [
  'counts',
  'intake',
  'webhooks',
  'end-to-end',
  'low-load',
  'naive',
  'cold-start',
  'fleet',
  'fairness',
];

interface NumberOption {
  name: string;
  default: number;
  help: string;
}

const NUMBER_OPTIONS = [
  { name: 'intake-connections', default: 16, help: 'autocannon connections (fixed concurrency)' },
  { name: 'intake-seconds', default: 8, help: 'measured seconds per intake run' },
  { name: 'intake-warmup-seconds', default: 2, help: 'unmeasured warm-up before each intake run' },
  { name: 'intake-rounds', default: 3, help: 'baseline/ours pairs, alternated (shared machines are noisy)' },
  {
    name: 'intake-cpu-profile',
    default: 0,
    help: 'intake: 1 = one more half-rate run of ours under the CPU profiler (<out-dir>/profiles/)',
  },
  {
    name: 'webhook-rounds',
    default: 3,
    help: 'webhooks: rounds of POST /api/customers and the three webhook routes, alternated',
  },
  {
    name: 'quiet-wait-seconds',
    default: 30,
    help: 'in all, how long to wait for other processes to go quiet before measurements',
  },
  { name: 'customers', default: 2000, help: 'end to end: customers per drain run' },
  { name: 'd365-latency-ms', default: 300, help: 'latency the emulator adds to every D365 request' },
  { name: 'throttle-rate', default: 50, help: "emulator's D365 rate limit (requests/s)" },
  { name: 'batch-size', default: 32, help: 'end to end: host.json queues.batchSize for the drain runs' },
  { name: 'new-batch-threshold', default: 32, help: 'end to end: host.json queues.newBatchThreshold' },
  { name: 'max-concurrency', default: 15, help: 'end to end: D365_MAX_CONCURRENCY for the drain runs' },
  {
    name: 'default-config-customers',
    default: 100,
    help: 'end to end: customers for the run with the shipped host.json and D365_MAX_CONCURRENCY',
  },
  { name: 'drain-timeout-seconds', default: 240, help: 'give up waiting for a drain after this long' },
  { name: 'low-load-customers', default: 30, help: 'low load: customers per variant' },
  { name: 'low-load-rate', default: 1, help: 'low load: customers per second' },
  { name: 'prefer-wait-seconds', default: 10, help: 'low load: the Prefer: wait=N the cashier sends' },
  {
    name: 'fast-polling-ms',
    default: 250,
    help: 'low load: maxPollingInterval of an extra queue variant (0: none)',
  },
  { name: 'naive-rate', default: 10, help: 'naive comparison: customers per second' },
  { name: 'naive-seconds', default: 10, help: 'naive comparison: seconds of load per scenario' },
  { name: 'storm-seconds', default: 5, help: 'naive comparison: length of the 429 storm' },
  { name: 'storm-retry-after', default: 1, help: 'naive comparison: Retry-After of the 429 storm' },
  { name: 'retry-requests', default: 20, help: 'naive comparison: distinct requests in the retry scenario' },
  { name: 'client-timeout-ms', default: 2000, help: "naive comparison: the retrying client's timeout" },
  { name: 'client-retries', default: 2, help: 'naive comparison: retries after a timeout or 5xx' },
  { name: 'slow-latency-ms', default: 3000, help: 'naive comparison: D365 latency in the retry scenario' },
  { name: 'cold-start-runs', default: 3, help: 'cold start: host starts measured' },
  { name: 'fleet-hosts', default: 3, help: 'fleet: hosts on one Azurite and one emulator' },
  { name: 'fleet-customers', default: 1000, help: 'fleet: customers (link) sent round-robin to the hosts' },
  { name: 'fleet-throttle-rate', default: 50, help: 'fleet: the emulator throttles D365 at R requests/s' },
  { name: 'fleet-max-concurrency', default: 15, help: 'fleet: D365_MAX_CONCURRENCY (fleet-wide slots)' },
  {
    name: 'fleet-max-rate',
    default: 0,
    help: "fleet: D365_MAX_REQUESTS_PER_SECOND, the fleet's pace of D365 calls (0: off)",
  },
  { name: 'fleet-idle-seconds', default: 60, help: 'fleet: idle time whose storage calls are counted' },
  {
    name: 'fleet-naive-customers',
    default: 100,
    help: 'fleet: customers through the naive proxy for the bill',
  },
  { name: 'fairness-hosts', default: 1, help: 'fairness: hosts (shipped host.json and gate settings)' },
  { name: 'fairness-d365-latency-ms', default: 500, help: 'fairness: D365 latency (slower than the flood)' },
  {
    name: 'fairness-flood-rate',
    default: 10,
    help: "fairness: caller A's creates per second (its rate limit)",
  },
  { name: 'fairness-flood-seconds', default: 30, help: 'fairness: how long caller A floods' },
  {
    name: 'fairness-flood-lead-seconds',
    default: 5,
    help: "fairness: A's head start before B's measured creates",
  },
  {
    name: 'fairness-samples',
    default: 15,
    help: "fairness: caller B's creates per measurement (alone, under the flood)",
  },
  { name: 'fairness-gap-ms', default: 300, help: "fairness: pause between two of B's creates" },
  {
    name: 'fairness-share-waiters',
    default: 4,
    help: 'fairness: FAIR_SHARE_WAITERS of the run (0: first come, first served, for comparison)',
  },
  {
    name: 'counts-samples',
    default: 5,
    help: 'counts: Prefer: wait and queued creates whose storage calls are traced one by one',
  },
  { name: 'counts-customers', default: 30, help: 'counts: customers per cost run (create, link, update)' },
  {
    name: 'counts-cpu-profile',
    default: 0,
    help: 'counts: 1 = one more create cost run on a host under --cpu-prof (<out-dir>/profiles/), summarised',
  },
  {
    name: 'counts-profile-customers',
    default: 100,
    help: 'counts: queued creates of the profiled run (--counts-cpu-profile 1)',
  },
  {
    name: 'storage-delay-ms',
    default: 4,
    help: 'counts: the storage latency model, a delay the counting proxy adds to every storage call',
  },
  {
    name: 'latency-model-customers',
    default: 40,
    help: 'counts: Prefer: wait creates, one at a time, behind the latency model',
  },
  { name: 'keyed-customers', default: 300, help: 'keyed (opt-in): customers per run' },
  { name: 'keyed-rate', default: 20, help: 'keyed (opt-in): customers per second' },
  {
    name: 'fo-events-customers',
    default: 50,
    help: 'fo-events (opt-in): linked customers an operator changes in D365 (issue 29)',
  },
] as const satisfies readonly NumberOption[];

type NumberName = (typeof NUMBER_OPTIONS)[number]['name'];
type CamelCase<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;

export type BenchOptions = { [K in NumberName as CamelCase<K>]: number } & {
  phases: Phase[];
  /** Where results.json, latency.svg and latest/ go. */
  outDir: string;
};

const camel = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const envName = (name: string): string => `BENCH_${name.replace(/-/g, '_').toUpperCase()}`;

export function usage(): string {
  const lines = NUMBER_OPTIONS.map(
    (o) => `  --${o.name.padEnd(26)} ${String(o.default).padStart(5)}  ${o.help} (${envName(o.name)})`,
  );
  return [
    'Usage: node dist-dev/bench/run.js [options]',
    '',
    `  --only <phases>              comma list of ${PHASES.join(', ')} (BENCH_ONLY); default: all but keyed`,
    '  --out-dir <dir>              default: bench/ of the repository (BENCH_OUT_DIR)',
    ...lines,
  ].join('\n');
}

/** A bad command line or BENCH_* variable: printed with the usage text, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The flag (without `--`) or argument at fault, when there is one. */
    readonly option?: string,
  ) {
    super(message);
  }
}

/** parseArgs' own error codes, in the words the bench has always used. */
function usageError(error: unknown): UsageError {
  const e = error as Error & { code?: string };
  const flag = /'(--?[^' ]+)/.exec(e.message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`Unknown option ${flag}`, flag?.replace(/^-+/, ''));
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const argument = /'([^']*)'/.exec(e.message)?.[1];
      return new UsageError(`Unexpected argument ${argument}`, argument);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(`${flag} needs a value`, flag?.replace(/^-+/, ''));
    default:
      return new UsageError(e.message);
  }
}

/** Reads the options from argv (flags) over env (BENCH_*) over the defaults. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv, defaultOutDir: string): BenchOptions {
  const names = ['only', 'out-dir', ...NUMBER_OPTIONS.map((o) => o.name)];
  let given: Record<string, string | undefined>;
  try {
    given = parseArgs({
      args: argv,
      options: Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | undefined>;
  } catch (error) {
    throw usageError(error);
  }
  const read = (name: string): string | undefined => given[name] ?? env[envName(name)];

  const numbers: Record<string, number> = {};
  for (const option of NUMBER_OPTIONS) {
    const raw = read(option.name);
    const value = raw === undefined ? option.default : Number(raw);
    if (!Number.isFinite(value) || value < 0) {
      throw new UsageError(`--${option.name} must be a number ≥ 0`, option.name);
    }
    numbers[camel(option.name)] = value;
  }
  const only = read('only');
  const phases: string[] = only ? only.split(',').map((p) => p.trim()) : [...DEFAULT_PHASES];
  for (const phase of phases) {
    if (!(PHASES as readonly string[]).includes(phase)) {
      throw new UsageError(`Unknown phase ${phase}; phases are ${PHASES.join(', ')}`, 'only');
    }
  }
  return {
    ...(numbers as { [K in NumberName as CamelCase<K>]: number }),
    phases: phases as Phase[],
    outDir: read('out-dir') ?? defaultOutDir,
  };
}
