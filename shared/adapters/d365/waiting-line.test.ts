import { FairShare } from '../../domain/fair-share';
import { LineWaiter, waitingLine } from './waiting-line';

interface Named extends LineWaiter {
  name: string;
}

const live = (caller: string, weight = 1): FairShare => ({ caller, weight, priority: 'live' });

function line() {
  const waiters: Named[] = [];
  const order = waitingLine<Named>();
  return {
    waiters,
    add(name: string, share?: FairShare, ahead = false) {
      order.queue(waiters, { name, share, ahead });
    },
    names: () => waiters.map((w) => w.name),
    serve: (count: number) => waiters.splice(0, count).map((w) => w.name),
  };
}

describe("an instance's line for D365 slots", () => {
  it("puts another caller's single request second, however many one caller has waiting", () => {
    const l = line();
    for (let i = 1; i <= 10; i++) l.add(`a${i}`, live('key:a'));
    l.add('b1', live('key:b'));
    expect(l.names().indexOf('b1')).toBe(1);
  });

  it('alternates callers by weight (2:1), each caller first come, first served', () => {
    const l = line();
    for (let i = 1; i <= 6; i++) l.add(`a${i}`, live('key:a', 2));
    for (let i = 1; i <= 3; i++) l.add(`b${i}`, live('key:b'));
    expect(l.names()).toEqual(['a1', 'b1', 'a2', 'a3', 'b2', 'a4', 'a5', 'b3', 'a6']);
  });

  it('does not bank credit: a caller back after being idle starts at the tag being served', () => {
    const l = line();
    l.add('b1', live('key:b'));
    for (let i = 1; i <= 4; i++) l.add(`a${i}`, live('key:a'));
    expect(l.serve(3)).toEqual(['b1', 'a1', 'a2']);
    for (let i = 5; i <= 6; i++) l.add(`a${i}`, live('key:a'));
    l.add('b2', live('key:b'));
    l.add('b3', live('key:b'));
    expect(l.names()).toEqual(['a3', 'b2', 'a4', 'b3', 'a5', 'a6']);
  });

  it('serves ahead waiters (batched lookups) first, then live requests, background work last', () => {
    const l = line();
    l.add('bulk1', { caller: 'key:ops', weight: 8, priority: 'background' });
    l.add('a1', live('key:a'));
    l.add('lookup', undefined, true);
    l.add('anon');
    l.add('bulk2', { caller: 'key:ops', weight: 8, priority: 'background' });
    l.add('b1', live('key:b'));
    expect(l.names()).toEqual(['lookup', 'a1', 'anon', 'b1', 'bulk1', 'bulk2']);
  });

  it('re-queues a waiter that gave up behind its caller’s others (it waits again from the back)', () => {
    const l = line();
    for (let i = 1; i <= 3; i++) l.add(`a${i}`, live('key:a'));
    l.waiters.splice(0, 1); // a1's wait ran out
    l.add('a1-again', live('key:a'));
    l.add('b1', live('key:b'));
    expect(l.names()).toEqual(['a2', 'b1', 'a3', 'a1-again']);
  });
});
