import { TableClient } from '@azure/data-tables';
import { processCpuMs } from './cpu';
import { callsWithin, criticalPath, CriticalPath } from './critical-path';
import { customerBody } from './customers';
import { BenchEmulator, d365Requests } from './emulator-control';
import { Answer, postJson, sleep, withConcurrency } from './http-client';
import { StorageCounter } from './storage-counter';

/** A host the counts phase drives: its URL, its process and its status table read around the proxy. */
export interface CountedHost {
  url: string;
  pid: number;
  /** The status table, read without the proxy (the bench's reads are not the app's calls). */
  table: TableClient;
}

/** What one request waited for: its storage calls one after the other (see critical-path.ts). */
export interface PathSample extends CriticalPath {
  status: number;
  ms: number;
}

/** What N customers cost in all, divided by N. */
export interface CustomerCost {
  customers: number;
  ok: number;
  /** The answers by HTTP status. */
  statuses: Record<string, number>;
  storage: number;
  byService: { blob: number; queue: number; table: number };
  /** Of the queue calls, the listeners' polls (`GetMessages`): they grow with time, not with customers. */
  queuePolls: number;
  byOperation: Record<string, number>;
  d365: number;
}

const round = (v: number, digits = 2): number => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * The sample with the fewest round trips: a request's own chain is in every sample, and another
 * function's call that happens to fall between two of them (a timer, a listener's lease) can only
 * lengthen it, never shorten it.
 */
export const shortestPath = <T extends { sequential: number }>(samples: T[]): T =>
  [...samples].sort((a, b) => a.sequential - b.sequential)[0] as T;

/**
 * Waits until the app's storage calls have stopped for `quietMs` (the listeners' polls aside): the
 * work a request does after its answer (a message's delete, a slot's give-back) would otherwise
 * fall into the next request's trace.
 */
export async function settle(counter: StorageCounter, quietMs = 300, timeoutMs = 10_000): Promise<void> {
  counter.record();
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    await sleep(50);
    const now = performance.now();
    const busy = callsWithin(counter.calls(), now - quietMs - 60_000, now).some(
      (c) => !Number.isFinite(c.end) || now - c.end < quietMs,
    );
    if (!busy) return;
  }
}

/** One `Prefer: wait` create, its storage calls traced from its send to its answer. */
export async function tracePreferWait(
  host: CountedHost,
  counter: StorageCounter,
  body: string,
  headers: Record<string, string> = {},
): Promise<PathSample> {
  await settle(counter);
  counter.record();
  const from = performance.now();
  const answer = await postJson(`${host.url}/api/customers`, body, {
    headers: { prefer: 'wait=25', ...headers },
  });
  const to = performance.now();
  return {
    status: answer.status,
    ms: round(answer.ms, 1),
    ...criticalPath(callsWithin(counter.calls(), from, to)),
  };
}

/** Polls the status record (around the proxy) until it is terminal; resolves with the bench's clock. */
async function terminalAt(table: TableClient, correlationId: string, timeoutMs = 60_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const row = await table.getEntity<{ status?: string }>(correlationId, '').catch(() => undefined);
    if (row?.status === 'succeeded' || row?.status === 'failed') return performance.now();
    await sleep(10);
  }
  throw new Error(`request ${correlationId} did not end within ${timeoutMs} ms`);
}

/**
 * One queued create: the intake's calls (send → 202), then the worker's until the record says
 * `succeeded` (the message's receive counted as one round trip: the listener's polls are not).
 */
export async function traceQueued(
  host: CountedHost,
  counter: StorageCounter,
  body: string,
): Promise<{ intake: PathSample; worker: PathSample }> {
  await settle(counter);
  counter.record();
  const from = performance.now();
  const answer = await postJson(`${host.url}/api/customers`, body);
  const answered = performance.now();
  const correlationId = String(answer.json?.correlationId ?? '');
  const ended = await terminalAt(host.table, correlationId);
  // The ending's own write may be seen stored before its answer has come back: wait for the
  // answers of every call that started by then, or the chain would miss its last link at random.
  const deadline = performance.now() + 2_000;
  let calls = counter.calls();
  while (calls.some((c) => c.start <= ended && !Number.isFinite(c.end)) && performance.now() < deadline) {
    await sleep(10);
    calls = counter.calls();
  }
  const intake = criticalPath(callsWithin(calls, from, answered));
  const worker = criticalPath(callsWithin(calls, answered, ended));
  return {
    intake: { status: answer.status, ms: round(answer.ms, 1), ...intake },
    worker: {
      status: answer.status,
      ms: round(ended - answered, 1),
      calls: worker.calls + 1,
      sequential: worker.sequential + 1,
      chain: ['queue GetMessages', ...worker.chain],
      resources: ['(the customer queue)', ...worker.resources],
    },
  };
}

/**
 * N requests (`send(i)`, 4 at a time) and every storage call and D365 request until they have all
 * ended, divided by N; with the host's CPU time over the same span.
 */
export async function costOf(
  host: CountedHost,
  counter: StorageCounter,
  emulator: BenchEmulator,
  customers: number,
  send: (i: number) => Promise<Answer>,
): Promise<CustomerCost & { hostCpuMsPerCustomer: number | null }> {
  const d365Before = d365Requests(await emulator.stats());
  counter.reset();
  const cpuBefore = processCpuMs(host.pid);
  const answers = await withConcurrency(4, customers, send);
  const ids = answers.map((a) => String(a.json?.correlationId ?? ''));
  await Promise.all(ids.map((id) => terminalAt(host.table, id, 120_000)));
  const cpuAfter = processCpuMs(host.pid);
  const counts = counter.counts();
  const d365After = d365Requests(await emulator.stats());
  const per = (n: number): number => round(n / customers);
  const polls = Object.entries(counts.byOperation)
    .filter(([op]) => op === 'queue GetMessages')
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    customers,
    ok: answers.filter((a) => a.status === 201 || a.status === 202 || a.status === 200).length,
    statuses: answers.reduce<Record<string, number>>(
      (all, a) => ({ ...all, [a.status]: (all[a.status] ?? 0) + 1 }),
      {},
    ),
    storage: per(counts.total),
    byService: {
      blob: per(counts.byService.blob),
      queue: per(counts.byService.queue),
      table: per(counts.byService.table),
    },
    queuePolls: per(polls),
    byOperation: Object.fromEntries(Object.entries(counts.byOperation).map(([op, n]) => [op, per(n)])),
    d365: per(d365After - d365Before),
    hostCpuMsPerCustomer:
      cpuBefore === null || cpuAfter === null ? null : round((cpuAfter - cpuBefore) / customers, 1),
  };
}

/** CPU milliseconds a server process spent per customer over `customers` POSTs of `body(i)`. */
export async function serverCpuPerCustomer(
  server: { url: string; pid: number },
  customers: number,
  tag: string,
): Promise<{ msPerCustomer: number | null; ok: number }> {
  const before = processCpuMs(server.pid);
  const answers = await withConcurrency(4, customers, (i) => postJson(server.url, customerBody(tag, i)));
  const after = processCpuMs(server.pid);
  return {
    msPerCustomer: before === null || after === null ? null : round((after - before) / customers, 1),
    ok: answers.filter((a) => a.status >= 200 && a.status < 300).length,
  };
}
