import { covered, medianBreakdown, requestBreakdown, timeline } from '../../bench/latency-breakdown';
import { StorageCall } from '../../bench/storage-counter';

const call = (operation: string, start: number, end: number, azuriteMs: number, heldMs = 0): StorageCall => ({
  operation,
  resource: 'status',
  path: 'status',
  start,
  end,
  answered: start + azuriteMs,
  forwarded: start + azuriteMs + heldMs,
});

describe("where a Prefer: wait request's time went", () => {
  it('counts overlapping spans once, clipped to the request', () => {
    expect(
      covered(
        [
          [0, 10],
          [5, 20],
          [30, 40],
        ],
        0,
        100,
      ),
    ).toBe(30);
    expect(
      covered(
        [
          [-5, 10],
          [90, 120],
        ],
        0,
        100,
      ),
    ).toBe(20);
    expect(covered([], 0, 100)).toBe(0);
  });

  it('splits the request into D365, storage alone and neither, and keeps the storage calls apart', () => {
    // send at 100, answer at 1,100: insert 10 ms, a gap of 20, claim 30 ms beside a read, D365 600 ms
    // with a storage call inside it (not storage alone), then a write 40 ms, then 270 ms of nothing.
    const calls = [
      call('table InsertEntity', 100, 110, 4, 4),
      call('table UpdateEntity', 130, 160, 20, 6),
      call('table QueryEntities', 140, 150, 5, 4),
      call('table UpdateEntity', 400, 410, 5, 4),
      call('table UpdateEntity', 790, 830, 30, 5),
    ];
    const d365 = [{ start: 170, end: 770, endpoint: 'odataQuery' }];
    const b = requestBreakdown(calls, d365, 100, 1100);
    expect(b.ms).toBe(1000);
    expect(b.d365Ms).toBe(600);
    expect(b.storageOnlyMs).toBe(10 + 30 + 40);
    expect(b.idleMs).toBe(1000 - 600 - 80);
    expect(b.storageCalls).toBe(5);
    expect(b.sequential).toBe(4);
    expect(b.storageCallMs).toEqual({ median: 10, max: 40 });
    expect(b.azuriteMs).toEqual({ median: 5, max: 30 });
    expect(b.heldMs).toEqual({ median: 4, max: 6 });
    expect(
      medianBreakdown([b, { ...b, ms: 2000, idleMs: 1320 }, { ...b, ms: 1200, idleMs: 520 }]),
    ).toMatchObject({
      ms: 1200,
      idleMs: 520,
      d365Ms: 600,
    });
  });

  it('lists the calls in the order they started, from the send', () => {
    const steps = timeline(
      [call('table InsertEntity', 100, 110, 4), call('table UpdateEntity', 800, 820, 4)],
      [{ start: 120, end: 420, endpoint: 'customService' }],
      100,
    );
    expect(steps).toEqual([
      { fromMs: 0, toMs: 10, what: 'table InsertEntity status' },
      { fromMs: 20, toMs: 320, what: 'D365 customService' },
      { fromMs: 700, toMs: 720, what: 'table UpdateEntity status' },
    ]);
  });
});
