import { StorageCall } from './storage-counter';

/**
 * The storage calls one request waits for one after the other: the longest chain of calls in which
 * each starts only after the one before it has answered. Calls that overlap run side by side and
 * cost one round trip between them; a chain of n calls costs n round trips, whatever the machine.
 */
export interface CriticalPath {
  /** Every call in the window (the request's own and any side work it started). */
  calls: number;
  /** The longest chain: what a request pays in round trips (the count the targets use). */
  sequential: number;
  /** The operations of that chain, in order (`table InsertEntity`, `queue PutMessage`, …). */
  chain: string[];
  /** The same chain's tables and queues (`status1a2b`, `customers-1a2b`, …). */
  resources: string[];
}

/** The longest chain of non-overlapping calls (`a.end <= b.start`), with its operations. */
export function criticalPath(calls: readonly StorageCall[]): CriticalPath {
  const done = calls.filter((c) => Number.isFinite(c.end)).sort((a, b) => a.end - b.end);
  const length: number[] = [];
  const before: number[] = [];
  let best = -1;
  done.forEach((call, i) => {
    length[i] = 1;
    before[i] = -1;
    for (let j = 0; j < i; j += 1) {
      if (done[j]!.end <= call.start && length[j]! + 1 > length[i]!) {
        length[i] = length[j]! + 1;
        before[i] = j;
      }
    }
    if (best < 0 || length[i]! > length[best]!) best = i;
  });
  const links: StorageCall[] = [];
  for (let i = best; i >= 0; i = before[i]!) links.unshift(done[i]!);
  return {
    calls: calls.length,
    sequential: links.length,
    chain: links.map((c) => c.operation),
    resources: links.map((c) => c.resource),
  };
}

/**
 * The calls that belong to one request: those that started within `[from, to]` (the request's
 * send and its answer, bench clock), less the queue listeners' polls (`GetMessages`: every queue
 * function's listener polls on its own schedule; a request's own path never reads a message).
 */
export function callsWithin(calls: readonly StorageCall[], from: number, to: number): StorageCall[] {
  return calls.filter((c) => c.start >= from && c.start <= to && !/ GetMessages$/.test(c.operation));
}
