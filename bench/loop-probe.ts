import { appendFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { constants, monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';

/**
 * Preloaded (`node --require dist-dev/bench/loop-probe.js`, through NODE_OPTIONS) into a server the
 * intake bench measures — our host or the bare baseline — to see inside it what a client's latency
 * is made of: the event loop's delay (`monitorEventLoopDelay`), its utilisation, and the garbage
 * collector's pauses (`PerformanceObserver` 'gc'); optionally a CPU profile (the inspector's
 * Profiler, in this same process).
 *
 * Each SIGUSR2 is a mark: it appends one JSON line (`ProbeSegment`) covering the time since the
 * previous mark (or the start) to BENCH_PROBE_FILE and starts a new segment; with
 * BENCH_PROBE_CPU_PROFILE set, it also writes that segment's profile to
 * `<BENCH_PROBE_CPU_PROFILE>.<segment>.cpuprofile`. The load generator marks when its warm-up ends
 * and when its measured run ends, so the second segment is exactly the measured run.
 */

/** What the probe saw between two marks. */
export interface ProbeSegment {
  segment: number;
  pid: number;
  seconds: number;
  /** Event-loop delay (ms): how late a 1-ms timer ran, i.e. how long a ready callback waited for the loop. */
  eventLoopDelay: { p50: number; p90: number; p99: number; max: number; mean: number; samples: number };
  /** Fraction of the time the event loop was busy (not waiting for I/O). */
  eventLoopUtilization: number;
  /** Garbage collection pauses (ms), in all and by kind. */
  gc: {
    count: number;
    totalMs: number;
    maxMs: number;
    p99Ms: number;
    byKind: Record<string, { count: number; totalMs: number; maxMs: number }>;
  };
  /** The CPU profile written for this segment, if profiling. */
  cpuProfile?: string;
}

const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

const round = (value: number): number => Math.round(value * 1000) / 1000;
/** The histogram's timer (ms). It records the time between its ticks, so an idle loop reads ~1 ms. */
const RESOLUTION_MS = 1;
/** How late a tick was: what the histogram recorded, less the timer's own interval. */
const lateMs = (ns: number): number => round(Math.max(0, ns / 1e6 - RESOLUTION_MS));

function startProbe(file: string, profileBase: string | undefined): void {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  let pauses: { kind: string; ms: number }[] = [];
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
      pauses.push({ kind: KINDS[kind ?? -1] ?? String(kind), ms: entry.duration });
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  let segment = 0;
  let since = performance.now();
  let elu = performance.eventLoopUtilization();

  const session = profileBase ? new Session() : undefined;
  const post = (method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session!.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  let profiling: Promise<unknown> = Promise.resolve();
  if (session) {
    session.connect();
    profiling = post('Profiler.enable')
      .then(() => post('Profiler.setSamplingInterval', { interval: 500 }))
      .then(() => post('Profiler.start'));
  }

  process.on('SIGUSR2', () => {
    const now = performance.now();
    const taken = pauses.map((p) => p.ms).sort((a, b) => a - b);
    const byKind: ProbeSegment['gc']['byKind'] = {};
    for (const { kind, ms } of pauses) {
      const k = (byKind[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
      k.count += 1;
      k.totalMs = round(k.totalMs + ms);
      k.maxMs = round(Math.max(k.maxMs, ms));
    }
    const current = segment;
    const entry: ProbeSegment = {
      segment: current,
      pid: process.pid,
      seconds: round((now - since) / 1000),
      eventLoopDelay: {
        p50: lateMs(delay.percentile(50)),
        p90: lateMs(delay.percentile(90)),
        p99: lateMs(delay.percentile(99)),
        max: lateMs(delay.max),
        mean: lateMs(delay.mean),
        samples: delay.count,
      },
      eventLoopUtilization: round(performance.eventLoopUtilization(elu).utilization),
      gc: {
        count: taken.length,
        totalMs: round(taken.reduce((a, b) => a + b, 0)),
        maxMs: round(taken[taken.length - 1] ?? 0),
        p99Ms: round(taken[Math.min(taken.length - 1, Math.floor(taken.length * 0.99))] ?? 0),
        byKind,
      },
    };
    delay.reset();
    pauses = [];
    since = now;
    elu = performance.eventLoopUtilization();
    segment += 1;
    if (!session) {
      appendFileSync(file, `${JSON.stringify(entry)}\n`);
      return;
    }
    const path = `${profileBase}.${current}.cpuprofile`;
    profiling = profiling
      .then(() => post('Profiler.stop'))
      .then((result) => {
        writeFileSync(path, JSON.stringify((result as { profile: unknown }).profile));
        appendFileSync(file, `${JSON.stringify({ ...entry, cpuProfile: path })}\n`);
      })
      .then(() => post('Profiler.start'))
      .catch((error: unknown) =>
        appendFileSync(file, `${JSON.stringify({ ...entry, error: String(error) })}\n`),
      );
  });
}

const file = process.env.BENCH_PROBE_FILE;
if (file) startProbe(file, process.env.BENCH_PROBE_CPU_PROFILE || undefined);
