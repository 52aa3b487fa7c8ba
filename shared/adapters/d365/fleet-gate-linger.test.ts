import { setTimeout as sleep } from 'node:timers/promises';
import { GateSlot } from '../../ports';
import { fleetGateOn } from './fleet-gate';
import { memoryPartition } from '../../../test/support/memory-gate-partition';

// Issue 33: a released row with nobody waiting here stays this instance's for `lingerMs`, so the
// next create takes it without a storage call (the partition's read, the take and the give-back
// were three transactions per customer); the fleet's rules still decide (a fresh read, no pause,
// no other instance waiting).
const isSlot = (answer: unknown): answer is GateSlot =>
  typeof answer === 'object' && answer !== null && 'run' in answer;
const options = { slots: 2, callTimeoutMs: 1_000, lingerMs: 300 };

async function held(gate: { acquire(ms: number): Promise<unknown> }): Promise<GateSlot> {
  const slot = await gate.acquire(2_000);
  if (!isSlot(slot)) throw new Error('no slot');
  return slot;
}

describe('the fleet gate keeps a released row a moment for the next acquire', () => {
  it('hands it to an acquire within lingerMs without a storage call, then gives it back once', async () => {
    const partition = memoryPartition();
    const a = partition.instance();
    const gate = fleetGateOn(a.port, { ...options, instanceId: 'a' });
    const first = await held(gate);
    const taken = [...partition.rows.values()].find((row) => row.holder === 'a')!;
    const before = { ...a.calls };
    await first.release();
    const second = await held(gate);
    await second.run(async () => undefined);
    await second.release();
    const third = await held(gate);
    await third.release();
    // Three creates, one row: no read, no write since the first take.
    expect(a.calls.list).toBe(before.list);
    expect(a.calls.write).toBe(before.write);
    expect(partition.rows.get(taken.rowKey)).toMatchObject({ holder: 'a' });
    await sleep(options.lingerMs + 200);
    expect(a.calls.write).toBe(before.write + 1); // the one give-back
    expect(partition.rows.get(taken.rowKey)).toMatchObject({ holder: '', until: 0 });
  });

  it('gives kept rows back at once when the instance shuts down (close), and keeps none after', async () => {
    const partition = memoryPartition();
    const a = partition.instance();
    const gate = fleetGateOn(a.port, { ...options, lingerMs: 3_000, instanceId: 'a' });
    const slot = await held(gate);
    const rowKey = [...partition.rows.values()].find((row) => row.holder === 'a')!.rowKey;
    await slot.release();
    expect(partition.rows.get(rowKey)).toMatchObject({ holder: 'a' }); // kept
    await gate.close!();
    expect(partition.rows.get(rowKey)).toMatchObject({ holder: '', until: 0 });
    const again = await held(gate);
    const writes = a.calls.write;
    await again.release();
    expect(a.calls.write).toBe(writes + 1); // given back, not kept
  });

  it('without lingerMs gives a row nobody waits for back at once', async () => {
    const partition = memoryPartition();
    const a = partition.instance();
    const gate = fleetGateOn(a.port, { ...options, lingerMs: 0, instanceId: 'a' });
    const slot = await held(gate);
    const writes = a.calls.write;
    await slot.release();
    expect(a.calls.write).toBe(writes + 1);
  });

  it('reads the partition first when its last read is older than a second, and parks nothing while another instance waits', async () => {
    const partition = memoryPartition();
    const a = partition.instance();
    const gateA = fleetGateOn(a.port, { ...options, slots: 1, lingerMs: 5_000, instanceId: 'a' });
    const gateB = fleetGateOn(partition.instance().port, { ...options, slots: 1, instanceId: 'b' });
    const first = await held(gateA);
    await first.release();
    await sleep(1_100);
    // Parked, but the read that vouched for the fleet is stale: the poller reads before handing it out.
    const lists = a.calls.list;
    const second = await held(gateA);
    expect(a.calls.list).toBe(lists + 1);
    // b waits now (its want- row); a's next read shows it, so a's release gives the row back.
    const waiting = gateB.acquire(3_000);
    await sleep(100);
    expect(await gateA.acquire(300)).toMatchObject({ reason: 'busy' }); // a's poller read the want- row
    const writes = a.calls.write;
    await second.release();
    expect(a.calls.write).toBe(writes + 1); // given back at once, not parked
    expect(isSlot(await waiting)).toBe(true);
    expect(partition.rows.get('slot-0')).toMatchObject({ holder: 'b' });
  });

  it('hands nothing parked on during a throttling pause', async () => {
    const partition = memoryPartition();
    const gate = fleetGateOn(partition.instance().port, { ...options, slots: 1, instanceId: 'a' });
    const slot = await held(gate);
    await slot.release();
    await gate.pause(30);
    expect(await gate.acquire(100)).toMatchObject({ reason: 'paused' });
  });
});
