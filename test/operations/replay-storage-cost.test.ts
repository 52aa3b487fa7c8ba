import { TableClient } from '@azure/data-tables';
import { customerBody, newTag } from '../../bench/customers';
import { StorageCall, startStorageCounter, StorageCounter } from '../../bench/storage-counter';
import { AppStack, startAppStack } from '../support/app-stack';
import { seedFailedRequests } from '../support/failed-requests';

const MASTER = { 'x-functions-key': 'master' };
const REPLAYED = 40;

/** Queues polled whether or not there is work (their calls grow with the seconds, not the requests). */
const IDLE_POLLED = /^(writeback|backfill|callbacks|foevents)-/;

/** Calls per request by table / queue and operation, printed; `work`: without the idle pollers. */
function tally(calls: StorageCall[], what: string, per: number) {
  const by: Record<string, number> = {};
  let work = 0;
  for (const call of calls) {
    const key = `${call.resource.replace(/[0-9a-f]{8,}/g, '*')} ${call.operation}`;
    by[key] = (by[key] ?? 0) + 1;
    if (!(IDLE_POLLED.test(call.resource) && call.operation.endsWith('GetMessages'))) work += 1;
  }
  console.log(
    `${what}: ${calls.length} calls, ${work} without idle polling, for ${per} (${(work / per).toFixed(1)} each)\n` +
      Object.entries(by)
        .sort((a, b) => b[1] - a[1])
        .map(([key, n]) => `${String(n).padStart(6)} ${key}`)
        .join('\n'),
  );
  return { by, work };
}

async function settled(check: () => Promise<boolean>, deadlineMs = 180_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('not settled in time');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * What a bulk replay costs the storage account beside the requests it replays (issue 31: live p99
 * within 1.2× during a replay). Live requests share Azurite (and, in Azure, the account's
 * partitions) with the job; every call the job's own machinery makes (its ticks: in-flight status
 * reads, gate reads, queue-depth reads, index pages, job saves) is load a live request waits behind.
 * Counted through the bench's storage proxy with the real host, Azurite and the emulator.
 */
describe('a bulk replay’s storage calls', () => {
  let counter: StorageCounter;
  let stack: AppStack;
  /** The status table read around the proxy, so that the test's own polling is not counted. */
  let direct: TableClient;
  let failedIds: string[];
  const allSucceeded = async (ids: string[]) => {
    const records = await Promise.all(ids.map((id) => direct.getEntity<{ status: string }>(id, '')));
    return records.every((record) => record.status === 'succeeded');
  };

  beforeAll(async () => {
    counter = await startStorageCounter(process.env.TEST_STORAGE_CONNECTION_STRING!);
    stack = await startAppStack({
      storageConnectionString: counter.connectionString,
      settings: { DEV_FUNCTION_KEY: 'fn', DEV_MASTER_KEY: 'master' },
    });
    direct = TableClient.fromConnectionString(process.env.TEST_STORAGE_CONNECTION_STRING!, stack.tableName, {
      allowInsecureConnection: true,
    });
    failedIds = await seedFailedRequests({ status: stack.table, operations: stack.opsTable }, REPLAYED, {
      errorCode: 'not_registered',
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await counter?.stop();
  });

  it('counts the calls per replayed request, by table / queue and operation', async () => {
    counter.reset();
    counter.record();
    const started = await fetch(`${stack.url}/api/ops/replays`, {
      method: 'POST',
      headers: { ...MASTER, 'content-type': 'application/json' },
      body: JSON.stringify({ filter: { errorCode: 'not_registered' } }),
    });
    expect(started.status).toBe(202);
    await settled(() => allSucceeded(failedIds));
    const replay = tally(counter.calls(), 'replay', REPLAYED);

    // The same number of live creates, 4 at a time (the replay's window), no job.
    const tag = newTag();
    counter.reset();
    counter.record();
    const ids: string[] = [];
    for (let from = 0; from < REPLAYED; from += 4)
      ids.push(
        ...(await Promise.all(
          Array.from({ length: 4 }, async (_, k) => {
            const answer = await fetch(`${stack.url}/api/customers`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-functions-key': 'fn' },
              body: customerBody(tag, from + k),
            });
            return ((await answer.json()) as { correlationId: string }).correlationId;
          }),
        )),
      );
    await settled(() => allSucceeded(ids));
    const live = tally(counter.calls(), 'live', REPLAYED);
    // 2026-12-07: 25.1 calls per replayed request against 14.4 per live create (bench/README.md).
    // Here (window 3, requests end within a cycle or two) the job's own calls were ~2.5 per replayed
    // request before and after the upkeep cut of issue 31 (status reads stop at the first pending
    // one; the gate read only with half the window free; ends alone saved within 2 s: its unit test
    // counts that, 200 -> 95 status reads with 8 in flight); the rest of the gap is the replay's own
    // work (the failed view's row removed, the release's read). Bound: twice a live create's calls.
    expect(replay.work / REPLAYED).toBeLessThanOrEqual((2 * live.work) / REPLAYED);
  }, 400_000);
});
