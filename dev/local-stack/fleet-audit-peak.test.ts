import { peakConcurrency } from './fleet-audit';

const call = (atMs: number, durationMs: number | null, endpoint = 'customService') => ({
  at: new Date(Math.floor(atMs)).toISOString(),
  atMs,
  durationMs,
  endpoint,
  fault: null,
});

describe("the fleet audit's count of D365 calls in flight", () => {
  it('counts calls that overlap, and names the calls in flight at the peak', () => {
    const calls = [call(1000, 50), call(1010, 50), call(1020, 50, 'odataQuery'), call(2000, 10)];
    const peak = peakConcurrency(calls);
    expect(peak.peak).toBe(3);
    expect(peak.calls.map((c) => c.atMs).sort()).toEqual([1000, 1010, 1020]);
  });

  it('does not count a call that starts as the last one ends (a handed-on slot) as concurrent with it, within a millisecond', () => {
    const calls = [call(1000, 3.9), call(1003.95, 3), call(1007, 2)];
    expect(peakConcurrency(calls).peak).toBe(1);
    // With `at` alone (whole milliseconds) the second call would start at 1003, inside the first.
    expect(peakConcurrency(calls.map(({ atMs: _atMs, ...rest }) => rest)).peak).toBe(2);
  });

  it('falls back to `at` for entries without atMs, and ignores calls that never took time', () => {
    const calls = [
      { at: '2026-12-02T00:00:00.000Z', durationMs: 20, fault: null },
      { at: '2026-12-02T00:00:00.010Z', durationMs: 20, fault: null },
      { at: '2026-12-02T00:00:00.015Z', durationMs: null, fault: null },
    ];
    expect(peakConcurrency(calls).peak).toBe(2);
  });
});
