import { callsWithin, criticalPath } from '../../bench/critical-path';
import { StorageCall } from '../../bench/storage-counter';

const call = (operation: string, start: number, end: number): StorageCall => ({
  operation,
  resource: 'status',
  path: 'status',
  start,
  end,
  answered: NaN,
  forwarded: NaN,
});

describe('the critical path of storage calls', () => {
  it('counts calls one after the other, and calls side by side as one round trip', () => {
    const path = criticalPath([
      call('table InsertEntity', 0, 5),
      call('queue PutMessage', 5, 9),
      // side by side: the slot's give-back and the link row
      call('table UpdateEntity', 10, 30),
      call('table InsertEntity', 11, 14),
      call('table GetEntity', 31, 33),
    ]);
    expect(path).toEqual({
      calls: 5,
      sequential: 4,
      // of two calls side by side, the one that answered first stands for both
      chain: ['table InsertEntity', 'queue PutMessage', 'table InsertEntity', 'table GetEntity'],
      resources: ['status', 'status', 'status', 'status'],
    });
  });

  it('takes the longest chain, not the number of gaps (a short call and its successor beside a long one)', () => {
    const path = criticalPath([
      call('a', 0, 100),
      call('b', 0, 10),
      call('c', 20, 30),
      call('d', 40, 50),
      call('e', 101, 110),
    ]);
    expect(path.sequential).toBe(4); // b → c → d → e
    expect(path.chain).toEqual(['b', 'c', 'd', 'e']);
  });

  it("leaves out calls still open, and the queue listeners' polls outside a request's window", () => {
    const calls = [
      call('queue GetMessages', 1, 2),
      call('table InsertEntity', 2, 4),
      call('table GetEntity', 50, NaN),
      call('table UpdateEntity', 200, 210),
    ];
    const within = callsWithin(calls, 0, 100);
    expect(within.map((c) => c.operation)).toEqual(['table InsertEntity', 'table GetEntity']);
    expect(criticalPath(within).sequential).toBe(1);
    expect(criticalPath([]).sequential).toBe(0);
  });
});
