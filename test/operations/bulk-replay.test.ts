import { AppStack, startAppStack } from '../support/app-stack';
import { seedFailedRequests } from '../support/failed-requests';

const MASTER = { 'x-functions-key': 'master' };
const FUNCTION_KEY = { 'x-functions-key': 'fn' };

interface Job {
  id: string;
  state: string;
  finishedAt?: string;
  counts: Record<
    'total' | 'released' | 'pending' | 'succeeded' | 'failed' | 'needsReview' | 'skipped',
    number
  >;
}

/**
 * Bulk replay through the real host, Azurite and the D365 emulator (issue 31): one job replays the
 * failed requests of a filter through the queue and the fleet gate; the requests succeed in D365,
 * never more D365 calls at once than the cap, no 429; cancel stops it; refusals are clear.
 */
describe('bulk replay as one job (operations API)', () => {
  let stack: AppStack;
  let failedIds: string[];
  let otherIds: string[];

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = MASTER,
  ) => {
    const response = await fetch(`${stack.url}/api${path}`, {
      method,
      headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
  };
  const finished = async (id: string, timeoutMs = 120_000): Promise<Job> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const job = (await call('GET', `/ops/replays/${id}`)).json as Job;
      if (job.finishedAt !== undefined) return job;
      if (Date.now() > until) throw new Error(`job not finished: ${JSON.stringify(job)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  const statusOf = async (id: string) =>
    (await call('GET', `/ops/requests/${id}`)).json as { status: string; replayJobId?: string };

  beforeAll(async () => {
    stack = await startAppStack({ settings: { DEV_FUNCTION_KEY: 'fn', DEV_MASTER_KEY: 'master' } });
    const tables = { status: stack.table, operations: stack.opsTable };
    failedIds = await seedFailedRequests(tables, 40, { errorCode: 'not_registered' });
    // A customer group D365 does not know: these fail again when replayed.
    otherIds = await seedFailedRequests(tables, 5, { errorCode: 'business_error', customerGroup: 'NOPE' });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses every replay route without the master key (the host’s empty 401)', async () => {
    for (const headers of [{}, FUNCTION_KEY] as Record<string, string>[]) {
      expect((await call('POST', '/ops/replays', { filter: {} }, headers)).status).toBe(401);
      expect((await call('GET', '/ops/replays', undefined, headers)).status).toBe(401);
      expect((await call('GET', `/ops/replays/${failedIds[0]}`, undefined, headers)).status).toBe(401);
      expect((await call('POST', `/ops/replays/${failedIds[0]}/cancel`, undefined, headers)).status).toBe(
        401,
      );
    }
  });

  it('answers a bad body with its pointer, and a filter that matches nothing with 409', async () => {
    const bad = await call('POST', '/ops/replays', { filter: { errorCode: 'nope' }, correlationIds: [] });
    expect(bad.status).toBe(400);
    expect((bad.json as { errors: { pointer: string }[] }).errors.map((e) => e.pointer)).toEqual(
      expect.arrayContaining(['/filter/errorCode', '/correlationIds']),
    );
    const none = await call('POST', '/ops/replays', { filter: { legalEntity: 'ZZZZ' } });
    expect(none.status).toBe(409);
    expect((await call('GET', '/ops/replays/5b0e8f3c-1d2a-4c6b-9e7f-0a1b2c3d4e5f')).status).toBe(404);
  });

  it('replays the failed requests of a filter as one job: all succeed in D365, at most the cap at once, no 429', async () => {
    await stack.emulatorApi('POST', '/_emulator/stats/reset');
    const started = await call('POST', '/ops/replays', { filter: { errorCode: 'not_registered' } });
    expect(started.status).toBe(202);
    const job = started.json as Job;
    expect(started.headers.get('location')).toBe(`/api/ops/replays/${job.id}`);
    expect(job).toMatchObject({ state: 'running', counts: { total: 40, released: 0 } });

    const done = await finished(job.id);
    expect(done).toMatchObject({
      state: 'done',
      counts: { total: 40, released: 40, pending: 0, succeeded: 40, failed: 0, needsReview: 0, skipped: 0 },
    });
    for (const id of failedIds)
      expect(await statusOf(id)).toMatchObject({ status: 'succeeded', replayJobId: job.id });
    // The other code's failures were not taken.
    for (const id of otherIds) expect((await statusOf(id)).status).toBe('failed');
    const stats = await stack.emulatorApi<{
      d365: { maxConcurrent: number };
      responses429: number;
      customersCreated: number;
    }>('GET', '/_emulator/stats');
    expect(stats.customersCreated).toBe(40);
    expect(stats.d365.maxConcurrent).toBeLessThanOrEqual(4);
    expect(stats.responses429).toBe(0);

    const listed = (await call('GET', '/ops/replays')).json as { items: Job[] };
    expect(listed.items[0]).toMatchObject({ id: job.id, state: 'done' });
    const audit = (await call('GET', '/ops/audit?limit=5')).json as {
      entries: { action: string; jobId?: string; count: number; filter?: unknown }[];
    };
    expect(audit.entries).toContainEqual(
      expect.objectContaining({
        action: 'replay.start',
        jobId: job.id,
        count: 40,
        filter: { errorCode: 'not_registered' },
      }),
    );
    expect((await call('POST', `/ops/replays/${job.id}/cancel`)).status).toBe(409);
  }, 180_000);

  it('by IDs, cancelled at once: it releases nothing more, and what it released ends and is counted', async () => {
    const started = await call('POST', '/ops/replays', { correlationIds: otherIds });
    expect(started.status).toBe(202);
    const job = started.json as Job;
    const cancelled = await call('POST', `/ops/replays/${job.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toMatchObject({ state: 'cancelled', cancelledBy: 'master-key' });
    const done = await finished(job.id);
    expect(done.state).toBe('cancelled');
    const statuses = await Promise.all(otherIds.map(statusOf));
    const replayed = statuses.filter((s) => s.replayJobId === job.id).length;
    expect(done.counts.released).toBe(replayed);
    expect(done.counts.pending).toBe(0);
    // The unknown customer group still fails in D365: what was released failed again, the rest waits.
    expect(done.counts.failed).toBe(replayed);
    expect(statuses.every((s) => s.status === 'failed')).toBe(true);
  }, 120_000);
});
