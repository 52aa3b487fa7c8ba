import { parseBulkReplayArgs, summary } from '../../bench/bulk-replay-parts';

describe('the bulk-replay bench’s options (npm run bench:replay)', () => {
  it('has the defaults bench/README.md states', () => {
    expect(parseBulkReplayArgs([])).toMatchObject({
      failures: 10_000,
      cap: 8,
      reserve: 1,
      batch: 10,
      d365LatencyMs: 50,
      liveRate: 2,
      baselineSeconds: 90,
      seedConnections: 16,
      queueBatch: 16,
      seed: 'store',
    });
  });

  it('takes --name value pairs and refuses what it does not know', () => {
    expect(parseBulkReplayArgs(['--failures', '1000', '--out', '/tmp/x.json'])).toMatchObject({
      failures: 1000,
      out: '/tmp/x.json',
    });
    expect(() => parseBulkReplayArgs(['--failure', '1000'])).toThrow('unknown options: failure');
    expect(() => parseBulkReplayArgs(['--failures'])).toThrow('expected --name value');
    expect(() => parseBulkReplayArgs(['--cap', 'many'])).toThrow('--cap must be a number');
    expect(parseBulkReplayArgs(['--seed', 'intake']).seed).toBe('intake');
    expect(() => parseBulkReplayArgs(['--seed', 'csv'])).toThrow('--seed is store or intake');
  });

  it('summarises latencies by nearest rank', () => {
    const ms = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summary(ms)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
  });
});
