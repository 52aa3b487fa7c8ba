import { setTimeout as sleep } from 'node:timers/promises';
import { transient } from '../../domain/failure';
import { GateSlot } from '../../ports';
import { fleetGateOn } from './fleet-gate';
import { memoryPartition } from '../../../test/support/memory-gate-partition';

const isSlot = (answer: unknown): answer is GateSlot =>
  typeof answer === 'object' && answer !== null && 'run' in answer;
const options = { slots: 2, callTimeoutMs: 1_000 };

describe('the fleet gate', () => {
  it('hands a released slot straight to the next waiter of the instance, without a storage write', async () => {
    const partition = memoryPartition();
    const a = partition.instance();
    const gate = fleetGateOn(a.port, { ...options, slots: 1, instanceId: 'a' });
    const first = await gate.acquire(5_000);
    if (!isSlot(first)) throw new Error('no slot');
    const row = { ...partition.rows.get('slot-0')! };
    let second: unknown;
    void gate.acquire(5_000).then((answer) => (second = answer));
    await sleep(20);
    expect(second).toBeUndefined(); // every slot of the fleet is taken
    const writes = a.calls.write;
    await first.release();
    await Promise.resolve();
    // The waiter holds the slot as soon as the release returns: no poll, and the row was not written.
    expect(isSlot(second)).toBe(true);
    expect(a.calls.write).toBe(writes);
    expect(partition.rows.get('slot-0')).toEqual(row);
    await (second as GateSlot).release();
    expect(partition.rows.get('slot-0')).toMatchObject({ holder: '', until: 0 }); // nobody waits: back to the fleet
  });

  it('hands a released slot to a waiter that asked to go ahead (a lookup batch) before earlier ones, first come among them', async () => {
    const partition = memoryPartition();
    const gate = fleetGateOn(partition.instance().port, { ...options, slots: 1, instanceId: 'a' });
    const first = await gate.acquire(5_000);
    if (!isSlot(first)) throw new Error('no slot');
    const order: string[] = [];
    const wait = (name: string, ahead: boolean) =>
      gate.acquire(5_000, { ahead }).then(async (slot) => {
        order.push(name);
        if (isSlot(slot)) await slot.release();
      });
    const all = [
      wait('create 1', false),
      wait('create 2', false),
      wait('lookup 1', true),
      wait('lookup 2', true),
    ];
    await sleep(20);
    expect(order).toEqual([]);
    await first.release();
    await Promise.all(all);
    expect(order).toEqual(['lookup 1', 'lookup 2', 'create 1', 'create 2']);
  });

  it('paces each slot to D365_MAX_REQUESTS_PER_SECOND: no slot starts calls closer than slots / rate apart', async () => {
    const partition = memoryPartition();
    // 2 slots at 20 calls/s: each slot starts a call at most every 100 ms.
    const gate = fleetGateOn(partition.instance().port, {
      ...options,
      maxCallsPerSecond: 20,
      instanceId: 'a',
    });
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const slot = await gate.acquire(5_000);
        if (!isSlot(slot)) throw new Error('no slot');
        await slot.run(async () => starts.push(performance.now()));
        await slot.release();
      }),
    );
    const sorted = [...starts].sort((x, y) => x - y);
    // Any 3 consecutive starts span at least one full spacing (two slots, 100 ms each; 2 ms for timers).
    for (let i = 2; i < sorted.length; i += 1) expect(sorted[i]! - sorted[i - 2]!).toBeGreaterThanOrEqual(98);
    expect(sorted.at(-1)! - sorted[0]!).toBeGreaterThanOrEqual(3 * 98);
  });

  it('keeps the pace of a slot given back to the fleet: the next instance to take it waits out its spacing', async () => {
    const partition = memoryPartition();
    const paced = { ...options, slots: 1, maxCallsPerSecond: 5 }; // one slot: a call at most every 200 ms
    const a = fleetGateOn(partition.instance().port, { ...paced, instanceId: 'a' });
    const b = fleetGateOn(partition.instance().port, { ...paced, instanceId: 'b' });
    const first = await a.acquire(5_000);
    if (!isSlot(first)) throw new Error('no slot');
    const before = Date.now();
    const ranAt = await first.run(async () => Date.now());
    await first.release(); // nobody waits on a: back to the fleet, with its last start
    const row = partition.rows.get('slot-0')!;
    expect(row.holder).toBe('');
    // The start the gate wrote: taken just before the call ran.
    expect(row.calledAt).toBeGreaterThanOrEqual(before);
    expect(row.calledAt).toBeLessThanOrEqual(ranAt);
    const second = await b.acquire(5_000);
    if (!isSlot(second)) throw new Error('no slot');
    const next = await second.run(async () => Date.now());
    expect(next - row.calledAt!).toBeGreaterThanOrEqual(198);
    await second.release();
  });

  it('lets one poller per instance read the partition for all its waiters, and never races itself', async () => {
    const partition = memoryPartition();
    const a = partition.instance();
    const gate = fleetGateOn(a.port, { ...options, instanceId: 'a' });
    const held = await Promise.all([gate.acquire(5_000), gate.acquire(5_000)]);
    const waiting = Array.from({ length: 10 }, () => gate.acquire(5_000));
    await sleep(300);
    expect(a.calls.maxListsInFlight).toBe(1);
    for (const slot of held) if (isSlot(slot)) await slot.release();
    const answers = await Promise.all(
      waiting.map(async (p) => {
        const slot = await p;
        if (isSlot(slot)) await slot.release();
        return isSlot(slot);
      }),
    );
    expect(answers.every(Boolean)).toBe(true);
    expect(a.calls.lostRaces).toBe(0);
    expect(a.calls.maxListsInFlight).toBe(1);
  });

  it('never lets more calls run than the fleet cap across three instances', async () => {
    const partition = memoryPartition();
    const gates = ['a', 'b', 'c'].map((id) =>
      fleetGateOn(partition.instance().port, { ...options, slots: 3, instanceId: id, stickyMs: 20 }),
    );
    let inFlight = 0;
    let peak = 0;
    let calls = 0;
    await Promise.all(
      Array.from({ length: 12 }, async (_, worker) => {
        for (let i = 0; i < 15; i += 1) {
          const slot = await gates[worker % 3]!.acquire(60_000);
          if (!isSlot(slot)) throw new Error('no slot');
          await slot.run(async () => {
            peak = Math.max(peak, ++inFlight);
            await sleep(Math.random() * 3);
            inFlight -= 1;
            calls += 1;
          });
          await slot.release();
        }
      }),
    );
    expect(calls).toBe(12 * 15);
    expect(peak).toBeLessThanOrEqual(3);
  });

  // Two slots: a holds two more than b, and gives one back at once; one slot: after b waited stickyMs.
  it.each([2, 1])(
    'does not starve an instance: one that keeps calling gives a slot to one that waits (%i slots)',
    async (slots) => {
      const partition = memoryPartition();
      const a = fleetGateOn(partition.instance().port, { ...options, slots, instanceId: 'a', stickyMs: 50 });
      const b = fleetGateOn(partition.instance().port, { ...options, slots, instanceId: 'b', stickyMs: 50 });
      let stop = false;
      const busy = Promise.all(
        Array.from({ length: 4 }, async () => {
          while (!stop) {
            const slot = await a.acquire(60_000);
            if (!isSlot(slot)) continue;
            await slot.run(() => sleep(5));
            await slot.release();
          }
        }),
      );
      await sleep(100); // a holds both slots and hands them from call to call
      expect(
        [...partition.rows.values()].filter((r) => r.rowKey.startsWith('slot-') && r.holder === 'a'),
      ).toHaveLength(slots);
      const answer = await b.acquire(10_000);
      stop = true;
      expect(isSlot(answer)).toBe(true);
      if (isSlot(answer)) await answer.release();
      await busy;
    },
  );

  it('frees the slots of an instance that died holding them once their lease ends, and never runs a lost one', async () => {
    let clock = 1_000_000;
    const now = () => clock;
    const partition = memoryPartition();
    const a = fleetGateOn(partition.instance().port, { ...options, slots: 1, instanceId: 'a', now });
    const b = fleetGateOn(partition.instance().port, { ...options, slots: 1, instanceId: 'b', now });
    const dead = await a.acquire(1_000);
    if (!isSlot(dead)) throw new Error('no slot');
    expect(await b.acquire(100)).toMatchObject({ reason: 'busy' });
    clock += 2 * options.callTimeoutMs + 5_000 + 1; // the slot's lease ran out
    const taken = await b.acquire(1_000);
    expect(isSlot(taken)).toBe(true);
    // The first holder comes back: its slot is gone, so its call does not run.
    let ran = false;
    await expect(dead.run(async () => (ran = true))).rejects.toThrow('ran out');
    expect(ran).toBe(false);
    await dead.release();
    expect(partition.rows.get('slot-0')).toMatchObject({ holder: 'b' });
  });

  it('shares a throttling pause with the fleet and hands no slot on during it', async () => {
    const partition = memoryPartition();
    const a = fleetGateOn(partition.instance().port, { ...options, slots: 1, instanceId: 'a' });
    const b = fleetGateOn(partition.instance().port, { ...options, slots: 1, instanceId: 'b' });
    const slot = await a.acquire(1_000);
    if (!isSlot(slot)) throw new Error('no slot');
    const waiter = a.acquire(200);
    const throttled = transient('D365 throttled the request (429)', {
      retryAfterSeconds: 30,
      throttled: true,
    });
    await expect(slot.run(() => Promise.reject(throttled))).rejects.toBe(throttled);
    await a.pause(30);
    await slot.release();
    // The local waiter is told about the pause instead of getting the throttled call's slot.
    expect(await waiter).toMatchObject({ reason: 'paused' });
    expect(await b.acquire(1_000)).toMatchObject({ reason: 'paused' });
    expect(b.pausedUntil()).toBeGreaterThan(Date.now() + 29_000);
  });

  // Issue 33: the storage round trips of a lone request.
  it('takes the row it gave back last again beside the partition read, not after it', async () => {
    const partition = memoryPartition();
    const a = partition.instance();
    const started: string[] = [];
    let inFlight = 0;
    const traced = (name: 'list' | 'write') =>
      (async (...args: never[]) => {
        started.push(`${name}@${inFlight++}`);
        try {
          return await (a.port[name] as (...x: never[]) => Promise<unknown>)(...args);
        } finally {
          inFlight -= 1;
        }
      }) as never;
    const gate = fleetGateOn(
      { ...a.port, list: traced('list'), write: traced('write') },
      { ...options, instanceId: 'a' },
    );
    const first = await gate.acquire(1_000);
    if (!isSlot(first)) throw new Error('no slot');
    await first.release();
    // The slot taken first is any free one (rows are created as they are taken): the one given back.
    const freed = [...partition.rows].find(([key, row]) => key.startsWith('slot-') && row.holder === '')![0];
    started.length = 0;
    const second = await gate.acquire(1_000);
    expect(isSlot(second)).toBe(true);
    // One read and one write, the write started while the read was on its way: one round trip.
    expect(started).toEqual(['list@0', 'write@1']);
    expect(partition.rows.get(freed)).toMatchObject({ holder: 'a' });
  });

  it("a row given back and taken by another instance since costs one failed write: the read's free rows come next", async () => {
    const partition = memoryPartition();
    const a = partition.instance();
    const gateA = fleetGateOn(a.port, { ...options, instanceId: 'a' });
    const gateB = fleetGateOn(partition.instance().port, { ...options, instanceId: 'b' });
    const first = await gateA.acquire(1_000);
    if (!isSlot(first)) throw new Error('no slot');
    const freed = [...partition.rows.values()].find((row) => row.holder === 'a')!.rowKey;
    await first.release();
    // b takes both rows, a's too, and gives the other one back.
    const held = await Promise.all([gateB.acquire(1_000), gateB.acquire(1_000)]);
    expect(partition.rows.get(freed)).toMatchObject({ holder: 'b' });
    const otherKey = freed === 'slot-0' ? 'slot-1' : 'slot-0';
    for (const slot of held) if (isSlot(slot)) await slot.release();
    const again = await gateB.acquire(1_000);
    if (partition.rows.get(freed)!.holder !== 'b') {
      await gateB.acquire(1_000); // the only free row left: `freed`
      if (isSlot(again)) await again.release();
    }
    expect(partition.rows.get(freed)).toMatchObject({ holder: 'b' });
    expect(partition.rows.get(otherKey)).toMatchObject({ holder: '' });
    const races = a.calls.lostRaces;
    const second = await gateA.acquire(1_000);
    expect(isSlot(second)).toBe(true);
    expect(a.calls.lostRaces - races).toBe(1);
    expect(partition.rows.get(otherKey)).toMatchObject({ holder: 'a' });
  });

  it("hands a lookup batch's slot to a create that asks in the same turn without reading the partition", async () => {
    const partition = memoryPartition();
    const a = partition.instance();
    const gate = fleetGateOn(a.port, { ...options, instanceId: 'a' });
    const lookup = await gate.acquire(1_000);
    if (!isSlot(lookup)) throw new Error('no slot');
    const { list, write } = a.calls;
    // As batched-email-lookup.ts: answered, then its slot given up one setImmediate later; the
    // create asks for a slot in between.
    setImmediate(() => void lookup.release());
    const create = await gate.acquire(1_000);
    expect(isSlot(create)).toBe(true);
    expect(a.calls.list).toBe(list);
    expect(a.calls.write).toBe(write);
  });
});
