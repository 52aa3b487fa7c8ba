import {
  admissionLimit,
  deferralSeconds,
  fairShareOf,
  largestShare,
  mayUseSpareRoom,
  fairTags,
  weightOf,
} from './fair-share';

const settings = { waiters: 4, weights: { 'key:pos': 2, 'webhook:shop': 0.5 }, receiveThreshold: 16 };

describe('fair sharing between callers', () => {
  it('weighs a caller by CALLER_WEIGHTS, 1 when unnamed, and calls a request without a caller anonymous', () => {
    expect(weightOf('key:pos', settings)).toBe(2);
    expect(weightOf('key:other', settings)).toBe(1);
    expect(fairShareOf({}, settings)).toEqual({ caller: 'anonymous', weight: 1, priority: 'live' });
    expect(fairShareOf({ caller: 'key:pos', priority: 'background' }, settings)).toEqual({
      caller: 'key:pos',
      weight: 2,
      priority: 'background',
    });
  });

  it('admits waiters × weight of one caller (at least 1); all background work shares one unweighted share', () => {
    const share = (caller: string, priority: 'live' | 'background' = 'live') =>
      fairShareOf({ caller, priority }, settings);
    expect(admissionLimit(share('key:pos'), settings)).toBe(8);
    expect(admissionLimit(share('key:other'), settings)).toBe(4);
    expect(admissionLimit(share('webhook:shop'), settings)).toBe(2);
    expect(
      admissionLimit(share('webhook:shop'), {
        waiters: 1,
        weights: { 'webhook:shop': 0.1 },
        receiveThreshold: 16,
      }),
    ).toBe(1);
    expect(admissionLimit(share('key:pos', 'background'), settings)).toBe(4);
    expect(admissionLimit(share('key:pos'), { waiters: 0, weights: {}, receiveThreshold: 16 })).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it('lends spare room to live requests only, while fewer than newBatchThreshold − waiters are at work', () => {
    const live = fairShareOf({ caller: 'key:a' }, settings);
    expect(mayUseSpareRoom(live, 11, settings)).toBe(true);
    expect(mayUseSpareRoom(live, 12, settings)).toBe(false);
    expect(mayUseSpareRoom({ ...live, priority: 'background' }, 0, settings)).toBe(false);
  });

  it('knows the largest share any caller can get on an instance (what newBatchThreshold must allow)', () => {
    expect(largestShare(settings)).toBe(8);
    expect(largestShare({ waiters: 4, weights: {}, receiveThreshold: 16 })).toBe(4);
    expect(largestShare({ waiters: 4, weights: { a: 0.5 }, receiveThreshold: 16 })).toBe(4);
  });

  it('spreads a deferred backlog: one second per share already parked, at most 30 s', () => {
    expect([0, 3, 4, 7, 8, 12].map((parked) => deferralSeconds(parked, 4))).toEqual([1, 1, 2, 2, 3, 4]);
    expect(deferralSeconds(1_000, 4)).toBe(30);
    expect(deferralSeconds(5, Number.POSITIVE_INFINITY)).toBe(1);
  });

  it('tags a waiter where its caller’s last one finished, never before the tag served, 1/weight long', () => {
    expect(fairTags(0, 10, 1)).toEqual({ start: 10, next: 11 });
    expect(fairTags(14, 10, 1)).toEqual({ start: 14, next: 15 });
    expect(fairTags(10, 10, 2)).toEqual({ start: 10, next: 10.5 });
  });
});
