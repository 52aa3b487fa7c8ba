import { backfillGateWait, backfillProgress, BackfillJob, emptyCounts } from './backfill';

const job = (changes: Partial<BackfillJob>): BackfillJob => ({
  jobId: '0b8f2d3c-6a1e-4f3b-9c2d-1e5f7a9b0c4d',
  source: 'shop',
  dryRun: false,
  state: 'running',
  page: 4,
  counts: { ...emptyCounts(), found: 200 },
  startedBy: 'master-key',
  startedAt: '2026-12-07T05:00:00.000Z',
  updatedAt: '2026-12-07T05:02:00.000Z',
  etag: '1',
  ...changes,
});

describe('backfill progress', () => {
  it("gives the rate since the start and, with the shop's total, the time left at that rate", () => {
    expect(backfillProgress(job({ total: 1000 }))).toMatchObject({
      pages: 4,
      total: 1000,
      perMinute: 100,
      estimatedSecondsLeft: 480,
    });
  });

  it('gives no time left without a total, or once it ended; no rate before the first page', () => {
    expect(backfillProgress(job({})).estimatedSecondsLeft).toBeUndefined();
    const ended = backfillProgress(job({ total: 200, state: 'done', endedAt: '2026-12-07T05:02:00.000Z' }));
    expect(ended.estimatedSecondsLeft).toBeUndefined();
    expect(ended.perMinute).toBe(100);
    expect(backfillProgress(job({ page: 0, counts: emptyCounts() })).perMinute).toBeUndefined();
  });
});

describe("a backfill page at the fleet's D365 gate", () => {
  const now = Date.parse('2026-12-07T05:00:00.000Z');
  it.each([
    // slots, held, reserve, pause (ms from now), wait (s)
    [4, 0, 1, 0, 0],
    [4, 2, 1, 0, 0],
    [4, 3, 1, 0, 2],
    [4, 4, 1, 0, 2],
    [4, 3, 0, 0, 0],
    // The reserve is at most slots − 1: one slot is always the backfill's to wait for.
    [1, 0, 5, 0, 0],
    [1, 1, 5, 0, 2],
    [4, 0, 1, 4_200, 5],
    [4, 0, 1, -1_000, 0],
  ])('%i slots, %i held, reserve %i, pause %i ms: waits %i s', (slots, held, reserve, pause, wait) => {
    expect(backfillGateWait({ slots, held, pausedUntil: pause === 0 ? 0 : now + pause }, reserve, now)).toBe(
      wait,
    );
  });
});
