import { transient } from '../../domain/failure';
import { GateSlotReleasedError } from '../../ports';
import { d365Gate } from './d365-gate';

describe('the D365 gate', () => {
  it('a 429 pauses the instance before its slot goes to the next waiting call', async () => {
    let clock = 1_000_000;
    const gate = d365Gate(1, () => clock);
    let release!: () => void;
    const throttled = gate.run(
      () =>
        new Promise<never>((_, reject) => {
          release = () =>
            reject(transient('D365 throttled the request (429)', { retryAfterSeconds: 30, throttled: true }));
        }),
      60_000,
    );
    // The next call waits for the slot; with a pause longer than it may wait, it is deferred, not sent.
    let sent = false;
    const next = gate.run(async () => {
      sent = true;
      return 'created';
    }, 5_000);
    await new Promise(setImmediate); // the throttled call is in flight, the next one waits for its slot
    release();
    await expect(throttled).rejects.toThrow('429');
    await expect(next).resolves.toEqual({ deferredUntil: clock + 30_000 });
    expect(sent).toBe(false);
    clock += 31_000;
    await expect(gate.run(async () => 'created', 5_000)).resolves.toEqual({ value: 'created' });
  });

  it('other failures do not pause it', async () => {
    const gate = d365Gate(1, () => 0);
    await expect(
      gate.run(async () => {
        throw transient('D365 answered 503');
      }, 1_000),
    ).rejects.toThrow('503');
    expect(gate.pausedUntil()).toBe(0);
    await expect(gate.run(async () => 'ok', 1_000)).resolves.toEqual({ value: 'ok' });
  });

  it('gives a freed slot to a waiter that asked to go ahead before earlier waiters, first come among them', async () => {
    const gate = d365Gate(1, () => 0);
    const first = await gate.acquire(1_000);
    if (!('run' in first)) throw new Error('no slot');
    const order: string[] = [];
    const wait = (name: string, ahead: boolean) =>
      gate.acquire(1_000, { ahead }).then(async (slot) => {
        order.push(name);
        if ('run' in slot) await slot.release();
      });
    const all = [
      wait('create 1', false),
      wait('lookup 1', true),
      wait('create 2', false),
      wait('lookup 2', true),
    ];
    await first.release();
    await Promise.all(all);
    expect(order).toEqual(['lookup 1', 'lookup 2', 'create 1', 'create 2']);
  });

  it('refuses a call in a slot already given up (it would run outside the cap)', async () => {
    const gate = d365Gate(1, () => 0);
    const slot = await gate.acquire(1_000);
    if (!('run' in slot)) throw new Error('no slot');
    await slot.release();
    let ran = false;
    await expect(slot.run(async () => (ran = true))).rejects.toThrow(GateSlotReleasedError);
    expect(ran).toBe(false);
  });
});
