import type { GateRow, GateRows } from '../d365/gate-rows';
import { gateRoom } from './gate-room';

const rowsOf = (rows: Omit<GateRow, 'etag'>[]): GateRows => ({
  list: async () => rows.map((row) => ({ ...row, etag: '1' })),
  write: async () => undefined,
  upsert: async () => undefined,
  remove: async () => undefined,
});

describe('the gate room a bulk replay reads', () => {
  const now = 1_000_000;

  it('counts held slots and the instances at work: holding a slot or waiting for one', async () => {
    const room = gateRoom(
      rowsOf([
        { rowKey: 'slot-0', holder: 'a', until: now + 5_000 },
        { rowKey: 'slot-1', holder: 'a', until: now + 5_000 },
        { rowKey: 'slot-2', holder: 'b', until: now + 5_000 },
        { rowKey: 'slot-3', holder: '', until: 0 },
        // A lease that ran out (its instance was killed): neither held nor at work.
        { rowKey: 'slot-4', holder: 'gone', until: now - 1 },
        // Beyond D365_MAX_CONCURRENCY (a cap lowered since): not counted.
        { rowKey: 'slot-9', holder: 'x', until: now + 5_000 },
        { rowKey: 'want-c', holder: 'c', until: now + 2_000, since: now - 500 },
        { rowKey: 'want-old', holder: 'old', until: now - 10 },
        { rowKey: 'pause', holder: '', until: now + 3_000 },
      ]),
      6,
      () => now,
    );
    expect(await room.read()).toEqual({ slots: 6, held: 3, pausedUntil: now + 3_000, instances: 3 });
  });

  it('an idle fleet counts as one instance', async () => {
    const room = gateRoom(rowsOf([{ rowKey: 'slot-0', holder: '', until: 0 }]), 4, () => now);
    expect(await room.read()).toEqual({ slots: 4, held: 0, pausedUntil: 0, instances: 1 });
  });
});
