import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { TableClient } from '@azure/data-tables';
import { fleetGateOn } from '../../shared/adapters/d365/fleet-gate';
import { GATE_PARTITION, GateRows, tableGateRows } from '../../shared/adapters/d365/gate-rows';
import { GateSlot } from '../../shared/ports';

// The fleet gate on Azurite (started by the global setup) with the real Table SDK: several gates on
// one table stand for the instances of a fleet, each with its own client.
const tableName = `gate${randomBytes(4).toString('hex')}`;
const client = () =>
  TableClient.fromConnectionString(process.env.TEST_STORAGE_CONNECTION_STRING!, tableName, {
    allowInsecureConnection: true,
  });

/** One instance's gate rows, counting its storage calls (the real adapter underneath). */
function instanceRows(): { rows: GateRows; calls: { list: number; write: number; upsert: number } } {
  const table = client();
  const inner = tableGateRows(async () => table);
  const calls = { list: 0, write: 0, upsert: 0 };
  return {
    calls,
    rows: {
      list: () => (calls.list++, inner.list()),
      write: (row, etag) => (calls.write++, inner.write(row, etag)),
      upsert: (row) => (calls.upsert++, inner.upsert(row)),
      remove: (key, etag) => inner.remove(key, etag),
    },
  };
}
const isSlot = (answer: unknown): answer is GateSlot =>
  typeof answer === 'object' && answer !== null && 'run' in answer;
const slotRow = async (rowKey: string) =>
  client().getEntity<{ holder: string; until: number }>(GATE_PARTITION, rowKey);

beforeAll(async () => {
  await client().createTable();
});
afterEach(async () => {
  for await (const row of client().listEntities())
    await client().deleteEntity(row.partitionKey!, row.rowKey!);
});

describe('the fleet gate on Table storage', () => {
  it('keeps the fleet at the cap across three instances, and every waiter gets a slot', async () => {
    const gates = ['a', 'b', 'c'].map((id) =>
      fleetGateOn(instanceRows().rows, { slots: 3, callTimeoutMs: 5_000, instanceId: id, stickyMs: 200 }),
    );
    let inFlight = 0;
    let peak = 0;
    const ranOn = { a: 0, b: 0, c: 0 } as Record<string, number>;
    await Promise.all(
      Array.from({ length: 9 }, async (_, worker) => {
        const gate = gates[worker % 3]!;
        for (let i = 0; i < 8; i += 1) {
          const slot = await gate.acquire(60_000);
          if (!isSlot(slot)) throw new Error(`no slot: ${JSON.stringify(slot)}`);
          await slot.run(async () => {
            peak = Math.max(peak, ++inFlight);
            await sleep(10);
            inFlight -= 1;
            ranOn[gate.instanceId] = (ranOn[gate.instanceId] ?? 0) + 1;
          });
          await slot.release();
        }
      }),
    );
    expect(ranOn).toEqual({ a: 24, b: 24, c: 24 });
    expect(peak).toBeLessThanOrEqual(3);
    // Every slot went back to the fleet once nobody waited.
    for (const key of ['slot-0', 'slot-1', 'slot-2'])
      expect(await slotRow(key)).toMatchObject({ holder: '', until: 0 });
  });

  it('gives a released slot to the waiting invocation of the same instance without a storage call', async () => {
    const a = instanceRows();
    const gate = fleetGateOn(a.rows, { slots: 1, callTimeoutMs: 5_000, instanceId: 'a' });
    const first = await gate.acquire(5_000);
    if (!isSlot(first)) throw new Error('no slot');
    const held = await slotRow('slot-0');
    let second: unknown;
    void gate.acquire(10_000).then((answer) => (second = answer));
    await sleep(100);
    expect(second).toBeUndefined();
    const before = { ...a.calls };
    await first.release();
    await Promise.resolve();
    // Granted at the release itself: no write, no read of the partition in between.
    expect(isSlot(second)).toBe(true);
    expect(a.calls.write).toBe(before.write);
    expect((await slotRow('slot-0')).etag).toBe(held.etag);
    await (second as GateSlot).run(async () => undefined);
    await (second as GateSlot).release();
    expect(await slotRow('slot-0')).toMatchObject({ holder: '', until: 0 });
  });

  it('lets a waiting instance take the slot another instance frees, and shares its throttling pause', async () => {
    const a = fleetGateOn(instanceRows().rows, { slots: 1, callTimeoutMs: 5_000, instanceId: 'a' });
    const b = fleetGateOn(instanceRows().rows, { slots: 1, callTimeoutMs: 5_000, instanceId: 'b' });
    const held = await a.acquire(5_000);
    if (!isSlot(held)) throw new Error('no slot');
    const waiting = b.acquire(20_000);
    await sleep(200);
    await held.release();
    const taken = await waiting;
    expect(isSlot(taken)).toBe(true);
    expect(await slotRow('slot-0')).toMatchObject({ holder: 'b' });
    await a.pause(30);
    await (taken as GateSlot).release();
    expect(await b.acquire(1_000)).toMatchObject({ reason: 'paused' });
  });
});
