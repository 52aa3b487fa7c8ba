import { criticalPath } from './critical-path';
import { StorageCall } from './storage-counter';

/**
 * Where one request's time went (issue 33: the `Prefer: wait` p99 with the storage latency model),
 * from its storage calls (the counting proxy's trace) and its D365 calls (the emulator's request
 * log), both on the bench's clock. Every millisecond between the send and the answer falls in one
 * of three parts: a D365 call in flight; a storage call in flight and no D365 call; neither (the
 * host's own work, and on a loaded machine its wait for a core).
 */
export interface RequestBreakdown {
  ms: number;
  d365Ms: number;
  storageOnlyMs: number;
  idleMs: number;
  storageCalls: number;
  /** Storage round trips in a row (critical-path.ts). */
  sequential: number;
  /** Each storage call from its arrival at the proxy to its answer's last byte back: median and longest. */
  storageCallMs: { median: number; max: number };
  /** Of that, Azurite's part (arrival → Azurite's answer at the proxy). */
  azuriteMs: { median: number; max: number };
  /** Of that, the latency model's hold as it came out (the answer held → sent on; the model asks `delayMs`). */
  heldMs: { median: number; max: number };
}

/** A D365 request as the emulator logged it, on the bench's clock (`atMs` less `performance.timeOrigin`). */
export interface D365Call {
  start: number;
  end: number;
  endpoint: string;
}

/** One step of a request's timeline, in milliseconds from its send. */
export interface TimelineStep {
  fromMs: number;
  toMs: number;
  what: string;
}

const round1 = (v: number): number => Math.round(v * 10) / 10;

/** Milliseconds of [from, to] that at least one interval covers. */
export function covered(intervals: readonly [number, number][], from: number, to: number): number {
  const clipped = intervals
    .map(([s, e]): [number, number] => [Math.max(s, from), Math.min(e, to)])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let current: [number, number] | undefined;
  for (const [s, e] of clipped) {
    if (!current || s > current[1]) {
      if (current) total += current[1] - current[0];
      current = [s, e];
    } else current[1] = Math.max(current[1], e);
  }
  return current ? total + current[1] - current[0] : total;
}

function medianMax(values: number[]): { median: number; max: number } {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: NaN, max: NaN };
  return { median: round1(sorted[Math.floor((sorted.length - 1) / 2)]!), max: round1(sorted.at(-1)!) };
}

/** The breakdown of the request sent at `from` and answered at `to`, from the calls within that span. */
export function requestBreakdown(
  calls: readonly StorageCall[],
  d365: readonly D365Call[],
  from: number,
  to: number,
): RequestBreakdown {
  const storage = calls.filter((c) => Number.isFinite(c.end));
  const d365Spans = d365.map((c): [number, number] => [c.start, c.end]);
  const storageSpans = storage.map((c): [number, number] => [c.start, c.end]);
  const d365Ms = covered(d365Spans, from, to);
  const eitherMs = covered([...d365Spans, ...storageSpans], from, to);
  return {
    ms: round1(to - from),
    d365Ms: round1(d365Ms),
    storageOnlyMs: round1(eitherMs - d365Ms),
    idleMs: round1(to - from - eitherMs),
    storageCalls: calls.length,
    sequential: criticalPath(calls).sequential,
    storageCallMs: medianMax(storage.map((c) => c.end - c.start)),
    azuriteMs: medianMax(storage.map((c) => c.answered - c.start)),
    heldMs: medianMax(storage.map((c) => c.forwarded - c.answered)),
  };
}

/** The request's storage and D365 calls in the order they started, from its send. */
export function timeline(
  calls: readonly StorageCall[],
  d365: readonly D365Call[],
  from: number,
): TimelineStep[] {
  const steps = [
    ...calls.map((c) => ({ start: c.start, end: c.end, what: `${c.operation} ${c.resource}` })),
    ...d365.map((c) => ({ start: c.start, end: c.end, what: `D365 ${c.endpoint}` })),
  ].sort((a, b) => a.start - b.start);
  return steps.map((s) => ({ fromMs: round1(s.start - from), toMs: round1(s.end - from), what: s.what }));
}

/** The medians of each part over many requests' breakdowns. */
export function medianBreakdown(all: readonly RequestBreakdown[]): Record<string, number> {
  const median = (pick: (b: RequestBreakdown) => number): number => medianMax(all.map(pick)).median;
  return {
    ms: median((b) => b.ms),
    d365Ms: median((b) => b.d365Ms),
    storageOnlyMs: median((b) => b.storageOnlyMs),
    idleMs: median((b) => b.idleMs),
    sequential: median((b) => b.sequential),
    storageCallMs: median((b) => b.storageCallMs.median),
    azuriteMs: median((b) => b.azuriteMs.median),
    heldMs: median((b) => b.heldMs.median),
  };
}
